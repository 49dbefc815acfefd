//! Element-wise math and activation functions, each with its gradient.
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[-1.0f32, 0.0, 2.0], &[3])?;
//! assert_eq!(x.relu()?.to_vec::<f32>()?, vec![0.0, 0.0, 2.0]);
//! assert_eq!(x.square()?.to_vec::<f32>()?, vec![1.0, 0.0, 4.0]);
//! # Ok(()) }
//! ```

use super::out;
use crate::{Result, Tensor};

/// SELU's constants (Klambauer et al., 2017), as in TensorFlow.
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

macro_rules! unary {
    ($(#[$doc:meta])* $name:ident, $fwd:ident, |$c:ident| $bw:expr) => {
        $(#[$doc])*
        pub fn $name(&self) -> Result<Tensor> {
            let v = self.value.$fwd()?;
            Ok(out(v, &[self], |$c| Ok(vec![Some($bw)])))
        }
    };
}

impl Tensor {
    unary!(
        /// `-x`.
        neg, neg, |c| c.grad.neg()?
    );
    unary!(
        /// `e^x`.
        exp, exp, |c| c.grad.mul(c.output)?
    );
    unary!(
        /// Natural logarithm.
        log, log, |c| c.grad.div(c.x())?
    );
    unary!(
        /// `sqrt(x)`.
        sqrt, sqrt, |c| c.grad.div(c.output)?.affine(0.5, 0.0)?
    );
    unary!(
        /// `x²`.
        square, sqr, |c| c.grad.mul(c.x())?.affine(2.0, 0.0)?
    );
    unary!(
        /// `|x|` (gradient `sign(x)`, 0 at 0).
        abs, abs, |c| c.grad.mul(&c.x().sign()?)?
    );
    unary!(
        /// Hyperbolic tangent.
        tanh, tanh, |c| c.grad.mul(&(1.0 - c.output.square()?)?)?
    );
    unary!(
        /// Sine.
        sin, sin, |c| c.grad.mul(&c.x().cos()?)?
    );
    unary!(
        /// Cosine.
        cos, cos, |c| c.grad.mul(&c.x().sin()?)?.neg()?
    );
    unary!(
        /// `1/x`.
        recip, recip, |c| c.grad.mul(&c.output.square()?)?.neg()?
    );
    unary!(
        /// The error function.
        erf, erf, |c| c.grad.mul(&c.x().square()?.neg()?.exp()?)?.affine(std::f64::consts::FRAC_2_SQRT_PI, 0.0)?
    );

    /// `log(1 + x)`, accurate for tiny `x` (where `log` of the rounded
    /// `1 + x` would lose most digits).
    pub fn log1p(&self) -> Result<Tensor> {
        // Goldberg's trick: with u = fl(1 + x), log1p(x) = log(u) * x / (u - 1)
        // (and x itself where u rounds to 1).
        let x = &self.value;
        let u = x.affine(1.0, 1.0)?;
        let d = u.affine(1.0, -1.0)?;
        let v = u.log()?.mul(&x.div(&d)?)?;
        let v = d.eq(0f64)?.where_cond(x, &v)?;
        // x = +inf gives inf/inf above.
        let v = x.eq(f64::INFINITY)?.where_cond(x, &v)?;
        Ok(out(v, &[self], |c| Ok(vec![Some(c.grad.div(&(c.x() + 1.0)?)?)])))
    }

    /// `1/sqrt(x)`.
    pub fn rsqrt(&self) -> Result<Tensor> {
        let v = self.value.sqrt()?.recip()?;
        Ok(out(v, &[self], |c| {
            // d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 y³
            Ok(vec![Some(c.grad.mul(&c.output.powf(3.0)?)?.affine(-0.5, 0.0)?)])
        }))
    }

    /// `-1`, `0` or `1` (gradient zero).
    pub fn sign(&self) -> Result<Tensor> {
        let v = self.value.sign()?;
        Ok(out(v, &[self], |c| Ok(vec![Some(c.grad.zeros_like()?)])))
    }

    /// Logistic sigmoid `1 / (1 + e^-x)`.
    pub fn sigmoid(&self) -> Result<Tensor> {
        let v = candle_nn::ops::sigmoid(&self.value)?;
        Ok(out(v, &[self], |c| {
            let y = c.output;
            Ok(vec![Some(c.grad.mul(&y.mul(&(1.0 - y)?)?)?)])
        }))
    }

    /// `max(x, 0)`; NaN stays NaN, as in TensorFlow (whose kernel is
    /// `cwiseMax<PropagateNaN>(0)`), so a NaN in the data shows in the loss
    /// instead of turning into 0.
    pub fn relu(&self) -> Result<Tensor> {
        let x = &self.value;
        let v = if x.device().is_cpu() && matches!(x.dtype(), candle_core::DType::F32 | candle_core::DType::F64) {
            x.contiguous()?.apply_op1_no_bwd(&ReluKeepNan)?
        } else {
            // candle's relu is `max(x, 0)`, which drops NaN.
            let r = x.relu()?;
            if x.dtype().is_float() {
                x.ne(x)?.where_cond(x, &r)?
            } else {
                r
            }
        };
        Ok(out(v, &[self], |c| Ok(vec![Some(c.grad.where_positive(c.x())?)])))
    }

    /// `self * (x > 0)`: ReLU's backward in one pass, TensorFlow's
    /// `ReluGrad` (a NaN or infinite gradient where `x <= 0` gives NaN, as
    /// `g * 0` does there; a NaN `x` passes no gradient). Linear in `self`
    /// (its own gradient is the same mask), constant in `x`.
    pub(crate) fn where_positive(&self, x: &Tensor) -> Result<Tensor> {
        let fused = self.value.device().is_cpu()
            && self.value.dtype() == x.value.dtype()
            && matches!(x.value.dtype(), candle_core::DType::F32 | candle_core::DType::F64)
            && self.shape() == x.shape();
        let v = if fused {
            let (g, xc) = (self.value.contiguous()?, x.value.contiguous()?);
            g.apply_op2_no_bwd(&xc, &WherePositive)?
        } else {
            self.value.mul(&x.step_mask(0.0, None)?.value)?
        };
        Ok(out(v, &[self, x], |c| {
            Ok(vec![Some(c.grad.where_positive(c.y())?), None])
        }))
    }

    /// `min(max(x, 0), 6)`; NaN stays NaN.
    pub fn relu6(&self) -> Result<Tensor> {
        let x = &self.value;
        let mut v = x.clamp(0f64, 6f64)?;
        // NaN stays NaN, as in TensorFlow; candle's CUDA clamp drops it.
        if !x.device().is_cpu() && x.dtype().is_float() {
            v = x.ne(x)?.where_cond(x, &v)?;
        }
        Ok(out(v, &[self], |c| {
            Ok(vec![Some(c.grad.mul(&c.x().step_mask(0.0, Some(6.0))?)?)])
        }))
    }

    /// `x` where `x > 0`, `alpha * x` elsewhere (TensorFlow's default alpha is 0.2).
    pub fn leaky_relu(&self, alpha: f64) -> Result<Tensor> {
        let pos = self.value.gt(0f64)?.to_dtype(self.value.dtype())?;
        // slope = alpha + (1 - alpha) * [x > 0]
        let slope = pos.affine(1.0 - alpha, alpha)?;
        let v = self.value.mul(&slope)?;
        let slope = Tensor::from_candle(slope);
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.mul(&slope)?)])))
    }

    /// Exponential linear unit: `x` where `x > 0`, `alpha (e^x - 1)` elsewhere.
    pub fn elu(&self, alpha: f64) -> Result<Tensor> {
        // exp of min(x, 0) keeps the unused branch finite (no 0 * inf in backward).
        let neg = self.minimum(&self.scalar_like(0.0)?)?.exp()?.affine(alpha, -alpha)?;
        self.greater(&self.scalar_like(0.0)?)?.select(self, &neg)
    }

    /// Scaled ELU with TensorFlow's constants.
    pub fn selu(&self) -> Result<Tensor> {
        self.elu(SELU_ALPHA)?.affine(SELU_SCALE, 0.0)
    }

    /// GELU. `approximate = false` is the exact `x Φ(x)` (TensorFlow's and
    /// Keras' default); `true` is the tanh approximation.
    pub fn gelu(&self, approximate: bool) -> Result<Tensor> {
        let inner = if approximate {
            let c = (2.0 / std::f64::consts::PI).sqrt();
            (self + self.powf(3.0)?.affine(0.044715, 0.0)?)?
                .affine(c, 0.0)?
                .tanh()?
        } else {
            self.affine(std::f64::consts::FRAC_1_SQRT_2, 0.0)?.erf()?
        };
        self.mul(&inner.affine(0.5, 0.5)?)
    }

    /// `log(1 + e^x)`, computed as `max(x, 0) + log1p(e^-|x|)` (stable).
    pub fn softplus(&self) -> Result<Tensor> {
        self.relu()?.add(&self.abs()?.neg()?.exp()?.log1p()?)
    }

    /// `x / (1 + |x|)`.
    pub fn softsign(&self) -> Result<Tensor> {
        self.div(&(self.abs()? + 1.0)?)
    }

    /// `x * sigmoid(x)` (also called SiLU).
    pub fn swish(&self) -> Result<Tensor> {
        self.mul(&self.sigmoid()?)
    }

    /// A constant 0/1 mask of `lo < x` (and `x < hi`), in `x`'s dtype.
    fn step_mask(&self, lo: f64, hi: Option<f64>) -> Result<Tensor> {
        let mut m = self.value.gt(lo)?;
        if let Some(hi) = hi {
            m = m.mul(&self.value.lt(hi)?)?;
        }
        Ok(Tensor::from_candle(m.to_dtype(self.value.dtype())?))
    }
}

/// ReLU that keeps NaN, over one contiguous f32 or f64 CPU buffer.
struct ReluKeepNan;

impl candle_core::CustomOp1 for ReluKeepNan {
    fn name(&self) -> &'static str {
        "tensorlow-relu"
    }

    fn cpu_fwd(
        &self,
        s: &candle_core::CpuStorage,
        l: &candle_core::Layout,
    ) -> candle_core::Result<(candle_core::CpuStorage, candle_core::Shape)> {
        use candle_core::CpuStorage as S;
        let (a, b) = l
            .contiguous_offsets()
            .ok_or_else(|| candle_core::Error::Msg("relu needs a contiguous operand".into()))?;
        // `x <= 0` is false for NaN, which is passed on.
        let out = match s {
            S::F32(x) => S::F32(crate::cpu::elementwise::relu(&x[a..b])),
            S::F64(x) => S::F64(crate::cpu::elementwise::relu(&x[a..b])),
            _ => candle_core::bail!("relu's CPU kernel supports f32 and f64"),
        };
        Ok((out, l.shape().clone()))
    }
}

/// `g * (x > 0)` over two contiguous CPU buffers of one float dtype.
struct WherePositive;

impl candle_core::CustomOp2 for WherePositive {
    fn name(&self) -> &'static str {
        "tensorlow-where-positive"
    }

    fn cpu_fwd(
        &self,
        s1: &candle_core::CpuStorage,
        l1: &candle_core::Layout,
        s2: &candle_core::CpuStorage,
        l2: &candle_core::Layout,
    ) -> candle_core::Result<(candle_core::CpuStorage, candle_core::Shape)> {
        use candle_core::CpuStorage as S;
        let off = |l: &candle_core::Layout| {
            l.contiguous_offsets()
                .ok_or_else(|| candle_core::Error::Msg("where_positive needs contiguous operands".into()))
        };
        let ((a1, b1), (a2, b2)) = (off(l1)?, off(l2)?);
        if b1 - a1 != b2 - a2 {
            candle_core::bail!(
                "where_positive needs operands of one size, got {} and {}",
                b1 - a1,
                b2 - a2
            );
        }
        let out = match (s1, s2) {
            (S::F32(g), S::F32(x)) => S::F32(crate::cpu::elementwise::where_positive(&g[a1..b1], &x[a2..b2])),
            (S::F64(g), S::F64(x)) => S::F64(crate::cpu::elementwise::where_positive(&g[a1..b1], &x[a2..b2])),
            _ => candle_core::bail!("where_positive supports f32 and f64 operands of one dtype"),
        };
        Ok((out, l1.shape().clone()))
    }
}
