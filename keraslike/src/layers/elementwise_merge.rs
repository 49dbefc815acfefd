//! The element-wise merging layers (`keras.layers.Add`, `Subtract`,
//! `Multiply`, `Average`, `Maximum`, `Minimum`): one output from a list of
//! inputs of the same (or broadcast-compatible) shape.
//!
//! `Subtract` takes exactly two inputs (`a - b`); the others take one or
//! more. Masks: the output is masked where every input is (the inputs'
//! masks AND-ed, as Keras' `Merge.compute_mask`).
//!
//! ```
//! use keraslike::layers::{Add, Average, Layer, Subtract};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let a = Tensor::new(&[1.0f32, 2.0], &[1, 2])?;
//! let b = Tensor::new(&[3.0f32, 6.0], &[1, 2])?;
//! let args = Default::default();
//! assert_eq!(Add::new().call_multi(&[a.clone(), b.clone()], &args)?[0].to_vec::<f32>()?, vec![4.0, 8.0]);
//! assert_eq!(Subtract::new().call_multi(&[a.clone(), b.clone()], &args)?[0].to_vec::<f32>()?, vec![-2.0, -4.0]);
//! assert_eq!(Average::new().call_multi(&[a, b], &args)?[0].to_vec::<f32>()?, vec![2.0, 4.0]);
//! # Ok(()) }
//! ```

use super::KerasOptions;
use super::registry::parse_config;
use super::{shape_str, unique_name, BuildContext, CallArgs, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::Tensor;

/// The configuration of the element-wise merging layers (`Add`,
/// `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`: Keras' merge
/// layers' `get_config()` has only the base layer's keys):
/// [`Layer::get_config`] writes it and [`FromConfig::from_config`] reads it.
///
/// ```
/// use keraslike::layers::{Add, FromConfig, Layer, MergeConfig, Subtract};
/// let cfg = MergeConfig { name: "plus".into() };
/// let add = Add::from_merge_config(cfg.clone()).unwrap();
/// assert_eq!((Layer::name(&add), add.config()), ("plus", cfg));
/// let sub = Subtract::from_config(&serde_json::json!({"name": "minus", "trainable": true})).unwrap();
/// assert_eq!(sub.get_config(), serde_json::json!({"name": "minus"}));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MergeConfig {
    /// The layer's name (a fresh one, e.g. `add_N`, when empty).
    pub name: String,
}

/// The per-sample shape of an element-wise op on `a` and `b` (NumPy
/// broadcasting, as Keras' `_compute_elemwise_op_output_shape`).
fn broadcast(class: &str, name: &str, shapes: &[Vec<usize>]) -> Result<Vec<usize>> {
    let mut out: Vec<usize> = Vec::new();
    for s in shapes {
        let (long, short) = if s.len() >= out.len() { (s.clone(), out.clone()) } else { (out.clone(), s.clone()) };
        let off = long.len() - short.len();
        let mut r = long.clone();
        for (i, &d) in short.iter().enumerate() {
            let l = long[off + i];
            r[off + i] = match (l, d) {
                (l, d) if l == d => l,
                (1, d) => d,
                (l, 1) => l,
                _ => {
                    let all: Vec<String> = shapes.iter().map(|s| shape_str(s)).collect();
                    return Err(Error::shape(format!(
                        "{class} {name:?} needs inputs of the same (or broadcastable) shape, got per-sample shapes [{}]",
                        all.join(", ")
                    )));
                }
            };
        }
        out = r;
    }
    Ok(out)
}

/// The inputs' masks AND-ed (`None` when no input has one).
fn and_masks(masks: &[Option<Tensor>]) -> Result<Option<Tensor>> {
    let mut out: Option<Tensor> = None;
    for m in masks.iter().flatten() {
        out = Some(match out {
            None => m.clone(),
            Some(o) => o.mul(m)?,
        });
    }
    Ok(out)
}

macro_rules! merge_layer {
    ($(#[$doc:meta])* $ty:ident, $class:literal, $base:literal, $arity:expr, |$xs:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $ty {
            name: String,
            built: bool,
        }

        impl $ty {
            #[doc = concat!("A `", $class, "` layer named `", $base, "`, `", $base, "_1`, ...")]
            pub fn new() -> Self {
                $ty { name: unique_name($base), built: false }
            }

            /// Replaces the automatic name.
            pub fn name(mut self, name: impl Into<String>) -> Self {
                self.name = name.into();
                self
            }

            fn check_arity(&self, n: usize) -> Result<()> {
                let (lo, hi): (usize, usize) = $arity;
                if n < lo || n > hi {
                    let want = if lo == hi { format!("exactly {lo}") } else { format!("at least {lo}") };
                    return Err(Error::arg(format!(
                        "{} {:?} takes {want} inputs, got {n}",
                        $class, self.name
                    )));
                }
                Ok(())
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Layer for $ty {
            fn name(&self) -> &str {
                &self.name
            }
            fn class_name(&self) -> &'static str {
                $class
            }
            fn built(&self) -> bool {
                self.built
            }
            fn build_multi(&mut self, input_shapes: &[Vec<usize>], _ctx: &BuildContext) -> Result<()> {
                self.compute_output_shapes(input_shapes)?;
                self.built = true;
                Ok(())
            }
            fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
                self.check_arity(input_shapes.len())?;
                Ok(vec![broadcast($class, &self.name, input_shapes)?])
            }
            fn call_multi(&self, inputs: &[Tensor], _args: &CallArgs) -> Result<Vec<Tensor>> {
                self.check_arity(inputs.len())?;
                let shapes: Vec<Vec<usize>> = inputs.iter().map(|x| x.shape().get(1..).unwrap_or(&[]).to_vec()).collect();
                broadcast($class, &self.name, &shapes)?;
                let $xs = inputs;
                let y: Result<Tensor> = $body;
                Ok(vec![y?])
            }
            fn supports_masking(&self) -> bool {
                true
            }
            fn compute_masks(&self, _inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
                Ok(vec![and_masks(masks)?])
            }
            fn get_config(&self) -> Value {
                serde_json::to_value(self.config()).unwrap_or(Value::Null)
            }
        }

        impl $ty {
            /// The layer's configuration (what `get_config` writes).
            pub fn config(&self) -> MergeConfig {
                MergeConfig { name: self.name.clone() }
            }

            /// A layer from its configuration.
            pub fn from_merge_config(c: MergeConfig) -> Result<Self> {
                let mut l = $ty::new();
                if !c.name.is_empty() {
                    l.name = c.name;
                }
                Ok(l)
            }
        }

        impl FromConfig for $ty {
            const CLASS_NAME: &'static str = $class;
            const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(&[]));
            fn from_config(c: &Value) -> Result<Self> {
                $ty::from_merge_config(parse_config($class, c)?)
            }
        }
    };
}

/// Folds `f` over the inputs from the first.
fn fold(xs: &[Tensor], f: impl Fn(&Tensor, &Tensor) -> tensorlow::Result<Tensor>) -> Result<Tensor> {
    let mut acc = xs[0].clone();
    for x in &xs[1..] {
        acc = f(&acc, x)?;
    }
    Ok(acc)
}

const MANY: (usize, usize) = (1, usize::MAX);

merge_layer!(
    /// The sum of its inputs (`keras.layers.Add`).
    Add, "Add", "add", MANY, |xs| fold(xs, |a, b| a.add(b))
);
merge_layer!(
    /// `a - b` of its two inputs (`keras.layers.Subtract`).
    Subtract, "Subtract", "subtract", (2, 2), |xs| Ok(xs[0].sub(&xs[1])?)
);
merge_layer!(
    /// The element-wise product of its inputs (`keras.layers.Multiply`).
    Multiply, "Multiply", "multiply", MANY, |xs| fold(xs, |a, b| a.mul(b))
);
merge_layer!(
    /// The element-wise mean of its inputs (`keras.layers.Average`).
    Average, "Average", "average", MANY, |xs| Ok(fold(xs, |a, b| a.add(b))?.affine(1.0 / xs.len() as f64, 0.0)?)
);
merge_layer!(
    /// The element-wise maximum of its inputs (`keras.layers.Maximum`).
    Maximum, "Maximum", "maximum", MANY, |xs| fold(xs, |a, b| a.maximum(b))
);
merge_layer!(
    /// The element-wise minimum of its inputs (`keras.layers.Minimum`).
    Minimum, "Minimum", "minimum", MANY, |xs| fold(xs, |a, b| a.minimum(b))
);

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32]) -> Tensor {
        Tensor::new(v, &[1, v.len()]).unwrap()
    }

    #[test]
    fn each_op_and_its_errors() {
        let (a, b, c) = (t(&[1.0, 5.0]), t(&[3.0, 2.0]), t(&[2.0, 2.0]));
        let args = CallArgs::new(false);
        let run = |l: &dyn Layer, xs: &[Tensor]| l.call_multi(xs, &args).unwrap()[0].to_vec::<f32>().unwrap();
        let abc = [a.clone(), b.clone(), c.clone()];
        assert_eq!(run(&Add::new(), &abc), vec![6.0, 9.0]);
        assert_eq!(run(&Multiply::new(), &abc), vec![6.0, 20.0]);
        assert_eq!(run(&Average::new(), &abc), vec![2.0, 3.0]);
        assert_eq!(run(&Maximum::new(), &abc), vec![3.0, 5.0]);
        assert_eq!(run(&Minimum::new(), &abc), vec![1.0, 2.0]);
        assert_eq!(run(&Subtract::new(), &[a.clone(), b.clone()]), vec![-2.0, 3.0]);
        let err = Subtract::new().name("s").call_multi(&abc, &args).unwrap_err().to_string();
        assert!(err.contains("Subtract \"s\" takes exactly 2 inputs, got 3"), "{err}");
        let err = Add::new()
            .name("a")
            .compute_output_shapes(&[vec![2], vec![3]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("Add \"a\"") && err.contains("(2,), (3,)"), "{err}");
        // Broadcasting, as Keras' merge layers allow: (2, 1) with (1, 3) -> (2, 3).
        assert_eq!(Add::new().compute_output_shapes(&[vec![2, 1], vec![1, 3]]).unwrap(), vec![vec![2, 3]]);
    }
}
