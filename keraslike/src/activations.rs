//! Activation functions (`keras.activations`), by name or by value.
//!
//! Each one is a differentiable composition of tensorlow ops, with Keras 3's
//! defaults: `leaky_relu` has `negative_slope = 0.2`, `elu` has `alpha = 1`,
//! `gelu` is the exact `x Φ(x)` (`approximate = false`), `hard_sigmoid` is
//! `relu6(x + 3) / 6`, and `softmax` normalizes the last axis.
//!
//! In a config an activation is its Keras name (`"relu"`), as Keras writes
//! it in a layer config; [`serialize`]/[`deserialize`] (and `Activation`'s
//! `Serialize`/`Deserialize`) convert, and an unknown name suggests the
//! closest known one.
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

use crate::saving::registry::{lowercase, Entry, Registry};
use crate::saving::{config_from_value, config_to_value, read_object};
use crate::Result;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;
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

/// The config of `elu` with a non-default `alpha`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EluConfig {
    /// Saturation value for negative inputs (default 1).
    pub alpha: f64,
}

impl Default for EluConfig {
    fn default() -> Self {
        EluConfig { alpha: 1.0 }
    }
}

/// The config of `gelu`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeluConfig {
    /// The tanh approximation (default false: exact).
    pub approximate: bool,
}

/// The config of `leaky_relu`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeakyReluConfig {
    /// Slope for negative inputs (default 0.2).
    pub negative_slope: f64,
}

impl Default for LeakyReluConfig {
    fn default() -> Self {
        LeakyReluConfig { negative_slope: 0.2 }
    }
}

/// The (empty) config of the activations without arguments.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoConfig {}

impl Activation {
    /// The arguments (`{"alpha": ..}` for `elu`, `{"approximate": ..}` for
    /// `gelu`, `{"negative_slope": ..}` for `leaky_relu`, `{}` otherwise).
    pub fn config(&self) -> Value {
        match *self {
            Activation::Elu { alpha } => config_to_value(&EluConfig { alpha }),
            Activation::Gelu { approximate } => config_to_value(&GeluConfig { approximate }),
            Activation::LeakyRelu { negative_slope } => config_to_value(&LeakyReluConfig { negative_slope }),
            _ => config_to_value(&NoConfig {}),
        }
    }

    /// Whether the arguments are Keras' defaults, so the name alone says it all.
    fn has_default_arguments(&self) -> bool {
        match *self {
            Activation::Elu { alpha } => alpha == 1.0,
            Activation::Gelu { approximate } => !approximate,
            Activation::LeakyRelu { negative_slope } => negative_slope == 0.2,
            _ => true,
        }
    }
}

/// A registry entry for an activation without arguments.
fn plain(name: &'static str, aliases: &'static [&'static str], a: Activation) -> Entry<Activation> {
    Entry::builtin(name, aliases, move |c: &Value| {
        config_from_value::<NoConfig>(name, c)?;
        Ok(a)
    })
}

fn builtins() -> Vec<Entry<Activation>> {
    vec![
        plain("linear", &["none", ""], Activation::Linear),
        plain("relu", &[], Activation::Relu),
        plain("relu6", &[], Activation::Relu6),
        plain("sigmoid", &[], Activation::Sigmoid),
        plain("tanh", &[], Activation::Tanh),
        plain("softmax", &[], Activation::Softmax),
        plain("log_softmax", &[], Activation::LogSoftmax),
        Entry::builtin("elu", &[], |c: &Value| {
            Ok(Activation::Elu {
                alpha: config_from_value::<EluConfig>("elu", c)?.alpha,
            })
        }),
        plain("selu", &[], Activation::Selu),
        Entry::builtin("gelu", &[], |c: &Value| {
            Ok(Activation::Gelu {
                approximate: config_from_value::<GeluConfig>("gelu", c)?.approximate,
            })
        }),
        plain("softplus", &[], Activation::Softplus),
        plain("softsign", &[], Activation::Softsign),
        plain("swish", &["silu"], Activation::Swish),
        Entry::builtin("leaky_relu", &[], |c: &Value| {
            Ok(Activation::LeakyRelu {
                negative_slope: config_from_value::<LeakyReluConfig>("leaky_relu", c)?.negative_slope,
            })
        }),
        plain("hard_sigmoid", &[], Activation::HardSigmoid),
        plain("hard_silu", &["hard_swish"], Activation::HardSilu),
        plain("exponential", &[], Activation::Exponential),
        plain("mish", &[], Activation::Mish),
    ]
}

/// Names (case-insensitive) to activations.
static REGISTRY: Registry<Activation> = Registry::new("activation", "keras.activations", lowercase, builtins);

/// Registers another name for an activation: `factory` builds it from the
/// config under that name (an [`Activation`] is one of the built-in
/// functions, so a registered name maps onto one of them).
pub fn register_activation(name: &str, factory: impl Fn(&Value) -> Result<Activation> + Send + Sync + 'static) {
    REGISTRY.register(name, Arc::new(factory));
}

/// The activation as Keras writes it in a layer config: its name
/// (`"relu"`). One with non-default arguments, which a Keras name cannot
/// express, is written as
/// `{"module": "keraslike.activations", "class_name": "leaky_relu", "config": {"negative_slope": 0.5}, "registered_name": "keraslike>leaky_relu"}`
/// (Keras refuses it rather than loading a different function).
pub fn serialize(a: &Activation) -> Value {
    if a.has_default_arguments() {
        Value::String(a.name().to_string())
    } else {
        serde_json::json!({
            "module": "keraslike.activations",
            "class_name": a.name(),
            "config": a.config(),
            "registered_name": format!("keraslike>{}", a.name()),
        })
    }
}

/// The activation a name, Keras' function form
/// (`{"class_name": "function", "config": "relu", ..}`), a Keras 2
/// `{"class_name": "relu"}` or [`serialize`]'s object describes; `null`
/// is the identity (Keras' `activation=None`).
pub fn deserialize(v: &Value) -> Result<Activation> {
    if v.is_null() {
        return Ok(Activation::Linear);
    }
    REGISTRY.resolve(&read_object("activation", v)?)
}

/// The activation with Keras name `name`, with Keras 3's default arguments.
/// `None`-like names (`"linear"`, `""`, `"none"`) give the identity; an
/// unknown name suggests the closest known one.
///
/// ```
/// use keraslike::activations::{get, Activation};
/// assert_eq!(get("silu").unwrap(), Activation::Swish);
/// let err = get("rellu").unwrap_err().to_string();
/// assert!(err.contains("\"rellu\"") && err.contains("did you mean \"relu\""), "{err}");
/// ```
pub fn get(name: &str) -> Result<Activation> {
    deserialize(&Value::String(name.to_string()))
}

impl Serialize for Activation {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Activation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        deserialize(&v).map_err(serde::de::Error::custom)
    }
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

    #[test]
    fn keras_forms_read_and_write() {
        use serde_json::json;
        // Keras 3.15.1: `Dense(3, activation="relu").get_config()["activation"]`
        // is "relu"; `serialize_keras_object(keras.activations.relu)` is the
        // function form below.
        assert_eq!(serialize(&Activation::Relu), json!("relu"));
        let f =
            json!({"module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"});
        assert_eq!(deserialize(&f).unwrap(), Activation::Relu);
        assert_eq!(deserialize(&json!(null)).unwrap(), Activation::Linear);
        assert_eq!(deserialize(&json!({"class_name": "tanh"})).unwrap(), Activation::Tanh);
        // Non-default arguments survive a round trip (and through serde).
        let a = Activation::LeakyRelu { negative_slope: 0.5 };
        let v = serialize(&a);
        assert_eq!(v["config"], json!({"negative_slope": 0.5}));
        assert_eq!(deserialize(&v).unwrap(), a);
        let back: Activation = serde_json::from_value(serde_json::to_value(a).unwrap()).unwrap();
        assert_eq!(back, a);
        let bad = json!({"class_name": "elu", "config": {"alpha": 1.0, "beta": 2.0}});
        assert!(deserialize(&bad).unwrap_err().to_string().contains("beta"));
    }
}
