//! Activation functions (`keras.activations`), by name or by value.
//!
//! Each one is a differentiable composition of tensorlow ops, with Keras 3's
//! defaults: `leaky_relu` has `negative_slope = 0.2`, `elu` has `alpha = 1`,
//! `gelu` is the exact `x Φ(x)` (`approximate = false`), `hard_sigmoid` is
//! `relu6(x + 3) / 6`, and `softmax` normalizes the last axis.
//!
//! ```
//! use keraslike::activations::{self, Activation};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let x = Tensor::new(&[-1.0f32, 0.0, 2.0], &[3])?;
//! assert_eq!(activations::get("relu")?.apply(&x)?.to_vec::<f32>()?, vec![0.0, 0.0, 2.0]);
//! let y = Activation::LeakyRelu { negative_slope: 0.2 }.apply(&x)?;
//! assert_eq!(y.to_vec::<f32>()?, vec![-0.2, 0.0, 2.0]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};
use tensorlow::{nn, Tensor};

/// An activation function. [`Activation::name`] gives its Keras name and
/// [`get`] the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Activation {
    /// The identity (`"linear"`; the default of `Dense`).
    #[default]
    Linear,
    /// `max(x, 0)`.
    Relu,
    /// `min(max(x, 0), 6)`.
    Relu6,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// `e^x / sum(e^x)` over the last axis.
    Softmax,
    /// `x - logsumexp(x)` over the last axis.
    LogSoftmax,
    /// `x` for `x > 0`, `alpha (e^x - 1)` otherwise (Keras default alpha 1).
    Elu {
        /// Saturation value for negative inputs.
        alpha: f64,
    },
    /// Scaled ELU with the self-normalizing constants.
    Selu,
    /// Gaussian error linear unit; `approximate` picks the tanh form.
    Gelu {
        /// `false` (Keras' default): exact `x Φ(x)`.
        approximate: bool,
    },
    /// `log(1 + e^x)`.
    Softplus,
    /// `x / (1 + |x|)`.
    Softsign,
    /// `x * sigmoid(x)` (`"swish"` or `"silu"`).
    Swish,
    /// `x` for `x > 0`, `negative_slope * x` otherwise (Keras 3 default 0.2).
    LeakyRelu {
        /// Slope for negative inputs.
        negative_slope: f64,
    },
    /// `relu6(x + 3) / 6` (Keras 3's definition).
    HardSigmoid,
    /// `x * hard_sigmoid(x)` (`"hard_silu"` or `"hard_swish"`).
    HardSilu,
    /// `e^x`.
    Exponential,
    /// `x * tanh(softplus(x))`.
    Mish,
}

impl Activation {
    /// Applies the function element-wise (softmax: along the last axis).
    pub fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let y = match *self {
            Activation::Linear => x.clone(),
            Activation::Relu => x.relu()?,
            Activation::Relu6 => x.relu6()?,
            Activation::Sigmoid => x.sigmoid()?,
            Activation::Tanh => x.tanh()?,
            Activation::Softmax => nn::softmax(x, -1)?,
            Activation::LogSoftmax => nn::log_softmax(x, -1)?,
            Activation::Elu { alpha } => x.elu(alpha)?,
            Activation::Selu => x.selu()?,
            Activation::Gelu { approximate } => x.gelu(approximate)?,
            Activation::Softplus => x.softplus()?,
            Activation::Softsign => x.softsign()?,
            Activation::Swish => x.swish()?,
            Activation::LeakyRelu { negative_slope } => x.leaky_relu(negative_slope)?,
            Activation::HardSigmoid => x.affine(1.0, 3.0)?.relu6()?.affine(1.0 / 6.0, 0.0)?,
            Activation::HardSilu => x.mul(&Activation::HardSigmoid.apply(x)?)?,
            Activation::Exponential => x.exp()?,
            Activation::Mish => x.mul(&x.softplus()?.tanh()?)?,
        };
        Ok(y)
    }

    /// The Keras name, e.g. `"leaky_relu"` (what `get_config` stores).
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Relu6 => "relu6",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
            Activation::LogSoftmax => "log_softmax",
            Activation::Elu { .. } => "elu",
            Activation::Selu => "selu",
            Activation::Gelu { .. } => "gelu",
            Activation::Softplus => "softplus",
            Activation::Softsign => "softsign",
            Activation::Swish => "swish",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::HardSigmoid => "hard_sigmoid",
            Activation::HardSilu => "hard_silu",
            Activation::Exponential => "exponential",
            Activation::Mish => "mish",
        }
    }
}

/// The activation with Keras name `name`, with Keras 3's default arguments.
/// `None`-like names (`"linear"`, `""`, `"none"`) give the identity.
///
/// ```
/// use keraslike::activations::{get, Activation};
/// assert_eq!(get("silu").unwrap(), Activation::Swish);
/// assert!(get("rellu").unwrap_err().to_string().contains("rellu"));
/// ```
pub fn get(name: &str) -> Result<Activation> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "linear" | "" | "none" => Activation::Linear,
        "relu" => Activation::Relu,
        "relu6" => Activation::Relu6,
        "sigmoid" => Activation::Sigmoid,
        "tanh" => Activation::Tanh,
        "softmax" => Activation::Softmax,
        "log_softmax" => Activation::LogSoftmax,
        "elu" => Activation::Elu { alpha: 1.0 },
        "selu" => Activation::Selu,
        "gelu" => Activation::Gelu { approximate: false },
        "softplus" => Activation::Softplus,
        "softsign" => Activation::Softsign,
        "swish" | "silu" => Activation::Swish,
        "leaky_relu" => Activation::LeakyRelu { negative_slope: 0.2 },
        "hard_sigmoid" => Activation::HardSigmoid,
        "hard_silu" | "hard_swish" => Activation::HardSilu,
        "exponential" => Activation::Exponential,
        "mish" => Activation::Mish,
        _ => {
            return Err(Error::arg(format!(
                "unknown activation {name:?}; use one of linear, relu, relu6, sigmoid, tanh, softmax, log_softmax, \
                 elu, selu, gelu, softplus, softsign, swish (silu), leaky_relu, hard_sigmoid, hard_silu, \
                 exponential, mish"
            )))
        }
    })
}

/// Anything a layer accepts as an activation: an [`Activation`] or a name.
pub trait IntoActivation {
    /// Resolves to an activation (a name may be unknown).
    fn into_activation(self) -> Result<Activation>;
}

impl IntoActivation for Activation {
    fn into_activation(self) -> Result<Activation> {
        Ok(self)
    }
}

impl IntoActivation for &str {
    fn into_activation(self) -> Result<Activation> {
        get(self)
    }
}

impl IntoActivation for String {
    fn into_activation(self) -> Result<Activation> {
        get(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XS: [f64; 9] = [-5.0, -2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.7, 6.5];

    fn apply(name: &str) -> Vec<f64> {
        let x = Tensor::new(&XS, &[XS.len()]).unwrap();
        get(name).unwrap().apply(&x).unwrap().to_vec::<f64>().unwrap()
    }

    /// Standard normal CDF from an independent erf: the Taylor series for
    /// small arguments, the continued fraction of erfc for large ones (both
    /// converge to f64 precision in their ranges).
    fn phi(x: f64) -> f64 {
        let z = x / std::f64::consts::SQRT_2;
        if z.abs() < 2.0 {
            // erf(z) = 2/sqrt(pi) * sum_n (-1)^n z^(2n+1) / (n! (2n+1))
            let (mut term, mut sum) = (z, z);
            for n in 1..100 {
                term *= -z * z / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            0.5 * (1.0 + sum * std::f64::consts::FRAC_2_SQRT_PI)
        } else {
            // erfc(a) = e^(-a²) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))), a = |z|
            let a = z.abs();
            let mut k = a;
            for n in (1..200).rev() {
                k = a + (n as f64 / 2.0) / k;
            }
            let erfc = (-a * a).exp() / std::f64::consts::PI.sqrt() / k;
            if z > 0.0 {
                1.0 - 0.5 * erfc
            } else {
                0.5 * erfc
            }
        }
    }

    fn check(name: &str, f: impl Fn(f64) -> f64) {
        for (x, y) in XS.iter().zip(apply(name)) {
            let want = f(*x);
            assert!(
                (y - want).abs() <= 1e-12 * (1.0 + want.abs()),
                "{name}({x}) = {y}, want {want}"
            );
        }
    }

    #[test]
    fn elementwise_activations_match_their_formulas() {
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        check("linear", |x| x);
        check("relu", |x| x.max(0.0));
        check("relu6", |x| x.clamp(0.0, 6.0));
        check("sigmoid", sig);
        check("tanh", f64::tanh);
        check("elu", |x| if x > 0.0 { x } else { x.exp() - 1.0 });
        let (a, s) = (1.673_263_242_354_377_3, 1.050_700_987_355_480_5);
        check("selu", |x| s * if x > 0.0 { x } else { a * (x.exp() - 1.0) });
        check("gelu", |x| x * phi(x));
        check("softplus", |x| (1.0 + x.exp()).ln());
        check("softsign", |x| x / (1.0 + x.abs()));
        check("swish", |x| x * sig(x));
        check("silu", |x| x * sig(x));
        check("leaky_relu", |x| if x > 0.0 { x } else { 0.2 * x });
        // Keras 3: relu6(x + 3) / 6, i.e. 0 below -3, 1 above 3.
        check("hard_sigmoid", |x| ((x + 3.0).clamp(0.0, 6.0)) / 6.0);
        check("hard_silu", |x| x * ((x + 3.0).clamp(0.0, 6.0)) / 6.0);
        check("exponential", f64::exp);
        check("mish", |x| x * (1.0 + x.exp()).ln().tanh());
    }

    #[test]
    fn approximate_gelu_uses_tanh_form() {
        let x = Tensor::new(&XS, &[XS.len()]).unwrap();
        let y = Activation::Gelu { approximate: true }
            .apply(&x)
            .unwrap()
            .to_vec::<f64>()
            .unwrap();
        let c = (2.0 / std::f64::consts::PI).sqrt();
        for (x, y) in XS.iter().zip(y) {
            let want = 0.5 * x * (1.0 + (c * (x + 0.044715 * x.powi(3))).tanh());
            assert!((y - want).abs() < 1e-12);
        }
    }

    #[test]
    fn softmax_normalizes_the_last_axis() {
        let x = Tensor::new(&[1.0f64, 2.0, 3.0, -1.0, 0.0, 5.0], &[2, 3]).unwrap();
        let y = get("softmax").unwrap().apply(&x).unwrap().to_vec2::<f64>().unwrap();
        for (row, xs) in y.iter().zip([[1.0f64, 2.0, 3.0], [-1.0, 0.0, 5.0]]) {
            let z: f64 = xs.iter().map(|v| v.exp()).sum();
            for (p, v) in row.iter().zip(xs) {
                assert!((p - v.exp() / z).abs() < 1e-12);
            }
        }
        let ls = get("log_softmax").unwrap().apply(&x).unwrap().to_vec2::<f64>().unwrap();
        assert!((ls[0][2] - (3.0 - (1f64.exp() + 2f64.exp() + 3f64.exp()).ln())).abs() < 1e-12);
    }

    #[test]
    fn names_round_trip_and_unknown_names_fail() {
        for name in [
            "linear",
            "relu",
            "sigmoid",
            "softmax",
            "elu",
            "gelu",
            "leaky_relu",
            "hard_sigmoid",
            "mish",
        ] {
            assert_eq!(get(name).unwrap().name(), name);
        }
        assert_eq!(get("silu").unwrap().name(), "swish");
        let err = get("sigmod").unwrap_err().to_string();
        assert!(err.contains("\"sigmod\"") && err.contains("sigmoid"), "{err}");
    }
}
