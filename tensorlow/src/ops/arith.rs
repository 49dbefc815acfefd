//! Binary arithmetic with NumPy broadcasting, scalar arithmetic, and
//! operator overloading.
//!
//! Operators are implemented between `Tensor`s and `&Tensor`s, between a
//! tensor and a `Result<Tensor>` (so tensor expressions chain), and between a
//! tensor and an `f64` scalar on either side. They return `Result<Tensor>`; a
//! shape error surfaces at the `?`. (Rust's orphan rule forbids
//! `Result<Tensor> * f64`: apply `?` before scaling a result.)
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0], &[3])?;
//! let b = Tensor::new(&[10.0f32], &[1])?;          // broadcasts
//! let y = ((&x * 2.0)? + &b)? - 1.0;
//! let y = y?;
//! assert_eq!(y.to_vec::<f32>()?, vec![11.0, 13.0, 15.0]);
//! let bad = Tensor::new(&[1.0f32, 2.0], &[2])?;
//! assert!((&x + &bad).is_err());                  // (3) vs (2): an error, not a panic
//! # Ok(()) }
//! ```

use super::out;
use crate::{Error, Result, Tensor};

/// The NumPy broadcast of two shapes, or an error naming both.
pub fn broadcast_shape(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut s = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        s[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Error::shape(
                    op,
                    format!("shapes {a:?} and {b:?} cannot be broadcast together (dimension {i}: {da} vs {db})"),
                ))
            }
        };
    }
    Ok(s)
}

#[derive(Clone, Copy)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
}

impl Bin {
    fn name(self) -> &'static str {
        match self {
            Bin::Add => "add",
            Bin::Sub => "sub",
            Bin::Mul => "mul",
            Bin::Div => "div",
            Bin::Max => "maximum",
            Bin::Min => "minimum",
        }
    }
}

/// `a op b` by tensorlow's CPU kernel (split over the team) when it
/// applies: a large f32/f64 CPU `a`, and a `b` whose shape is `a`'s
/// trailing axes (leading 1s aside: a bias over the channels, or an operand
/// of `a`'s shape). The same values as candle's map, so `None` (candle's
/// map) elsewhere changes no result.
fn suffix_kernel(a: &Tensor, b: &Tensor, op: Bin) -> Result<Option<candle_core::Tensor>> {
    use crate::cpu::elementwise::{binary_suffix, Arith, PAR_MIN};
    let arith = match op {
        Bin::Add => Arith::Add,
        Bin::Sub => Arith::Sub,
        Bin::Mul => Arith::Mul,
        Bin::Div => Arith::Div,
        Bin::Max | Bin::Min => return Ok(None),
    };
    let (sa, sb) = (a.shape(), b.shape());
    let lead = sb.iter().take_while(|&&d| d == 1).count();
    let trailing = &sb[lead..];
    let fits = sb.len() <= sa.len()
        && sa.ends_with(trailing)
        && !trailing.is_empty()
        && b.elem_count() > 0
        && a.elem_count() >= PAR_MIN
        && crate::cpu::handles(&a.value);
    if !fits {
        return Ok(None);
    }
    struct K(Arith);
    impl crate::cpu::Kernel for K {
        fn run<T: candle_core::WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
            binary_suffix(self.0, inputs[0], inputs[1])
        }
    }
    Ok(Some(crate::cpu::run(&K(arith), &[&a.value, &b.value], sa)?))
}

fn binary(a: &Tensor, b: &Tensor, op: Bin) -> Result<Tensor> {
    a.same_device(b, op.name())?;
    a.same_dtype(b, op.name())?;
    let (x, y) = (&a.value, &b.value);
    let v = if let Some(v) = suffix_kernel(a, b, op)? {
        v
    } else if a.shape() == b.shape() {
        let v = match op {
            Bin::Add => x.add(y)?,
            Bin::Sub => x.sub(y)?,
            Bin::Mul => x.mul(y)?,
            Bin::Div => x.div(y)?,
            Bin::Max => x.maximum(y)?,
            Bin::Min => x.minimum(y)?,
        };
        keep_nan(op, v, x, y)?
    } else {
        let s = broadcast_shape(op.name(), a.shape(), b.shape())?;
        crate::limits::check_alloc_on(op.name(), &s, a.dtype(), x.device())?;
        let (x, y) = (x.broadcast_as(s.as_slice())?, y.broadcast_as(s.as_slice())?);
        let v = match op {
            Bin::Add => x.add(&y)?,
            Bin::Sub => x.sub(&y)?,
            Bin::Mul => x.mul(&y)?,
            Bin::Div => x.div(&y)?,
            Bin::Max => x.maximum(&y)?,
            Bin::Min => x.minimum(&y)?,
        };
        keep_nan(op, v, &x, &y)?
    };
    Ok(out(v, &[a, b], move |c| {
        let (x, y, g) = (c.x(), c.y(), c.grad);
        let (gx, gy) = match op {
            Bin::Add => (c.need(0).then(|| g.clone()), c.need(1).then(|| g.clone())),
            Bin::Sub => (c.need(0).then(|| g.clone()), c.need(1).then(|| g.neg()).transpose()?),
            Bin::Mul => (
                c.need(0).then(|| g.mul(y)).transpose()?,
                c.need(1).then(|| g.mul(x)).transpose()?,
            ),
            Bin::Div => (
                c.need(0).then(|| g.div(y)).transpose()?,
                c.need(1).then(|| g.mul(c.output)?.div(y)?.neg()).transpose()?,
            ),
            Bin::Max | Bin::Min => {
                // Ties send the gradient to x, as in TensorFlow.
                let mask = if matches!(op, Bin::Max) {
                    x.greater_equal(y)?
                } else {
                    x.less_equal(y)?
                };
                let mask = mask.cast(g.dtype())?;
                let gx = g.mul(&mask)?;
                let gy = g.sub(&gx)?;
                (Some(gx), Some(gy))
            }
        };
        Ok(vec![
            gx.map(|t| t.sum_to(x.shape())).transpose()?,
            gy.map(|t| t.sum_to(y.shape())).transpose()?,
        ])
    }))
}

/// TensorFlow's maximum and minimum are NaN where either operand is NaN
/// (`scalar_max_op<PropagateNaN>`). candle's CPU kernels
/// (`if x < y { y } else { x }`) pass on only the first operand's NaN, and
/// its CUDA kernels (`fmaxf`) neither: `v` gets the NaNs of `y`, and off the
/// CPU those of `x` too. Other ops are returned as they are.
fn keep_nan(
    op: Bin,
    v: candle_core::Tensor,
    x: &candle_core::Tensor,
    y: &candle_core::Tensor,
) -> Result<candle_core::Tensor> {
    if !matches!(op, Bin::Max | Bin::Min) || !x.dtype().is_float() {
        return Ok(v);
    }
    let v = if x.device().is_cpu() {
        v
    } else {
        x.ne(x)?.where_cond(x, &v)?
    };
    Ok(y.ne(y)?.where_cond(y, &v)?)
}

impl Tensor {
    /// `self + other`, broadcasting.
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        binary(self, other, Bin::Add)
    }
    /// `self - other`, broadcasting.
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        binary(self, other, Bin::Sub)
    }
    /// `self * other` element-wise, broadcasting.
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        binary(self, other, Bin::Mul)
    }
    /// `self / other` element-wise, broadcasting.
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        binary(self, other, Bin::Div)
    }
    /// Element-wise maximum, broadcasting (ties: gradient to `self`); NaN
    /// where either operand is NaN, as in TensorFlow.
    pub fn maximum(&self, other: &Tensor) -> Result<Tensor> {
        binary(self, other, Bin::Max)
    }
    /// Element-wise minimum, broadcasting (ties: gradient to `self`); NaN
    /// where either operand is NaN, as in TensorFlow.
    pub fn minimum(&self, other: &Tensor) -> Result<Tensor> {
        binary(self, other, Bin::Min)
    }

    /// `self ^ exponent` element-wise, broadcasting (`tf.pow`). The gradient
    /// with respect to the exponent uses `log(self)` and so needs `self > 0`.
    pub fn pow(&self, exponent: &Tensor) -> Result<Tensor> {
        // x^y = exp(y * log x) for the exponent's gradient; the base's
        // gradient y * x^(y-1) stays finite for x = 0.
        let s = broadcast_shape("pow", self.shape(), exponent.shape())?;
        self.same_dtype(exponent, "pow")?;
        self.same_device(exponent, "pow")?;
        let v = self
            .value
            .broadcast_as(s.as_slice())?
            .pow(&exponent.value.broadcast_as(s.as_slice())?)?;
        Ok(out(v, &[self, exponent], |c| {
            let (x, y, g) = (c.x(), c.y(), c.grad);
            let gx = if c.need(0) {
                let ym1 = (y - 1.0)?;
                Some(g.mul(y)?.mul(&x.pow(&ym1)?)?.sum_to(x.shape())?)
            } else {
                None
            };
            let gy = if c.need(1) {
                Some(g.mul(c.output)?.mul(&x.log()?)?.sum_to(y.shape())?)
            } else {
                None
            };
            Ok(vec![gx, gy])
        }))
    }

    /// `self * mul + add` with scalars, in one pass.
    pub fn affine(&self, mul: f64, add: f64) -> Result<Tensor> {
        let v = self.value.affine(mul, add)?;
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.affine(mul, 0.0)?)])))
    }

    /// `self ^ e` for a scalar exponent (negative bases work for integer `e`).
    pub fn powf(&self, e: f64) -> Result<Tensor> {
        let v = if e == 2.0 {
            self.value.sqr()?
        } else {
            self.value.powf(e)?
        };
        Ok(out(v, &[self], move |c| {
            let d = if e == 2.0 {
                c.x().affine(2.0, 0.0)?
            } else {
                c.x().powf(e - 1.0)?.affine(e, 0.0)?
            };
            Ok(vec![Some(c.grad.mul(&d)?)])
        }))
    }

    /// The sum of `self` over the dimensions that broadcasting added or
    /// stretched, giving `shape`: the adjoint of [`Tensor::broadcast_to`].
    pub fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let lead = self.rank().checked_sub(shape.len()).ok_or_else(|| {
            Error::shape(
                "sum_to",
                format!("cannot reduce shape {:?} to the larger shape {shape:?}", self.shape()),
            )
        })?;
        let mut dims: Vec<usize> = (0..lead).collect();
        for (i, &d) in shape.iter().enumerate() {
            let have = self.shape()[lead + i];
            if d == 1 && have != 1 {
                dims.push(lead + i);
            } else if d != have {
                return Err(Error::shape(
                    "sum_to",
                    format!("shape {:?} does not broadcast from {shape:?}", self.shape()),
                ));
            }
        }
        let v = super::reduce::sum_axes(&self.value, &dims)?.reshape(shape)?;
        let from = self.shape().to_vec();
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.broadcast_to(&from)?)])))
    }
}

macro_rules! bin_trait {
    ($trait:ident, $fn:ident, $method:ident, $smul:expr, $sadd:expr, $rev:expr) => {
        impl std::ops::$trait<&Tensor> for &Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Tensor) -> Result<Tensor> {
                self.$method(rhs)
            }
        }
        impl std::ops::$trait<Tensor> for &Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Tensor) -> Result<Tensor> {
                self.$method(&rhs)
            }
        }
        impl std::ops::$trait<&Tensor> for Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Tensor) -> Result<Tensor> {
                (&self).$method(rhs)
            }
        }
        impl std::ops::$trait<Tensor> for Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Tensor) -> Result<Tensor> {
                (&self).$method(&rhs)
            }
        }
        impl std::ops::$trait<Result<Tensor>> for &Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Result<Tensor>) -> Result<Tensor> {
                self.$method(&rhs?)
            }
        }
        impl std::ops::$trait<Result<Tensor>> for Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Result<Tensor>) -> Result<Tensor> {
                (&self).$method(&rhs?)
            }
        }
        impl std::ops::$trait<&Tensor> for Result<Tensor> {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Tensor) -> Result<Tensor> {
                self?.$method(rhs)
            }
        }
        impl std::ops::$trait<Tensor> for Result<Tensor> {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Tensor) -> Result<Tensor> {
                self?.$method(&rhs)
            }
        }
        impl std::ops::$trait<f64> for &Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: f64) -> Result<Tensor> {
                let (m, a): (f64, f64) = ($smul(rhs), $sadd(rhs));
                self.affine(m, a)
            }
        }
        impl std::ops::$trait<f64> for Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: f64) -> Result<Tensor> {
                std::ops::$trait::$fn(&self, rhs)
            }
        }
        impl std::ops::$trait<&Tensor> for f64 {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Tensor) -> Result<Tensor> {
                $rev(self, rhs)
            }
        }
        impl std::ops::$trait<Tensor> for f64 {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Tensor) -> Result<Tensor> {
                $rev(self, &rhs)
            }
        }
    };
}

bin_trait!(Add, add, add, |_| 1.0, |s| s, |s: f64, t: &Tensor| t.affine(1.0, s));
bin_trait!(Sub, sub, sub, |_| 1.0, |s: f64| -s, |s: f64, t: &Tensor| t
    .affine(-1.0, s));
bin_trait!(Mul, mul, mul, |s| s, |_| 0.0, |s: f64, t: &Tensor| t.affine(s, 0.0));
bin_trait!(Div, div, div, |s: f64| 1.0 / s, |_| 0.0, |s: f64, t: &Tensor| t
    .recip()?
    .affine(s, 0.0));

impl std::ops::Neg for &Tensor {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(self)
    }
}
impl std::ops::Neg for Tensor {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(&self)
    }
}
