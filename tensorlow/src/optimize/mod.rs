//! Deterministic minimizers of smooth functions (`scipy.optimize`,
//! `tfp.optimizer`): [`lbfgs`], the L-BFGS quasi-Newton method, over
//! [`Variable`](crate::Variable)s ([`lbfgs::minimize_variables`]) or over
//! one packed vector ([`lbfgs::Lbfgs::minimize`]). scikit-learn's
//! `MLPClassifier(solver="lbfgs")` in `sklearnlike` trains with it.
//!
//! ```
//! use tensorlow::optimize::lbfgs::{minimize_variables, LbfgsOptions};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! // min (v - 3)² + 1
//! let v = Variable::new("v", Tensor::new(&[0.0f64], &[1])?);
//! let res = minimize_variables(&[&v], || ((&*v - 3.0)?.square()? + 1.0)?.sum_all(), LbfgsOptions::default())?;
//! assert!((v.to_vec::<f64>()?[0] - 3.0).abs() < 1e-6 && (res.f - 1.0).abs() < 1e-12);
//! # Ok(()) }
//! ```

pub mod lbfgs;

pub use lbfgs::{minimize_variables, Lbfgs, LbfgsOptions, LbfgsResult, LineStep};
