//! Arithmetic operators on [`Variable`]s, so that TensorFlow's
//! `tf.matmul(X, W) + b` reads `(x.matmul(&w)? + &b)?` with `b` a
//! variable, no `&*b` needed.
//!
//! Every operator of [`arith`](super::arith) between tensors also takes a
//! `&Variable` on either side: with a `&Tensor`, a `Tensor`, a
//! `Result<Tensor>`, another `&Variable` or an `f64`. The variable's
//! current value is used and, while a tape records, a trainable variable
//! is watched as when read by any op.
//!
//! ```
//! use tensorlow::{GradientTape, Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[1.0f32, 2.0], &[1, 2])?;
//! let w = Variable::new("W", Tensor::new(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2])?);
//! let b = Variable::new("b", Tensor::new(&[0.5f32, -0.5], &[2])?);
//! let tape = GradientTape::new();
//! let y = (x.matmul(&w)? + &b)?;                 // tf.matmul(X, W) + b
//! assert_eq!(y.to_vec::<f32>()?, vec![1.5, 1.5]);
//! let z = ((&w * 2.0)? - &w)?;                     // variables on both sides
//! assert_eq!(z.to_vec::<f32>()?, w.to_vec::<f32>()?);
//! let grads = tape.gradient(&y.sum_all()?, &[&b])?;
//! assert_eq!(grads.of(&b)?.to_vec::<f32>()?, vec![1.0, 1.0]);
//! # Ok(()) }
//! ```

use crate::{Result, Tensor, Variable};
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! variable_ops {
    ($trait:ident, $fn:ident) => {
        impl $trait<&Variable> for &Variable {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Variable) -> Result<Tensor> {
                $trait::$fn(self.value(), rhs.value())
            }
        }
        impl $trait<&Tensor> for &Variable {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Tensor) -> Result<Tensor> {
                $trait::$fn(self.value(), rhs)
            }
        }
        impl $trait<&Variable> for &Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Variable) -> Result<Tensor> {
                $trait::$fn(self, rhs.value())
            }
        }
        impl $trait<Tensor> for &Variable {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Tensor) -> Result<Tensor> {
                $trait::$fn(self.value(), &rhs)
            }
        }
        impl $trait<&Variable> for Tensor {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Variable) -> Result<Tensor> {
                $trait::$fn(&self, rhs.value())
            }
        }
        impl $trait<Result<Tensor>> for &Variable {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: Result<Tensor>) -> Result<Tensor> {
                $trait::$fn(self.value(), &rhs?)
            }
        }
        impl $trait<&Variable> for Result<Tensor> {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Variable) -> Result<Tensor> {
                $trait::$fn(&self?, rhs.value())
            }
        }
        impl $trait<f64> for &Variable {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: f64) -> Result<Tensor> {
                $trait::$fn(self.value(), rhs)
            }
        }
        impl $trait<&Variable> for f64 {
            type Output = Result<Tensor>;
            fn $fn(self, rhs: &Variable) -> Result<Tensor> {
                $trait::$fn(self, rhs.value())
            }
        }
    };
}

variable_ops!(Add, add);
variable_ops!(Sub, sub);
variable_ops!(Mul, mul);
variable_ops!(Div, div);

impl Neg for &Variable {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(self.value())
    }
}

#[cfg(test)]
mod tests {
    use crate::{GradientTape, Tensor, Variable};

    fn v(name: &str, x: &[f64]) -> Variable {
        Variable::new(name, Tensor::new(x, &[x.len()]).unwrap())
    }

    #[test]
    fn every_operand_pairing_computes_and_differentiates() {
        let a = v("a", &[1.0, 2.0]);
        let b = v("b", &[4.0, 8.0]);
        let t = Tensor::new(&[2.0f64, 2.0], &[2]).unwrap();
        let tape = GradientTape::persistent();
        let cases: Vec<(&str, Tensor, [f64; 2])> = vec![
            ("a+b", (&a + &b).unwrap(), [5.0, 10.0]),
            ("a-t", (&a - &t).unwrap(), [-1.0, 0.0]),
            ("t*a", (&t * &a).unwrap(), [2.0, 4.0]),
            ("b/T", (&b / t.clone()).unwrap(), [2.0, 4.0]),
            ("T-a", (t.clone() - &a).unwrap(), [1.0, 0.0]),
            ("a+Ok", (&a + Ok(t.clone())).unwrap(), [3.0, 4.0]),
            ("Ok*a", (Ok(t.clone()) * &a).unwrap(), [2.0, 4.0]),
            ("a*3", (&a * 3.0).unwrap(), [3.0, 6.0]),
            ("1-a", (1.0 - &a).unwrap(), [0.0, -1.0]),
            ("-a", (-&a).unwrap(), [-1.0, -2.0]),
        ];
        for (name, got, want) in &cases {
            assert_eq!(got.to_vec::<f64>().unwrap(), want, "{name}");
        }
        // d(a*b)/da = b: the variable is watched through the operator.
        let y = (&a * &b).unwrap().sum_all().unwrap();
        let g = tape.gradient(&y, &[&a, &b]).unwrap();
        assert_eq!(g.of(&a).unwrap().to_vec::<f64>().unwrap(), vec![4.0, 8.0]);
        assert_eq!(g.of(&b).unwrap().to_vec::<f64>().unwrap(), vec![1.0, 2.0]);
    }
}
