//! L-BFGS: a limited-memory quasi-Newton minimizer for smooth functions,
//! built from tensorlow ops (`scipy.optimize.minimize(method="L-BFGS-B")`
//! without bounds, `tfp.optimizer.lbfgs_minimize`).
//!
//! It follows what scikit-learn gets from scipy: the two-loop recursion over
//! the last `history` (10) pairs `(s, y)` with the initial scaling
//! `H0 = s·y / y·y`, a line search that satisfies the **strong Wolfe**
//! conditions (Nocedal & Wright's bracketing and `zoom`, Algorithms 3.5/3.6,
//! with cubic interpolation), a first step of `1/‖g‖`, and scipy's stopping
//! rules: `max|g_i| <= gtol`, relative reduction of `f` below `ftol`,
//! `max_iter` iterations, `max_fun` function evaluations.
//!
//! Two entry points:
//! - [`minimize_variables`]: minimizes a loss computed from [`Variable`]s
//!   (any shapes, any float dtype); each evaluation records the loss on a
//!   [`GradientTape`], the way a custom training loop would, and the
//!   variables end at the minimizer.
//! - [`Lbfgs::minimize`]: the raw form over one packed rank-1 `f64` vector,
//!   with an objective that returns the value and the gradient itself (like
//!   scipy's `jac=True`); the objective may use its own error type.
//!
//! ```
//! use tensorlow::optimize::lbfgs::{minimize_variables, LbfgsOptions};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! // Least squares: fit y = 2 x - 1 with a weight and a bias.
//! let x = Tensor::new(&[0.0f64, 1.0, 2.0, 3.0], &[4, 1])?;
//! let y = Tensor::new(&[-1.0f64, 1.0, 3.0, 5.0], &[4, 1])?;
//! let w = Variable::new("w", Tensor::new(&[0.0f64], &[1, 1])?);
//! let b = Variable::new("b", Tensor::new(&[0.0f64], &[1])?);
//! let res = minimize_variables(&[&w, &b], || (x.matmul(&w)? + &*b)?.sub(&y)?.square()?.mean_all(), LbfgsOptions::default())?;
//! assert!(res.converged, "{}", res.message);
//! assert!((w.to_vec::<f64>()?[0] - 2.0).abs() < 1e-6 && (b.to_vec::<f64>()?[0] + 1.0).abs() < 1e-6);
//!
//! // The raw form: Rosenbrock, minimum 0 at (1, 1).
//! use tensorlow::optimize::lbfgs::Lbfgs;
//! let rosen = |x: &Tensor| -> tensorlow::Result<(f64, Tensor)> {
//!     let v = x.to_vec::<f64>()?;
//!     let (a, b) = (v[0], v[1]);
//!     let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
//!     let g = vec![-2.0 * (1.0 - a) - 400.0 * a * (b - a * a), 200.0 * (b - a * a)];
//!     Ok((f, Tensor::new(&g, &[2])?))
//! };
//! let res = Lbfgs::new(LbfgsOptions::default()).minimize(rosen, &Tensor::new(&[-1.2f64, 1.0], &[2])?)?;
//! let x = res.x.to_vec::<f64>()?;
//! assert!(res.converged && (x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4);
//! # Ok(()) }
//! ```

use crate::{DType, Error, GradientTape, Result, Tensor, Variable};
use std::collections::VecDeque;

/// Settings of [`Lbfgs`], with scipy's L-BFGS-B defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct LbfgsOptions {
    /// Number of `(s, y)` pairs kept (scipy's `maxcor`, default 10).
    pub history: usize,
    /// Maximum number of iterations (`maxiter`, default 15000).
    pub max_iter: usize,
    /// Maximum number of function evaluations (`maxfun`, default 15000).
    pub max_fun: usize,
    /// Stop when the largest gradient component is at most this (`gtol`, default 1e-5).
    pub gtol: f64,
    /// Stop when `(f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol`
    /// (scipy's default `factr * eps = 2.22e-9`).
    pub ftol: f64,
    /// Sufficient-decrease constant of the line search (scipy's 1e-3).
    pub c1: f64,
    /// Curvature constant of the line search (0.9).
    pub c2: f64,
    /// Maximum evaluations in one line search (`maxls`, default 20).
    pub max_ls: usize,
    /// Print one line per iteration to stderr.
    pub verbose: bool,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        LbfgsOptions {
            history: 10,
            max_iter: 15000,
            max_fun: 15000,
            gtol: 1e-5,
            ftol: 1e7 * f64::EPSILON,
            c1: 1e-3,
            c2: 0.9,
            max_ls: 20,
            verbose: false,
        }
    }
}

/// One accepted line-search step: `phi(a) = f(x + a d)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineStep {
    /// The accepted step length `a`.
    pub alpha: f64,
    /// `phi(0)`.
    pub f0: f64,
    /// `phi'(0) = g(x)·d` (negative: a descent direction).
    pub dphi0: f64,
    /// `phi(a)`.
    pub f: f64,
    /// `phi'(a)`.
    pub dphi: f64,
}

/// The outcome of [`Lbfgs::minimize`].
#[derive(Clone, Debug)]
pub struct LbfgsResult {
    /// The best point found (rank 1, `f64`).
    pub x: Tensor,
    /// `f(x)`.
    pub f: f64,
    /// The gradient at `x`.
    pub grad: Tensor,
    /// Iterations done (`nit`).
    pub n_iter: usize,
    /// Function evaluations done (`nfev`).
    pub n_fev: usize,
    /// Whether a convergence test (gradient or relative reduction) stopped it.
    pub converged: bool,
    /// scipy's status: 0 converged, 1 a limit was reached, 2 the line search failed.
    pub status: u8,
    /// Why it stopped, in scipy's words.
    pub message: String,
    /// The accepted line-search steps, one per iteration.
    pub steps: Vec<LineStep>,
}

/// The L-BFGS minimizer (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Lbfgs {
    /// Its settings.
    pub options: LbfgsOptions,
}

fn dot(a: &Tensor, b: &Tensor) -> Result<f64> {
    a.mul(b)?.sum_all()?.to_scalar::<f64>()
}

fn max_abs(a: &Tensor) -> Result<f64> {
    a.abs()?.max(&[], false)?.to_scalar::<f64>()
}

/// `a + s * b`.
fn axpy(a: &Tensor, s: f64, b: &Tensor) -> Result<Tensor> {
    a.add(&b.affine(s, 0.0)?)
}

/// Minimizer of the cubic through `(a, fa, ga)` and `(b, fb, gb)` (Nocedal &
/// Wright eq. 3.59), or `None` when it has no real minimizer.
fn cubic_min(a: f64, fa: f64, ga: f64, b: f64, fb: f64, gb: f64) -> Option<f64> {
    let d1 = ga + gb - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - ga * gb;
    if disc < 0.0 {
        return None;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    let t = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2.0 * d2);
    t.is_finite().then_some(t)
}

/// One evaluated point of the line search.
#[derive(Clone)]
struct Point {
    a: f64,
    f: f64,
    dphi: f64,
    x: Tensor,
    g: Tensor,
}

/// The objective as the line search calls it: a point and the evaluation counter.
type Objective<'a, E> = dyn FnMut(&Tensor, &mut usize) -> std::result::Result<(f64, Tensor), E> + 'a;

enum Search {
    Found(Point),
    /// No acceptable step (`true` when `max_fun` ran out).
    Failed(bool),
}

impl Lbfgs {
    /// A minimizer with these settings.
    pub fn new(options: LbfgsOptions) -> Self {
        Lbfgs { options }
    }

    /// Minimizes `f` from `x0`. `f` returns the value and the gradient (same
    /// shape as its argument) at a rank-1 `f64` point. Its error type `E` is
    /// the caller's (anything tensorlow's [`Error`] converts into), so an
    /// objective written with another crate's `Result` plugs in unchanged.
    pub fn minimize<F, E>(&self, mut f: F, x0: &Tensor) -> std::result::Result<LbfgsResult, E>
    where
        F: FnMut(&Tensor) -> std::result::Result<(f64, Tensor), E>,
        E: From<Error>,
    {
        let o = &self.options;
        if o.history == 0 || o.max_fun == 0 {
            return Err(Error::arg("L-BFGS: history and max_fun must be at least 1").into());
        }
        let n = x0.elem_count();
        // A private copy: the caller's tensor may share storage with what the
        // objective writes (e.g. a variable's value).
        let mut x = x0.reshape(&[n])?.cast(DType::F64)?.affine(1.0, 0.0)?;
        let mut n_fev = 0;
        let mut eval = |x: &Tensor, n_fev: &mut usize| -> std::result::Result<(f64, Tensor), E> {
            *n_fev += 1;
            let (v, g) = f(x)?;
            if g.elem_count() != n {
                return Err(Error::shape(
                    "lbfgs",
                    format!(
                        "the objective returned a gradient of shape {:?} for a point of {n} values",
                        g.shape()
                    ),
                )
                .into());
            }
            Ok((v, g.reshape(&[n])?.cast(DType::F64)?))
        };
        let (mut fx, mut g) = eval(&x, &mut n_fev)?;
        let mut hist: VecDeque<(Tensor, Tensor, f64)> = VecDeque::with_capacity(o.history);
        let mut steps = Vec::new();
        let mut n_iter = 0;
        let done = |x, fx, g, n_iter, n_fev, status: u8, msg: &str, steps| LbfgsResult {
            x,
            f: fx,
            grad: g,
            n_iter,
            n_fev,
            converged: status == 0,
            status,
            message: msg.to_string(),
            steps,
        };
        if !fx.is_finite() {
            return Err(Error::arg(format!(
                "L-BFGS: the objective is not finite at the start ({fx}); check the starting point and the data"
            ))
            .into());
        }
        if max_abs(&g)? <= o.gtol {
            let m = "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL";
            return Ok(done(x, fx, g, 0, n_fev, 0, m, steps));
        }
        loop {
            if n_iter >= o.max_iter {
                let m = "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT";
                return Ok(done(x, fx, g, n_iter, n_fev, 1, m, steps));
            }
            let mut d = self.direction(&g, &hist)?;
            let mut dphi0 = dot(&g, &d)?;
            if dphi0 >= 0.0 || !dphi0.is_finite() {
                // Not a descent direction (bad curvature pairs): restart.
                hist.clear();
                d = g.neg()?;
                dphi0 = dot(&g, &d)?;
            }
            let a0 = if hist.is_empty() {
                (1.0 / dot(&d, &d)?.sqrt()).min(1.0)
            } else {
                1.0
            };
            let p = match self.line_search(
                &mut |x: &Tensor, c: &mut usize| eval(x, c),
                &x,
                fx,
                &d,
                dphi0,
                a0,
                &mut n_fev,
            )? {
                Search::Found(p) => p,
                Search::Failed(true) => {
                    let m = "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT";
                    return Ok(done(x, fx, g, n_iter, n_fev, 1, m, steps));
                }
                Search::Failed(false) if !hist.is_empty() => {
                    // Retry once along steepest descent, as L-BFGS-B does.
                    hist.clear();
                    continue;
                }
                Search::Failed(false) => {
                    let m = "ABNORMAL: LINE SEARCH FAILED";
                    return Ok(done(x, fx, g, n_iter, n_fev, 2, m, steps));
                }
            };
            steps.push(LineStep {
                alpha: p.a,
                f0: fx,
                dphi0,
                f: p.f,
                dphi: p.dphi,
            });
            let s = p.x.sub(&x)?;
            let y = p.g.sub(&g)?;
            let sy = dot(&s, &y)?;
            let yy = dot(&y, &y)?;
            // Keep the pair only with positive curvature (L-BFGS-B's test).
            if sy > f64::EPSILON * yy {
                if hist.len() == o.history {
                    hist.pop_front();
                }
                hist.push_back((s, y, 1.0 / sy));
            }
            n_iter += 1;
            let f_old = fx;
            (x, fx, g) = (p.x, p.f, p.g);
            if o.verbose {
                eprintln!("L-BFGS iteration {n_iter}: f = {fx:.10e}, step = {:.3e}", p.a);
            }
            if (f_old - fx) / f_old.abs().max(fx.abs()).max(1.0) <= o.ftol {
                let m = "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH";
                return Ok(done(x, fx, g, n_iter, n_fev, 0, m, steps));
            }
            if max_abs(&g)? <= o.gtol {
                let m = "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL";
                return Ok(done(x, fx, g, n_iter, n_fev, 0, m, steps));
            }
            if n_fev >= o.max_fun {
                let m = "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT";
                return Ok(done(x, fx, g, n_iter, n_fev, 1, m, steps));
            }
        }
    }

    /// `-H g` by the two-loop recursion.
    fn direction(&self, g: &Tensor, hist: &VecDeque<(Tensor, Tensor, f64)>) -> Result<Tensor> {
        let mut q = g.clone();
        let mut alphas = Vec::with_capacity(hist.len());
        for (s, y, rho) in hist.iter().rev() {
            let a = rho * dot(s, &q)?;
            q = axpy(&q, -a, y)?;
            alphas.push(a);
        }
        if let Some((s, y, _)) = hist.back() {
            q = q.affine(dot(s, y)? / dot(y, y)?, 0.0)?;
        }
        for ((s, y, rho), a) in hist.iter().zip(alphas.into_iter().rev()) {
            let b = rho * dot(y, &q)?;
            q = axpy(&q, a - b, s)?;
        }
        q.neg()
    }

    /// Finds a step satisfying the strong Wolfe conditions along `d`.
    #[allow(clippy::too_many_arguments)]
    fn line_search<E: From<Error>>(
        &self,
        eval: &mut Objective<'_, E>,
        x: &Tensor,
        f0: f64,
        d: &Tensor,
        dphi0: f64,
        a0: f64,
        n_fev: &mut usize,
    ) -> std::result::Result<Search, E> {
        let o = &self.options;
        let mut at = |a: f64, n_fev: &mut usize| -> std::result::Result<Point, E> {
            let xa = axpy(x, a, d)?;
            let (f, g) = eval(&xa, n_fev)?;
            let dphi = dot(&g, d)?;
            Ok(Point { a, f, dphi, x: xa, g })
        };
        let armijo = |p: &Point| p.f <= f0 + o.c1 * p.a * dphi0 && p.f.is_finite();
        let curvature = |p: &Point| p.dphi.abs() <= -o.c2 * dphi0;
        let mut prev = Point {
            a: 0.0,
            f: f0,
            dphi: dphi0,
            x: x.clone(),
            g: x.clone(),
        };
        let mut a = a0;
        let mut evals = 0;
        // Bracketing phase (Algorithm 3.5).
        let (mut lo, mut hi) = loop {
            if *n_fev >= o.max_fun {
                return Ok(Search::Failed(true));
            }
            if evals >= o.max_ls {
                return Ok(Search::Failed(false));
            }
            let p = at(a, n_fev)?;
            evals += 1;
            if !armijo(&p) || (evals > 1 && p.f >= prev.f) {
                break (prev, p);
            }
            if curvature(&p) {
                return Ok(Search::Found(p));
            }
            if p.dphi >= 0.0 {
                break (p, prev);
            }
            a = 2.0 * p.a;
            prev = p;
        };
        // Zoom phase (Algorithm 3.6): `lo` satisfies Armijo with the lowest f.
        loop {
            if *n_fev >= o.max_fun {
                return Ok(Search::Failed(true));
            }
            if evals >= o.max_ls || (hi.a - lo.a).abs() < 1e-16 * lo.a.abs().max(1e-300) {
                return Ok(Search::Failed(false));
            }
            let (l, h) = (lo.a.min(hi.a), lo.a.max(hi.a));
            let margin = 0.1 * (h - l);
            let a = match cubic_min(lo.a, lo.f, lo.dphi, hi.a, hi.f, hi.dphi) {
                Some(t) if hi.f.is_finite() && t > l + margin && t < h - margin => t,
                _ => 0.5 * (l + h),
            };
            let p = at(a, n_fev)?;
            evals += 1;
            if !armijo(&p) || p.f >= lo.f {
                hi = p;
            } else {
                if curvature(&p) {
                    return Ok(Search::Found(p));
                }
                if p.dphi * (hi.a - lo.a) >= 0.0 {
                    hi = lo;
                }
                lo = p;
            }
        }
    }
}

/// Minimizes the scalar `loss()` over the values of `vars` with L-BFGS, like
/// `tfp.optimizer.lbfgs_minimize` or `scipy.optimize.minimize(jac=True)`
/// around a model's variables.
///
/// Each evaluation writes the candidate point into the variables, calls
/// `loss()` under a fresh [`GradientTape`] watching every variable (trainable
/// or not) and takes the gradient; a variable the loss does not use gets a
/// zero gradient. The search itself runs in `f64` on the variables packed in
/// `vars` order (`res.x`); each variable keeps its dtype, so an `f32`
/// variable sees the point rounded to `f32` (use `f64` variables when the
/// tolerances are tight). On return the variables hold `res.x`.
///
/// Errors: an empty `vars`, a loss with more than one element, or whatever
/// `loss()` returns.
pub fn minimize_variables<F>(vars: &[&Variable], mut loss: F, options: LbfgsOptions) -> Result<LbfgsResult>
where
    F: FnMut() -> Result<Tensor>,
{
    if vars.is_empty() {
        return Err(Error::arg(
            "minimize_variables: give at least one variable to minimize over",
        ));
    }
    let pack = |parts: Vec<Tensor>| -> Result<Tensor> {
        let flat = parts
            .iter()
            .map(|t| t.reshape(&[t.elem_count()])?.cast(DType::F64))
            .collect::<Result<Vec<_>>>()?;
        Tensor::concat(&flat.iter().collect::<Vec<_>>(), 0)
    };
    let assign_point = |p: &Tensor| -> Result<()> {
        let mut off = 0;
        for v in vars {
            let n = v.elem_count();
            v.assign(&p.narrow(0, off, n)?.reshape(v.shape())?.cast(v.dtype())?)?;
            off += n;
        }
        Ok(())
    };
    let x0 = pack(vars.iter().map(|v| v.read_value()).collect::<Result<_>>()?)?;
    let objective = |p: &Tensor| -> Result<(f64, Tensor)> {
        assign_point(p)?;
        let tape = GradientTape::new();
        for v in vars {
            tape.watch(v);
        }
        let l = loss()?;
        if l.elem_count() != 1 {
            return Err(Error::shape(
                "minimize_variables",
                format!("the loss must be a scalar, got shape {:?}", l.shape()),
            ));
        }
        let value = l.to_scalar::<f64>()?;
        let grads = tape.gradient_of(&l, vars)?;
        let grads = grads
            .into_iter()
            .zip(vars)
            .map(|(g, v)| match g {
                Some(g) => Ok(g),
                None => v.zeros_like(),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((value, pack(grads)?))
    };
    let res = Lbfgs::new(options).minimize(objective, &x0)?;
    assign_point(&res.x)?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &Tensor) -> Result<(f64, Tensor)> {
        let v = x.to_vec::<f64>()?;
        let (mut f, mut g) = (0.0, vec![0.0; v.len()]);
        for i in 0..v.len() - 1 {
            let (a, b) = (v[i], v[i + 1]);
            f += (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            g[i] += -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[i + 1] += 200.0 * (b - a * a);
        }
        Ok((f, Tensor::new(&g, &[v.len()])?))
    }

    #[test]
    fn rosenbrock_converges_to_ones_with_strong_wolfe_steps() {
        let x0 = Tensor::new(&[-1.2f64, 1.0, -1.2, 1.0, 0.5], &[5]).unwrap();
        let o = LbfgsOptions::default();
        let res = Lbfgs::new(o.clone()).minimize(rosenbrock, &x0).unwrap();
        assert!(res.converged, "{}", res.message);
        for v in res.x.to_vec::<f64>().unwrap() {
            assert!((v - 1.0).abs() < 1e-4, "{v}");
        }
        assert!(res.f < 1e-8);
        assert_eq!(res.steps.len(), res.n_iter);
        for s in &res.steps {
            assert!(s.dphi0 < 0.0);
            assert!(s.f <= s.f0 + o.c1 * s.alpha * s.dphi0, "{s:?}");
            assert!(s.dphi.abs() <= o.c2 * s.dphi0.abs() + 1e-12, "{s:?}");
        }
    }

    #[test]
    fn limits_stop_with_status_1() {
        let x0 = Tensor::new(&[-1.2f64, 1.0], &[2]).unwrap();
        let o = LbfgsOptions {
            max_iter: 3,
            ..Default::default()
        };
        let res = Lbfgs::new(o).minimize(rosenbrock, &x0).unwrap();
        assert_eq!((res.n_iter, res.status, res.converged), (3, 1, false));
        let o = LbfgsOptions {
            max_fun: 5,
            ..Default::default()
        };
        let res = Lbfgs::new(o).minimize(rosenbrock, &x0).unwrap();
        assert!(res.n_fev <= 6 && res.status == 1, "{res:?}");
    }

    #[test]
    fn quadratic_matches_the_exact_minimizer() {
        // f = 0.5 x'Ax - b'x with A = diag(1..5): minimizer x_i = b_i / i.
        let f = |x: &Tensor| -> Result<(f64, Tensor)> {
            let v = x.to_vec::<f64>()?;
            let (mut fv, mut g) = (0.0, vec![0.0; 5]);
            for i in 0..5 {
                let a = (i + 1) as f64;
                fv += 0.5 * a * v[i] * v[i] - v[i];
                g[i] = a * v[i] - 1.0;
            }
            Ok((fv, Tensor::new(&g, &[5])?))
        };
        let res = Lbfgs::default().minimize(f, &Tensor::zeros(&[5], DType::F64, &crate::Device::cpu()).unwrap());
        let x = res.unwrap().x.to_vec::<f64>().unwrap();
        for (i, v) in x.iter().enumerate() {
            assert!((v - 1.0 / (i + 1) as f64).abs() < 1e-5, "{x:?}");
        }
    }
}

#[cfg(test)]
mod variable_tests {
    use super::*;

    #[test]
    fn minimize_variables_finds_the_least_squares_solution_of_mixed_shapes() {
        // min over W (2x1), b (1): mean((X W + b - y)^2), y = X [1, -2] + 0.5 exactly.
        let x = Tensor::new(&[0.0f64, 1.0, 1.0, 0.0, 2.0, 1.0, 1.0, 3.0], &[4, 2]).unwrap();
        let y = Tensor::new(&[-1.5f64, 1.5, 0.5, -4.5], &[4, 1]).unwrap();
        let w = Variable::new("w", Tensor::zeros(&[2, 1], DType::F64, &crate::Device::cpu()).unwrap());
        let b = Variable::new("b", Tensor::zeros(&[1], DType::F64, &crate::Device::cpu()).unwrap());
        // An unused variable gets a zero gradient and stays where it is.
        let unused = Variable::new("u", Tensor::new(&[7.0f64], &[1]).unwrap());
        let loss = || (x.matmul(&w)? + &*b)?.sub(&y)?.square()?.mean_all();
        let res = minimize_variables(&[&w, &b, &unused], loss, LbfgsOptions::default()).unwrap();
        assert!(res.converged, "{}", res.message);
        let wv = w.to_vec::<f64>().unwrap();
        assert!((wv[0] - 1.0).abs() < 1e-6 && (wv[1] + 2.0).abs() < 1e-6, "{wv:?}");
        assert!((b.to_vec::<f64>().unwrap()[0] - 0.5).abs() < 1e-6);
        assert_eq!(unused.to_vec::<f64>().unwrap(), vec![7.0]);
        assert_eq!(res.x.elem_count(), 4);
        // A non-scalar loss and an empty variable list are errors.
        let e = minimize_variables(&[&w], || x.matmul(&w), LbfgsOptions::default()).unwrap_err();
        assert!(e.to_string().contains("scalar"), "{e}");
        assert!(minimize_variables(&[], || x.sum_all(), LbfgsOptions::default()).is_err());
    }
}
