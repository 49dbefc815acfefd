//! Keras names and serialized configs of [`Initializer`]s.

use super::{Distribution, FanMode, Initializer};
use serde_json::json;

impl Initializer {
    /// The Keras class name, e.g. `"GlorotUniform"`.
    pub fn class_name(&self) -> &'static str {
        match self {
            Initializer::Zeros => "Zeros",
            Initializer::Ones => "Ones",
            Initializer::Constant(_) => "Constant",
            Initializer::RandomUniform { .. } => "RandomUniform",
            Initializer::RandomNormal { .. } => "RandomNormal",
            Initializer::TruncatedNormal { .. } => "TruncatedNormal",
            Initializer::Orthogonal { .. } => "Orthogonal",
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                ..
            } => match (*scale, *mode, *distribution) {
                (1.0, FanMode::FanAvg, Distribution::Uniform) => "GlorotUniform",
                (1.0, FanMode::FanAvg, Distribution::TruncatedNormal) => "GlorotNormal",
                (2.0, FanMode::FanIn, Distribution::Uniform) => "HeUniform",
                (2.0, FanMode::FanIn, Distribution::TruncatedNormal) => "HeNormal",
                (1.0, FanMode::FanIn, Distribution::Uniform) => "LecunUniform",
                (1.0, FanMode::FanIn, Distribution::TruncatedNormal) => "LecunNormal",
                _ => "VarianceScaling",
            },
        }
    }

    /// Keras' serialized form: `{"class_name": ..., "config": {...}}`.
    pub fn get_config(&self) -> serde_json::Value {
        let config = match *self {
            Initializer::Zeros | Initializer::Ones => json!({}),
            Initializer::Constant(value) => json!({ "value": value }),
            Initializer::RandomUniform { minval, maxval, seed } => {
                json!({ "minval": minval, "maxval": maxval, "seed": seed })
            }
            Initializer::RandomNormal { mean, stddev, seed } | Initializer::TruncatedNormal { mean, stddev, seed } => {
                json!({ "mean": mean, "stddev": stddev, "seed": seed })
            }
            Initializer::Orthogonal { gain, seed } => json!({ "gain": gain, "seed": seed }),
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                seed,
            } => {
                if self.class_name() == "VarianceScaling" {
                    let mode = match mode {
                        FanMode::FanIn => "fan_in",
                        FanMode::FanOut => "fan_out",
                        FanMode::FanAvg => "fan_avg",
                    };
                    let distribution = match distribution {
                        Distribution::TruncatedNormal => "truncated_normal",
                        Distribution::UntruncatedNormal => "untruncated_normal",
                        Distribution::Uniform => "uniform",
                    };
                    json!({ "scale": scale, "mode": mode, "distribution": distribution, "seed": seed })
                } else {
                    json!({ "seed": seed })
                }
            }
        };
        json!({ "class_name": self.class_name(), "config": config })
    }
}
