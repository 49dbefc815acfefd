//! `Dot`: the dot product of two inputs along given axes
//! (`keras.layers.Dot`), sample by sample.
//!
//! `axes` count on the batched inputs (0 is the batch): `Dot::new(&[1, 1])`
//! on `(batch, n)` inputs gives `(batch, 1)`; on `(batch, a, n)` and
//! `(batch, b, n)` with axes `[2, 2]` it gives `(batch, a, b)`. The output
//! keeps the remaining axes of the first input, then of the second, as
//! Keras' `batch_dot`. With `normalize`, both inputs are L2-normalized along
//! their axis first, so the result is the cosine similarity.
//!
//! ```
//! use keraslike::layers::{Dot, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let a = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! let b = Tensor::new(&[1.0f32, 1.0, 2.0, 0.0], &[2, 2])?;
//! let y = Dot::new(&[1, 1]).call_multi(&[a, b], &Default::default())?;
//! assert_eq!(y[0].shape(), &[2, 1]);
//! assert_eq!(y[0].to_vec::<f32>()?, vec![3.0, 6.0]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::{de, parse_config};
use super::{shape_str, unique_name, BuildContext, CallArgs, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::Tensor;

/// Dot's configuration with Keras' field names and defaults
/// (`Dot.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DotConfig {
    /// The layer's name (a fresh `dot_N` when empty).
    pub name: String,
    /// The axis of both inputs, or one per input (required; written as
    /// one integer when both are the same, as Keras takes it).
    #[serde(deserialize_with = "de::one_or_many", serialize_with = "de::many_or_one")]
    pub axes: Vec<isize>,
    /// L2-normalize both inputs along their axis first (default false).
    pub normalize: bool,
}

/// Sample-wise dot product of two inputs.
#[derive(Debug, Clone)]
pub struct Dot {
    name: String,
    axes: [isize; 2],
    normalize: bool,
    built: bool,
}

impl Dot {
    /// The dot product along `axes` (one axis for both inputs, or one per
    /// input). Named `dot`, `dot_1`, ...
    pub fn new(axes: &[isize]) -> Self {
        let axes = match axes {
            [a] => [*a, *a],
            [a, b] => [*a, *b],
            // Reported by build/call: keep a value that fails the range check.
            _ => [0, 0],
        };
        Dot {
            name: unique_name("dot"),
            axes,
            normalize: false,
            built: false,
        }
    }

    /// L2-normalize both inputs along their axis first (default false).
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = normalize;
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The two axes as indices into the batched shapes, and the output shape.
    fn plan(&self, shapes: &[Vec<usize>]) -> Result<(usize, usize, Vec<usize>)> {
        let [sx, sy] = shapes else {
            return Err(Error::arg(format!(
                "Dot {:?} takes exactly 2 inputs, got {}",
                self.name,
                shapes.len()
            )));
        };
        let resolve = |a: isize, rank: usize| -> Option<usize> {
            let full = rank as isize + 1;
            let a = if a < 0 { a + full } else { a };
            (a >= 1 && a < full).then_some(a as usize)
        };
        let (Some(ax), Some(ay)) = (resolve(self.axes[0], sx.len()), resolve(self.axes[1], sy.len())) else {
            return Err(Error::arg(format!(
                "Dot {:?}: axes {:?} are out of range for inputs of per-sample shapes {} and {} (axis 0 is the batch)",
                self.name,
                self.axes,
                shape_str(sx),
                shape_str(sy)
            )));
        };
        if sx[ax - 1] != sy[ay - 1] {
            return Err(Error::shape(format!(
                "Dot {:?}: axis {ax} of {} and axis {ay} of {} differ ({} vs {})",
                self.name,
                shape_str(sx),
                shape_str(sy),
                sx[ax - 1],
                sy[ay - 1]
            )));
        }
        let mut out: Vec<usize> = sx.iter().enumerate().filter(|&(i, _)| i != ax - 1).map(|(_, &d)| d).collect();
        out.extend(sy.iter().enumerate().filter(|&(i, _)| i != ay - 1).map(|(_, &d)| d));
        if out.is_empty() {
            out.push(1);
        }
        Ok((ax, ay, out))
    }
}

/// `x * rsqrt(max(sum(x²), ε²))` along `axis`, ε = 1e-7 (Keras'
/// `ops.normalize(x, axis, order=2)`).
fn l2_normalize(x: &Tensor, axis: usize) -> Result<Tensor> {
    let eps = crate::losses::EPSILON;
    let sq = x.square()?.sum(&[axis as isize], true)?;
    Ok(x.mul(&sq.clip_by_value(eps * eps, f64::INFINITY)?.rsqrt()?)?)
}

impl Layer for Dot {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Dot"
    }

    fn built(&self) -> bool {
        self.built
    }

    fn build_multi(&mut self, input_shapes: &[Vec<usize>], _ctx: &BuildContext) -> Result<()> {
        self.plan(input_shapes)?;
        self.built = true;
        Ok(())
    }

    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        Ok(vec![self.plan(input_shapes)?.2])
    }

    fn call_multi(&self, inputs: &[Tensor], _args: &CallArgs) -> Result<Vec<Tensor>> {
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|x| x.shape().get(1..).unwrap_or(&[]).to_vec()).collect();
        let (ax, ay, out) = self.plan(&shapes)?;
        let (mut x, mut y) = (inputs[0].clone(), inputs[1].clone());
        if self.normalize {
            x = l2_normalize(&x, ax)?;
            y = l2_normalize(&y, ay)?;
        }
        let b = x.shape()[0];
        let k = x.shape()[ax];
        // x: (B, ..., K) -> (B, P, K); y: (B, K, ...) -> (B, K, Q).
        let mut px: Vec<usize> = (0..x.rank()).filter(|&i| i != ax).collect();
        px.push(ax);
        let mut py = vec![0, ay];
        py.extend((1..y.rank()).filter(|&i| i != ay));
        let xp = x.permute(&px)?;
        let yp = y.permute(&py)?;
        let p = xp.elem_count() / (b * k).max(1);
        let q = yp.elem_count() / (b * k).max(1);
        let z = xp.reshape(&[b, p, k])?.matmul(&yp.reshape(&[b, k, q])?)?;
        let mut full = vec![b];
        full.extend(out);
        Ok(vec![z.reshape(&full)?])
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl Dot {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> DotConfig {
        let [a, b] = self.axes;
        DotConfig {
            name: self.name.clone(),
            axes: if a == b { vec![a] } else { vec![a, b] },
            normalize: self.normalize,
        }
    }

    /// A layer from its configuration: `axes` must be one or two axes.
    pub fn from_dot_config(c: DotConfig) -> Result<Self> {
        if c.axes.is_empty() || c.axes.len() > 2 {
            return Err(Error::arg(format!(
                "Dot config needs \"axes\": an integer or a list of two, got {:?}",
                c.axes
            )));
        }
        let mut l = Dot::new(&c.axes).normalize(c.normalize);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Dot {
    const CLASS_NAME: &'static str = "Dot";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Dot::from_dot_config(parse_config("Dot", c)?)
    }
}

/// Keras 3.15's `Dot.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("axes", Opt::Used),
    ("normalize", Opt::Used),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_products_and_cosines() {
        // (1, 2, 3) . (1, 2, 3) over axis 2 -> (1, 2, 2) = x @ y^T per sample.
        let x = Tensor::new(&[1.0f32, 0.0, 2.0, 0.0, 1.0, 1.0], &[1, 2, 3]).unwrap();
        let y = Tensor::new(&[1.0f32, 1.0, 1.0, 2.0, 0.0, 0.0], &[1, 2, 3]).unwrap();
        let z = Dot::new(&[2]).call_multi(&[x, y], &CallArgs::new(false)).unwrap();
        assert_eq!(z[0].shape(), &[1, 2, 2]);
        // rows of x: [1,0,2], [0,1,1]; rows of y: [1,1,1], [2,0,0]
        assert_eq!(z[0].to_vec::<f32>().unwrap(), vec![3.0, 2.0, 2.0, 0.0]);
        // Cosine of [3, 4] and [4, 3] = 24 / 25.
        let a = Tensor::new(&[3.0f64, 4.0], &[1, 2]).unwrap();
        let b = Tensor::new(&[4.0f64, 3.0], &[1, 2]).unwrap();
        let c = Dot::new(&[1]).normalize(true).call_multi(&[a, b], &CallArgs::new(false)).unwrap();
        assert!((c[0].to_vec::<f64>().unwrap()[0] - 0.96).abs() < 1e-12);
        let err = Dot::new(&[1]).name("d").compute_output_shapes(&[vec![2], vec![3]]).unwrap_err().to_string();
        assert!(err.contains("Dot \"d\"") && err.contains("(2 vs 3)"), "{err}");
    }

    #[test]
    fn applies_to_two_symbolic_inputs() {
        // Regression: the default one-input mask rule made every functional
        // Dot fail with "takes exactly one input, got 2".
        let a = crate::layers::Input::new(&[3]);
        let b = crate::layers::Input::new(&[3]);
        let z = Dot::new(&[1]).apply([&a.tensor(), &b.tensor()]).unwrap();
        assert_eq!(z.shape(), &[1]);
    }
}
