//! Adam (`keras.optimizers.Adam`), in Keras 3's form. At step `t`
//! (1-based), with `m`, `v` zeros at first:
//!
//! ```text
//! alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//! m += (g - m) * (1 - beta_1)
//! v += (g² - v) * (1 - beta_2)
//! v_hat = max(v_hat, v)              (amsgrad only; then v_hat replaces v)
//! w -= alpha * m / (sqrt(v) + epsilon)
//! ```
//!
//! Each step is three fused passes per variable (four with AMSGrad): no
//! temporaries are allocated on the CPU.
//!
//! ```
//! use keraslike::optimizers::{Adam, Optimizer};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32, -1.0], &[2])?);
//! let mut opt = Adam::new(0.001); // = Adam::default(): Keras' defaults
//! assert_eq!(opt.get_config()["beta_2"], 0.999);
//! opt.apply_gradients(&[Tensor::new(&[0.5f32, -3.0], &[2])?], &[w.clone()])?;
//! // The first Adam step moves each weight by about lr against its gradient's sign.
//! let got = w.to_vec::<f32>()?;
//! assert!((got[0] - 0.999).abs() < 1e-5 && (got[1] + 0.999).abs() < 1e-5);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, optimizer_type, Core, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::{train::AdamStep, Variable};

optimizer_type! {
    /// The Adam optimizer (`keras.optimizers.Adam`).
    Adam,
    /// The config of [`Adam`] (`keras.optimizers.Adam(...).get_config()`).
    AdamConfig {
        class: "Adam",
        name: "adam",
        learning_rate: 0.001,
        weight_decay: None,
        fields: {
            /// Decay of the first-moment estimate, in `[0, 1)` (default 0.9).
            beta_1: f64 = 0.9,
            /// Decay of the second-moment estimate, in `[0, 1)` (default 0.999).
            beta_2: f64 = 0.999,
            /// Added to `sqrt(v)` for stability (default 1e-7).
            epsilon: f64 = 1e-7,
            /// Use the AMSGrad variant (default false).
            amsgrad: bool = false,
        }
    }
}

/// Adam's hyper-parameters, shared with [`AdamW`](super::AdamW).
#[derive(Clone, Copy)]
pub(crate) struct AdamRule {
    pub beta_1: f64,
    pub beta_2: f64,
    pub epsilon: f64,
    pub amsgrad: bool,
}

impl AdamRule {
    pub fn validate(&self, class: &str) -> Result<()> {
        for (what, b) in [("beta_1", self.beta_1), ("beta_2", self.beta_2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(Error::arg(format!("{class}: {what} must be in [0, 1), got {b}")));
            }
        }
        if !(self.epsilon >= 0.0 && self.epsilon.is_finite()) {
            return Err(Error::arg(format!(
                "{class}: epsilon must be >= 0, got {}",
                self.epsilon
            )));
        }
        Ok(())
    }

    /// Keras' order: momentum and velocity per variable, then (AMSGrad)
    /// every velocity_hat.
    pub fn slot_groups(&self) -> SlotGroups {
        let mut groups = vec![vec![("momentum", 0.0), ("velocity", 0.0)]];
        if self.amsgrad {
            groups.push(vec![("velocity_hat", 0.0)]);
        }
        groups
    }

    pub fn update(
        &self,
        core: &Core,
        grads: &[Grad],
        vars: &[Variable],
        pos: &[usize],
        lr: f64,
        keep: f64,
    ) -> Result<()> {
        let t = (core.iterations + 1) as f64;
        let (b1, b2, eps, ams) = (self.beta_1, self.beta_2, self.epsilon, self.amsgrad);
        let alpha = lr * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
        for ((g, w), &i) in grads.iter().zip(vars).zip(pos) {
            let s = core.slots(i);
            let (m, v) = (&s[0], &s[1]);
            if !ams {
                // The whole step in one fused pass (m, v, then w).
                let step = AdamStep {
                    lr_t: alpha,
                    beta_1: b1,
                    beta_2: b2,
                    epsilon: eps,
                    grad_scale: g.scale,
                    keep,
                };
                w.assign_adam(m, v, &g.g, &step)?;
                continue;
            }
            // m = b1 m + (1 - b1) s g and v = b2 v + (1 - b2) s² g², s the clip scale.
            m.assign_axpby(b1, (1.0 - b1) * g.scale, &g.g)?;
            v.assign_axpby_square(b2, (1.0 - b2) * g.scale * g.scale, &g.g)?;
            let vh = &s[2];
            vh.assign(&vh.maximum(v)?)?;
            w.assign_add_ratio(keep, -alpha, m, vh, 0.0, eps)?;
        }
        Ok(())
    }
}

impl Adam {
    fn rule(&self) -> AdamRule {
        let c = &self.config;
        AdamRule {
            beta_1: c.beta_1,
            beta_2: c.beta_2,
            epsilon: c.epsilon,
            amsgrad: c.amsgrad,
        }
    }

    fn validate_hyper(&self) -> Result<()> {
        self.rule().validate(Self::CLASS)
    }

    fn slot_groups(&self) -> SlotGroups {
        self.rule().slot_groups()
    }

    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        self.rule().update(&self.core, grads, vars, pos, lr, keep)
    }
}

impl_optimizer!(Adam);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
pub(crate) mod tests {
    use super::*;
    use crate::optimizers::{Optimizer, SGD};
    use tensorlow::Tensor;

    /// Adam by hand in f64, Keras 3's formulas, for `n` steps of constant `g`.
    fn by_hand(w0: f64, g: f64, n: usize, amsgrad: bool, wd: f64) -> f64 {
        let (lr, b1, b2, eps) = (0.001f64, 0.9f64, 0.999f64, 1e-7);
        let (mut w, mut m, mut v, mut vh) = (w0, 0.0, 0.0, 0.0);
        for t in 1..=n {
            let t = t as f64;
            w -= w * wd * lr;
            let alpha = lr * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
            m += (g - m) * (1.0 - b1);
            v += (g * g - v) * (1.0 - b2);
            vh = f64::max(vh, v);
            let den = if amsgrad { vh } else { v };
            w -= alpha * m / (den.sqrt() + eps);
        }
        w
    }

    #[test]
    fn three_steps_match_the_formula() -> Result<()> {
        let w = Variable::new("w", Tensor::new(&[0.5f64, -1.0], &[2])?);
        let mut opt = Adam::default();
        let gs = [0.3, -2.0];
        for step in 1..=3 {
            opt.apply_gradients(&[Tensor::new(&gs, &[2])?], &[w.clone()])?;
            let got = w.to_vec::<f64>()?;
            assert!((got[0] - by_hand(0.5, 0.3, step, false, 0.0)).abs() < 1e-12);
            assert!((got[1] - by_hand(-1.0, -2.0, step, false, 0.0)).abs() < 1e-12);
        }
        Ok(())
    }

    #[test]
    fn amsgrad_keeps_the_max_second_moment() -> Result<()> {
        // A large gradient then small ones: v decays, v_hat must not.
        let w = Variable::new("w", Tensor::new(&[0.0f64], &[1])?);
        let w2 = Variable::new("w2", Tensor::new(&[0.0f64], &[1])?);
        let mut ams = Adam::default().amsgrad(true);
        let mut plain = Adam::default();
        let (mut wa, mut m, mut v, mut vh) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for (t, g) in [10.0f64, 0.1, 0.1, 0.1].into_iter().enumerate() {
            let gt = [Tensor::new(&[g], &[1])?];
            ams.apply_gradients(&gt, &[w.clone()])?;
            plain.apply_gradients(&gt, &[w2.clone()])?;
            let t = (t + 1) as f64;
            let alpha = 0.001 * (1.0 - 0.999f64.powf(t)).sqrt() / (1.0 - 0.9f64.powf(t));
            m += (g - m) * 0.1;
            v += (g * g - v) * 0.001;
            vh = vh.max(v);
            wa -= alpha * m / (vh.sqrt() + 1e-7);
        }
        assert!((w.to_vec::<f64>()?[0] - wa).abs() < 1e-12);
        assert!(w.to_vec::<f64>()?[0] != w2.to_vec::<f64>()?[0]);
        assert_eq!(ams.variables().len(), 3);
        Ok(())
    }

    #[test]
    fn state_is_created_once() -> Result<()> {
        let w = Variable::new("w", Tensor::new(&[1.0f32; 6], &[2, 3])?);
        let b = Variable::new("b", Tensor::new(&[1.0f32; 3], &[3])?);
        let mut opt = Adam::default();
        let grads = [
            Tensor::ones(&[2, 3], tensorlow::DType::F32, &w.device())?,
            Tensor::new(&[1.0f32; 3], &[3])?,
        ];
        for _ in 0..50 {
            opt.apply_gradients(&grads, &[w.clone(), b.clone()])?;
        }
        let vars = opt.variables();
        assert_eq!(vars.len(), 4);
        assert!(vars.iter().all(|v| !v.trainable()));
        assert_eq!(vars[0].name(), "adam/w_momentum");
        assert_eq!(opt.iterations(), 50);
        Ok(())
    }

    #[test]
    fn clipping_options() -> Result<()> {
        let g = Tensor::new(&[3.0f64, 4.0], &[2])?; // norm 5
        let g2 = Tensor::new(&[0.0f64, 12.0], &[2])?; // norm 12; joint norm 13
        let run = |clip: fn(SGD) -> SGD| -> Result<(Vec<f64>, Vec<f64>)> {
            let (a, b) = (
                Variable::new("a", Tensor::new(&[0.0f64; 2], &[2])?),
                Variable::new("b", Tensor::new(&[0.0f64; 2], &[2])?),
            );
            clip(SGD::new(1.0)).apply_gradients(&[g.clone(), g2.clone()], &[a.clone(), b.clone()])?;
            Ok((a.to_vec::<f64>()?, b.to_vec::<f64>()?))
        };
        let close = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-12);
        // clipnorm 1: each gradient scaled to unit norm.
        let (a, b) = run(|o| o.clipnorm(1.0))?;
        assert!(close(&a, &[-0.6, -0.8]) && close(&b, &[0.0, -1.0]), "{a:?} {b:?}");
        // clipnorm larger than the norm: unchanged.
        let (a, _) = run(|o| o.clipnorm(100.0))?;
        assert!(close(&a, &[-3.0, -4.0]));
        // global_clipnorm 1.3: everything scaled by 0.1.
        let (a, b) = run(|o| o.global_clipnorm(1.3))?;
        assert!(close(&a, &[-0.3, -0.4]) && close(&b, &[0.0, -1.2]), "{a:?} {b:?}");
        // clipvalue 3.5: elementwise.
        let (a, b) = run(|o| o.clipvalue(3.5))?;
        assert!(close(&a, &[-3.0, -3.5]) && close(&b, &[0.0, -3.5]));
        // Two at once is an error, as in Keras, raised when the optimizer is built.
        let err = run(|o| o.clipvalue(1.0).clipnorm(1.0)).unwrap_err().to_string();
        assert!(err.contains("clipnorm and clipvalue"), "{err}");
        assert!(SGD::new(1.0).clipvalue(1.0).clipnorm(1.0).validate().is_err());
        // Adam folds the clip scale into its moments: clipnorm 1 on g equals Adam on g/5.
        let w1 = Variable::new("w1", Tensor::new(&[1.0f64, 1.0], &[2])?);
        let w2 = Variable::new("w2", Tensor::new(&[1.0f64, 1.0], &[2])?);
        let mut clipped = Adam::default().clipnorm(1.0);
        let mut plain = Adam::default();
        for _ in 0..3 {
            clipped.apply_gradients(&[g.clone()], &[w1.clone()])?;
            plain.apply_gradients(&[(&g * 0.2)?], &[w2.clone()])?;
        }
        assert!(close(&w1.to_vec::<f64>()?, &w2.to_vec::<f64>()?));
        Ok(())
    }

    /// Per-step cost of Adam on a 784x512 kernel, fused vs. the same
    /// update written with ordinary ops. Timing only (no assertion on
    /// speed): `cargo test -p keraslike --release --lib adam_step_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn adam_step_timing() -> Result<()> {
        use tensorlow::{random, DType};
        let shape = [784, 512];
        let w = Variable::new("kernel", random::normal(&shape, 0.0, 0.05, DType::F32, Some(1))?);
        let g = random::normal(&shape, 0.0, 0.01, DType::F32, Some(2))?;
        let mut opt = Adam::default();
        let n = 200;
        let grads = [g.clone()];
        let vars = [w.clone()];
        for _ in 0..10 {
            opt.apply_gradients(&grads, &vars)?;
        }
        let t0 = std::time::Instant::now();
        for _ in 0..n {
            opt.apply_gradients(&grads, &vars)?;
        }
        let fused = t0.elapsed().as_secs_f64() / n as f64;
        // The unfused reference: Keras' formula op by op, then assign.
        let m = Variable::non_trainable("m", g.zeros_like()?);
        let v = Variable::non_trainable("v", g.zeros_like()?);
        let t0 = std::time::Instant::now();
        for _ in 0..n {
            tensorlow::no_grad(|| -> Result<()> {
                m.assign_add(&(g.sub(&m)?.affine(0.1, 0.0)?))?;
                v.assign_add(&(g.square()?.sub(&v)?.affine(0.001, 0.0)?))?;
                w.assign_sub(&m.affine(0.001, 0.0)?.div(&v.sqrt()?.affine(1.0, 1e-7)?)?)?;
                Ok(())
            })?;
        }
        let naive = t0.elapsed().as_secs_f64() / n as f64;
        println!(
            "Adam step on 784x512 f32: fused {:.1} us, op-by-op {:.1} us",
            fused * 1e6,
            naive * 1e6
        );
        // Tiny variables: per-step overhead dominates.
        let small: Vec<Variable> = (0..4)
            .map(|i| Variable::new(format!("s{i}"), Tensor::ones(&[4, 5], DType::F32, &w.device()).unwrap()))
            .collect();
        let sg: Vec<Tensor> = small.iter().map(|v| v.affine(0.1, 0.0).unwrap()).collect();
        let mut opt = Adam::default();
        opt.apply_gradients(&sg, &small)?;
        let t0 = std::time::Instant::now();
        for _ in 0..2000 {
            opt.apply_gradients(&sg, &small)?;
        }
        println!(
            "Adam step on 4 variables of 4x5: {:.1} us",
            t0.elapsed().as_secs_f64() / 2000.0 * 1e6
        );
        Ok(())
    }

    pub(crate) fn adam_by_hand(w0: f64, g: f64, n: usize, wd: f64) -> f64 {
        by_hand(w0, g, n, false, wd)
    }
}
