//! `LayerNormalization`: normalizes each sample over its feature axes
//! (`keras.layers.LayerNormalization`).
//!
//! `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`, with the mean and
//! (population) variance of each sample over `axis` (default the last),
//! the same in training and inference. It is composed from tensorlow ops,
//! so second-order gradients work through it.
//!
//! ```
//! use keraslike::layers::{BuildContext, Layer, LayerNormalization};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut ln = LayerNormalization::new().epsilon(0.0);
//! ln.build(&[2], &BuildContext::default())?;
//! let y = ln.call(&Tensor::new(&[1.0f32, 3.0, -5.0, 5.0], &[2, 2])?, false)?;
//! assert_eq!(y.to_vec::<f32>()?, vec![-1.0, 1.0, -1.0, 1.0]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::{de, parse_config};
use super::{batch_shape_str, shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::initializers::Initializer;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// LayerNormalization's configuration with Keras' field names and defaults
/// (`LayerNormalization.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it. Keras' other fields
/// (initializers, `rms_scaling`, ...) are ignored when read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayerNormalizationConfig {
    /// The layer's name (a fresh `layer_normalization_N` when empty).
    pub name: String,
    /// The normalized axes of the batched input (default `[-1]`; one
    /// integer reads too).
    #[serde(deserialize_with = "de::one_or_many")]
    pub axis: Vec<isize>,
    /// Added to the variance before the square root (default 1e-3).
    pub epsilon: f64,
    /// Whether to add the learned offset `beta` (default true).
    pub center: bool,
    /// Whether to multiply by the learned `gamma` (default true).
    pub scale: bool,
}

impl Default for LayerNormalizationConfig {
    fn default() -> Self {
        LayerNormalizationConfig {
            name: String::new(),
            axis: vec![-1],
            epsilon: 1e-3,
            center: true,
            scale: true,
        }
    }
}
use tensorlow::{nn, Tensor, Variable};

/// Layer normalization over one or more feature axes.
#[derive(Debug)]
pub struct LayerNormalization {
    name: String,
    axis: Vec<isize>,
    epsilon: f64,
    center: bool,
    scale: bool,
    state: Option<State>,
}

#[derive(Debug)]
struct State {
    input_shape: Vec<usize>,
    /// Normalized axes of the batched input, sorted.
    axes: Vec<isize>,
    /// Full-rank shape the parameters are viewed as (1 on other axes).
    bshape: Vec<usize>,
    gamma: Option<Variable>,
    beta: Option<Variable>,
}

impl LayerNormalization {
    /// Keras' defaults: `axis = -1`, `epsilon = 1e-3`, `center` and `scale`
    /// on. Named `layer_normalization`, `..._1`, ...
    pub fn new() -> Self {
        LayerNormalization {
            name: unique_name("layer_normalization"),
            axis: vec![-1],
            epsilon: 1e-3,
            center: true,
            scale: true,
            state: None,
        }
    }

    /// The normalized axis of the batched input (default -1).
    pub fn axis(mut self, axis: isize) -> Self {
        self.axis = vec![axis];
        self
    }
    /// Several normalized axes, e.g. `&[-2, -1]`.
    pub fn axes(mut self, axes: &[isize]) -> Self {
        self.axis = axes.to_vec();
        self
    }
    /// Added to the variance before the square root (default 1e-3).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }
    /// Whether to add the learned offset `beta` (default true).
    pub fn center(mut self, center: bool) -> Self {
        self.center = center;
        self
    }
    /// Whether to multiply by the learned `gamma` (default true).
    pub fn scale(mut self, scale: bool) -> Self {
        self.scale = scale;
        self
    }
    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

impl Default for LayerNormalization {
    fn default() -> Self {
        Self::new()
    }
}

impl Layer for LayerNormalization {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "LayerNormalization"
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        let name = &self.name;
        if self.epsilon < 0.0 {
            return Err(Error::arg(format!(
                "LayerNormalization {name:?}: epsilon must be >= 0, got {}",
                self.epsilon
            )));
        }
        let rank = input_shape.len() + 1;
        let mut axes = Vec::new();
        for &a in &self.axis {
            let r = if a < 0 { a + rank as isize } else { a };
            if r < 1 || r >= rank as isize || axes.contains(&r) {
                return Err(Error::arg(format!(
                    "LayerNormalization {name:?}: axis {:?} is invalid for inputs of shape {} (axis 0 is the \
                     batch; no repeats)",
                    self.axis,
                    batch_shape_str(input_shape)
                )));
            }
            axes.push(r);
        }
        if axes.is_empty() {
            return Err(Error::arg(format!(
                "LayerNormalization {name:?}: axis must name at least one axis"
            )));
        }
        axes.sort_unstable();
        let full: Vec<usize> = std::iter::once(1).chain(input_shape.iter().copied()).collect();
        let bshape: Vec<usize> = (0..rank)
            .map(|i| if axes.contains(&(i as isize)) { full[i] } else { 1 })
            .collect();
        // Keras' parameter shape: the sizes of the normalized axes.
        let pshape: Vec<usize> = axes.iter().map(|&a| full[a as usize]).collect();
        let make = |n: &str, init: Initializer| -> Result<Variable> {
            Ok(Variable::new(
                format!("{name}/{n}"),
                init.init(&pshape, ctx.dtype, &ctx.device)?,
            ))
        };
        let gamma = if self.scale {
            Some(make("gamma", Initializer::ones())?)
        } else {
            None
        };
        let beta = if self.center {
            Some(make("beta", Initializer::zeros())?)
        } else {
            None
        };
        self.state = Some(State {
            input_shape: input_shape.to_vec(),
            axes,
            bshape,
            gamma,
            beta,
        });
        Ok(())
    }

    fn built(&self) -> bool {
        self.state.is_some()
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        let st = self.state.as_ref().ok_or_else(|| {
            Error::NotReady(format!(
                "LayerNormalization {:?} is not built: call build(input_shape) or build the model",
                self.name
            ))
        })?;
        let ok = x.rank() == st.bshape.len() && st.axes.iter().all(|&a| x.shape()[a as usize] == st.bshape[a as usize]);
        if !ok {
            return Err(Error::shape(format!(
                "LayerNormalization {:?} expects input of shape {}, got {}",
                self.name,
                batch_shape_str(&st.input_shape),
                shape_str(x.shape())
            )));
        }
        let dtype = st
            .gamma
            .as_ref()
            .or(st.beta.as_ref())
            .map(|v| v.dtype())
            .unwrap_or(x.dtype());
        let cast;
        let x = if x.dtype() != dtype {
            cast = x.cast(dtype)?;
            &cast
        } else {
            x
        };
        let (mean, var) = nn::moments(x, &st.axes, true)?;
        // As Keras 3: inv = gamma / sqrt(var + eps); y = x * inv + (beta - mean * inv).
        let mut inv = var.affine(1.0, self.epsilon)?.rsqrt()?;
        if let Some(g) = &st.gamma {
            inv = inv.mul(&g.reshape(&st.bshape)?)?;
        }
        let mut res = mean.mul(&inv)?.neg()?;
        if let Some(b) = &st.beta {
            res = res.add(&b.reshape(&st.bshape)?)?;
        }
        Ok(x.mul(&inv)?.add(&res)?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        self.state
            .iter()
            .flat_map(|s| s.gamma.iter().chain(s.beta.iter()).cloned())
            .collect()
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        if let Some(s) = self.state.as_mut() {
            for v in s.gamma.iter_mut().chain(s.beta.iter_mut()) {
                f(v)?;
            }
        }
        Ok(())
    }

    fn supports_masking(&self) -> bool {
        true
    }

    fn get_config(&self) -> serde_json::Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl LayerNormalization {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> LayerNormalizationConfig {
        LayerNormalizationConfig {
            name: self.name.clone(),
            axis: self.axis.clone(),
            epsilon: self.epsilon,
            center: self.center,
            scale: self.scale,
        }
    }

    /// A layer from its configuration (bad axes are reported by `build`).
    pub fn from_layer_normalization_config(c: LayerNormalizationConfig) -> Result<Self> {
        let mut l = LayerNormalization::new()
            .axes(&c.axis)
            .epsilon(c.epsilon)
            .center(c.center)
            .scale(c.scale);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for LayerNormalization {
    const CLASS_NAME: &'static str = "LayerNormalization";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        LayerNormalization::from_layer_normalization_config(parse_config("LayerNormalization", c)?)
    }
}

/// Keras 3.15's `LayerNormalization.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("axis", Opt::Used),
    ("epsilon", Opt::Used),
    ("center", Opt::Used),
    ("scale", Opt::Used),
    ("rms_scaling", Opt::Is("false")),
    ("beta_initializer", Opt::Init),
    ("gamma_initializer", Opt::Init),
    ("beta_regularizer", Opt::Null),
    ("gamma_regularizer", Opt::Null),
    ("beta_constraint", Opt::Null),
    ("gamma_constraint", Opt::Null),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use tensorlow::{DType, Device};

    fn ctx64() -> BuildContext {
        BuildContext {
            device: Device::cpu(),
            dtype: DType::F64,
        }
    }

    #[test]
    fn each_row_is_normalized_then_scaled_and_shifted() {
        let mut ln = LayerNormalization::new();
        ln.build(&[4], &ctx64()).unwrap();
        let w = ln.trainable_weights();
        assert_eq!(w.len(), 2);
        w[0].assign(&Tensor::new(&[1.0f64, 2.0, 3.0, 4.0], &[4]).unwrap())
            .unwrap();
        w[1].assign(&Tensor::new(&[0.5f64, 0.0, -0.5, 1.0], &[4]).unwrap())
            .unwrap();
        let v = [1.0f64, 2.0, 4.0, 9.0, -3.0, 0.0, 3.0, 6.0];
        let y = ln
            .call(&Tensor::new(&v, &[2, 4]).unwrap(), true)
            .unwrap()
            .to_vec::<f64>()
            .unwrap();
        let (g, b) = ([1.0, 2.0, 3.0, 4.0], [0.5, 0.0, -0.5, 1.0]);
        for r in 0..2 {
            let row = &v[r * 4..r * 4 + 4];
            let m = row.iter().sum::<f64>() / 4.0;
            let var = row.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 4.0;
            for j in 0..4 {
                let want = (row[j] - m) / (var + 1e-3).sqrt() * g[j] + b[j];
                assert!(
                    (y[r * 4 + j] - want).abs() < 1e-12,
                    "y[{r}][{j}] = {}, want {want}",
                    y[r * 4 + j]
                );
            }
        }
    }

    #[test]
    fn several_axes_normalize_each_sample_as_a_whole() {
        let mut ln = LayerNormalization::new()
            .axes(&[-1, 1])
            .epsilon(0.0)
            .center(false)
            .scale(false);
        ln.build(&[2, 3], &ctx64()).unwrap();
        let v: Vec<f64> = (0..12).map(|i| (i * i % 7) as f64).collect();
        let y = ln
            .call(&Tensor::new(&v, &[2, 2, 3]).unwrap(), false)
            .unwrap()
            .to_vec::<f64>()
            .unwrap();
        for s in 0..2 {
            let chunk = &y[s * 6..s * 6 + 6];
            let m = chunk.iter().sum::<f64>() / 6.0;
            let var = chunk.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 6.0;
            assert!(
                m.abs() < 1e-12 && (var - 1.0).abs() < 1e-12,
                "sample {s}: mean {m}, var {var}"
            );
        }
    }

    #[test]
    fn shape_errors_name_the_layer() {
        let mut ln = LayerNormalization::new().name("ln");
        ln.build(&[4], &ctx64()).unwrap();
        let err = ln
            .call(&Tensor::zeros(&[10, 3], DType::F64, &Device::cpu()).unwrap(), false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "LayerNormalization \"ln\" expects input of shape (batch, 4), got (10, 3)"
        );
        assert!(LayerNormalization::new().axis(0).build(&[4], &ctx64()).is_err());
    }
}
