//! Learning-rate schedules (`keras.optimizers.schedules`): the learning rate
//! as a function of the optimizer's step count (`iterations`, starting at 0).
//!
//! ```
//! use keraslike::optimizers::schedules::{ExponentialDecay, LearningRateSchedule};
//! use keraslike::optimizers::{Optimizer, SGD, SGDOptions};
//! let s = ExponentialDecay { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5, staircase: true };
//! assert_eq!(s.call(25), 0.1 * 0.25);
//! let opt = SGD::new(SGDOptions { learning_rate: s.into(), ..Default::default() });
//! assert_eq!(opt.learning_rate(), 0.1);
//! ```

use serde_json::json;

/// A learning rate that depends on the step (`LearningRateSchedule`).
pub trait LearningRateSchedule {
    /// The learning rate at optimizer step `step` (0 for the first update).
    fn call(&self, step: u64) -> f64;
    /// The Keras config (`{"class_name": .., "config": {..}}`).
    fn get_config(&self) -> serde_json::Value;
}

/// `initial_learning_rate * decay_rate ^ (step / decay_steps)`; with
/// `staircase` the exponent is floored, so the rate drops in steps.
#[derive(Clone, Debug)]
pub struct ExponentialDecay {
    /// The rate at step 0.
    pub initial_learning_rate: f64,
    /// Steps over which the rate is multiplied by `decay_rate` (> 0).
    pub decay_steps: u64,
    /// The factor per `decay_steps`.
    pub decay_rate: f64,
    /// Decay at discrete intervals (default false).
    pub staircase: bool,
}

impl LearningRateSchedule for ExponentialDecay {
    fn call(&self, step: u64) -> f64 {
        let mut p = step as f64 / self.decay_steps.max(1) as f64;
        if self.staircase {
            p = p.floor();
        }
        self.initial_learning_rate * self.decay_rate.powf(p)
    }
    fn get_config(&self) -> serde_json::Value {
        json!({"class_name": "ExponentialDecay", "config": {
            "initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate, "staircase": self.staircase}})
    }
}

/// `values[0]` while `step <= boundaries[0]`, `values[1]` while
/// `step <= boundaries[1]`, ..., `values[n]` after the last boundary.
#[derive(Clone, Debug)]
pub struct PiecewiseConstantDecay {
    boundaries: Vec<u64>,
    values: Vec<f64>,
}

impl PiecewiseConstantDecay {
    /// A schedule from increasing `boundaries` and one more value than boundaries.
    pub fn new(boundaries: Vec<u64>, values: Vec<f64>) -> crate::Result<Self> {
        if boundaries.len() + 1 != values.len() {
            return Err(crate::Error::arg(format!(
                "PiecewiseConstantDecay: values must have one more element than boundaries, got {} boundaries and {} values",
                boundaries.len(),
                values.len()
            )));
        }
        if boundaries.windows(2).any(|w| w[0] >= w[1]) {
            return Err(crate::Error::arg(format!(
                "PiecewiseConstantDecay: boundaries must be strictly increasing, got {boundaries:?}"
            )));
        }
        Ok(PiecewiseConstantDecay { boundaries, values })
    }
}

impl LearningRateSchedule for PiecewiseConstantDecay {
    fn call(&self, step: u64) -> f64 {
        let i = self.boundaries.iter().take_while(|&&b| step > b).count();
        self.values[i]
    }
    fn get_config(&self) -> serde_json::Value {
        json!({"class_name": "PiecewiseConstantDecay", "config": {
            "boundaries": self.boundaries, "values": self.values}})
    }
}

/// Cosine decay from `initial_learning_rate` (or, with a warmup, from
/// `warmup_target`) to `alpha` times that over `decay_steps`, then constant.
/// With `warmup_target = Some(t)` the rate first rises linearly from
/// `initial_learning_rate` to `t` over `warmup_steps`.
#[derive(Clone, Debug)]
pub struct CosineDecay {
    /// The starting rate.
    pub initial_learning_rate: f64,
    /// Steps of the cosine phase (> 0).
    pub decay_steps: u64,
    /// The final rate as a fraction of the peak (default 0).
    pub alpha: f64,
    /// The rate reached after the warmup; `None` (default) skips the warmup.
    pub warmup_target: Option<f64>,
    /// Steps of the linear warmup (default 0).
    pub warmup_steps: u64,
}

impl CosineDecay {
    /// Cosine decay without warmup, `alpha = 0`.
    pub fn new(initial_learning_rate: f64, decay_steps: u64) -> Self {
        CosineDecay {
            initial_learning_rate,
            decay_steps,
            alpha: 0.0,
            warmup_target: None,
            warmup_steps: 0,
        }
    }

    fn decay(&self, step: f64, from: f64) -> f64 {
        let frac = step / self.decay_steps.max(1) as f64;
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * frac).cos());
        from * ((1.0 - self.alpha) * cosine + self.alpha)
    }
}

impl LearningRateSchedule for CosineDecay {
    fn call(&self, step: u64) -> f64 {
        let d = self.decay_steps as f64;
        match self.warmup_target {
            None => self.decay((step as f64).min(d), self.initial_learning_rate),
            Some(target) => {
                let w = self.warmup_steps as f64;
                let s = (step as f64).min(d + w);
                if s < w {
                    (target - self.initial_learning_rate) * s / w + self.initial_learning_rate
                } else {
                    self.decay(s - w, target)
                }
            }
        }
    }
    fn get_config(&self) -> serde_json::Value {
        json!({"class_name": "CosineDecay", "config": {
            "initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
            "alpha": self.alpha, "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}})
    }
}

/// `initial_learning_rate / (1 + decay_rate * step / decay_steps)` (the
/// quotient floored with `staircase`).
#[derive(Clone, Debug)]
pub struct InverseTimeDecay {
    /// The rate at step 0.
    pub initial_learning_rate: f64,
    /// The time unit of the decay (> 0).
    pub decay_steps: u64,
    /// The decay per `decay_steps`.
    pub decay_rate: f64,
    /// Decay at discrete intervals (default false).
    pub staircase: bool,
}

impl LearningRateSchedule for InverseTimeDecay {
    fn call(&self, step: u64) -> f64 {
        let mut p = step as f64 / self.decay_steps.max(1) as f64;
        if self.staircase {
            p = p.floor();
        }
        self.initial_learning_rate / (1.0 + self.decay_rate * p)
    }
    fn get_config(&self) -> serde_json::Value {
        json!({"class_name": "InverseTimeDecay", "config": {
            "initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate, "staircase": self.staircase}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn exponential() {
        let mut s = ExponentialDecay {
            initial_learning_rate: 0.1,
            decay_steps: 100,
            decay_rate: 0.96,
            staircase: false,
        };
        close(s.call(0), 0.1);
        close(s.call(50), 0.1 * 0.96f64.powf(0.5));
        s.staircase = true;
        close(s.call(50), 0.1);
        close(s.call(250), 0.1 * 0.96 * 0.96);
    }

    #[test]
    fn piecewise() {
        // Keras' docstring example: 1.0 for steps <= 100000, 0.5 up to 110000, then 0.1.
        let s = PiecewiseConstantDecay::new(vec![100_000, 110_000], vec![1.0, 0.5, 0.1]).unwrap();
        assert_eq!((s.call(0), s.call(100_000), s.call(100_001)), (1.0, 1.0, 0.5));
        assert_eq!((s.call(110_000), s.call(110_001)), (0.5, 0.1));
        assert!(PiecewiseConstantDecay::new(vec![1], vec![1.0]).is_err());
        assert!(PiecewiseConstantDecay::new(vec![5, 2], vec![1.0, 2.0, 3.0]).is_err());
    }

    #[test]
    fn cosine_with_and_without_warmup() {
        let mut s = CosineDecay::new(0.1, 100);
        close(s.call(0), 0.1);
        close(s.call(50), 0.05);
        close(s.call(100), 0.0);
        close(s.call(1000), 0.0);
        s.alpha = 0.2;
        close(s.call(100), 0.02);
        close(s.call(50), 0.1 * (0.8 * 0.5 + 0.2));
        // Warmup 0 -> 1.0 over 10 steps, then cosine from 1.0.
        let w = CosineDecay {
            initial_learning_rate: 0.0,
            decay_steps: 20,
            alpha: 0.0,
            warmup_target: Some(1.0),
            warmup_steps: 10,
        };
        close(w.call(5), 0.5);
        close(w.call(10), 1.0);
        close(w.call(20), 0.5);
        close(w.call(30), 0.0);
    }

    #[test]
    fn inverse_time() {
        let mut s = InverseTimeDecay {
            initial_learning_rate: 0.1,
            decay_steps: 1,
            decay_rate: 0.5,
            staircase: false,
        };
        close(s.call(2), 0.1 / 2.0);
        s.decay_steps = 4;
        close(s.call(2), 0.1 / 1.25);
        s.staircase = true;
        close(s.call(2), 0.1);
        close(s.call(9), 0.1 / 2.0);
    }
}
