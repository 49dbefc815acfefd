//! Pooling with TensorFlow's layouts and padding rules: [`max_pool2d`] and
//! [`avg_pool2d`] over `NHWC` inputs, [`max_pool1d`] and [`avg_pool1d`]
//! over `NWC` inputs. (Global pooling is a reduction:
//! `x.mean(&[1, 2], keepdims)` / `x.max(&[1, 2], keepdims)`.)
//!
//! ## Design
//! - Window sizes and strides are `(height, width)` tuples (TensorFlow's
//!   four-element lists keep batch and channel entries that must be 1).
//! - [`Padding::Same`] pads max pooling with `-inf` (a pad never wins) and
//!   makes average pooling divide by the number of *valid* elements of each
//!   window, as TensorFlow does.
//! - On the CPU (f32/f64) the passes run tensorlow's own `NHWC` kernels
//!   (`cpu::pool`); max pooling keeps each window's argmax from the forward
//!   pass for the backward. Elsewhere they use candle's pooling kernels on
//!   `NCHW` (permuting at the boundary), with the same results.
//! - Max pooling sends each window's gradient to the first maximum of the
//!   window in row-major order (TensorFlow's tie rule). Both gradients are
//!   recorded ops whose own gradients are the pooling (average) or the
//!   gather at the same maxima (max), so second derivatives work.
//!
//! ```
//! use tensorlow::{nn, nn::Padding, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // A 1-channel 3x3 image (NHWC).
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1, 3, 3, 1])?;
//! let m = nn::max_pool2d(&x, (2, 2), (1, 1), Padding::Valid)?;
//! assert_eq!(m.to_vec::<f32>()?, vec![5.0, 6.0, 8.0, 9.0]);
//! // SAME with stride 2: windows {1,2,4,5}, {3,6}, {7,8}, {9} (padding not counted).
//! let a = nn::avg_pool2d(&x, (2, 2), (2, 2), Padding::Same)?;
//! assert_eq!(a.to_vec::<f32>()?, vec![3.0, 4.5, 7.5, 9.0]);
//! # Ok(()) }
//! ```

use super::conv::{nchw, nhwc, own_kernels, raw_conv_t};
use super::geometry::{pad_nchw, Geom, Padding};
use crate::cpu::pool::{AvgPool, AvgPoolGrad, MaxPool, MaxPoolGather, MaxPoolScatter, PoolDims};
use crate::ops::out;
use crate::{cpu, tape, Error, Result, Tensor};
use candle_core::Tensor as Ct;
use std::sync::Arc;

/// The CPU kernels' view of a pooling of `x`.
fn dims(geo: &Geom, x: &Tensor) -> PoolDims {
    let s = x.shape();
    PoolDims {
        batch: s[0],
        input: geo.input,
        channels: s[3],
        kernel: geo.kernel,
        stride: geo.stride,
        pad: [geo.pad[0][0], geo.pad[1][0]],
        output: geo.output,
    }
}

/// Checks a pooling op's input and window and returns its geometry.
fn pool_geom(
    op: &'static str,
    input: &Tensor,
    ksize: (usize, usize),
    strides: (usize, usize),
    padding: Padding,
) -> Result<Geom> {
    if !input.dtype().is_float() {
        return Err(Error::DType {
            op,
            msg: format!("pooling needs a floating-point dtype, got {}", input.dtype()),
        });
    }
    if input.rank() != 4 {
        return Err(Error::shape(
            op,
            format!(
                "input must have rank 4 (batch, height, width, channels), got shape {:?}",
                input.shape()
            ),
        ));
    }
    let s = input.shape();
    Geom::new(
        op,
        ["height", "width"],
        [s[1], s[2]],
        [ksize.0, ksize.1],
        [strides.0, strides.1],
        [1, 1],
        padding,
    )
}

/// Max pooling (`tf.nn.max_pool2d`): the maximum of each `ksize` window of
/// an `NHWC` input, windows `strides` apart, per channel.
///
/// Returns `(batch, out_height, out_width, channels)`. With
/// [`Padding::Same`] the border is padded with `-inf`. The gradient goes to
/// the first maximum of each window (row-major order), as in TensorFlow;
/// overlapping windows add their gradients.
///
/// ```
/// use tensorlow::{nn, nn::Padding, GradientTape, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[-1.0f64, -4.0, -3.0, -2.0], &[1, 2, 2, 1])?;
/// let tape = GradientTape::new();
/// tape.watch(&x);
/// // Pads one row and one column of -inf (not 0) at the bottom/right.
/// let y = nn::max_pool2d(&x, (2, 2), (1, 1), Padding::Same)?;
/// assert_eq!(y.to_vec::<f64>()?, vec![-1.0, -2.0, -2.0, -2.0]);
/// let g = tape.gradient(&y, &[&x])?[0].clone().unwrap();
/// assert_eq!(g.to_vec::<f64>()?, vec![1.0, 0.0, 0.0, 3.0]); // -2 wins three windows
/// # Ok(()) }
/// ```
pub fn max_pool2d(input: &Tensor, ksize: (usize, usize), strides: (usize, usize), padding: Padding) -> Result<Tensor> {
    let geo = pool_geom("max_pool2d", input, ksize, strides, padding)?;
    let d = dims(&geo, input);
    if own_kernels(&[&input.value]) && d.argmax_fits() {
        let k = MaxPool::new(d, tape::is_recording());
        let y = cpu::run(&k, &[&input.value], &d.y_shape())?;
        let idx = k.take_argmax();
        return Ok(out(y, &[input], move |c| {
            let am = match &idx {
                Some(idx) => Argmax::Own { d, idx: idx.clone() },
                None => Argmax::candle(&c.x().value, geo)?,
            };
            Ok(vec![Some(max_pool_grad(c.grad, am)?)])
        }));
    }
    let xp = geo.pad_input(&nchw(&input.value)?, f64::NEG_INFINITY)?.contiguous()?;
    let y = xp.max_pool2d_with_stride(ksize, strides)?;
    Ok(out(nhwc(&y)?, &[input], move |c| {
        let am = Argmax::candle(&c.x().value, geo)?;
        Ok(vec![Some(max_pool_grad(c.grad, am)?)])
    }))
}

/// Where each max-pooling window's maximum sits.
#[derive(Clone)]
enum Argmax {
    /// From tensorlow's CPU kernel: the index within its image of each
    /// output's maximum, in output order.
    Own { d: PoolDims, idx: Arc<Vec<u32>> },
    /// For candle's path: `(batch, channels, out_h * out_w)` `u32` flat
    /// indices into the padded `(pad_h * pad_w)` plane.
    Candle { idx: Ct, geo: Geom },
}

impl Argmax {
    /// Finds the first maximum (row-major) of each window of the `NHWC` `x`.
    fn candle(x: &Ct, geo: Geom) -> Result<Argmax> {
        let xp = pad_nchw(&nchw(x)?, geo.pad, f64::NEG_INFINITY)?;
        let (n, ch, hp, wp) = xp.dims4()?;
        let flat = xp.reshape((n, ch, hp * wp))?;
        let ([ho, wo], [sh, sw]) = (geo.output, geo.stride);
        let len = ho * wo;
        let mut best: Option<(Ct, Ct)> = None;
        for ky in 0..geo.kernel[0] {
            for kx in 0..geo.kernel[1] {
                let ids: Vec<u32> = (0..ho)
                    .flat_map(|oy| (0..wo).map(move |ox| ((ky + sh * oy) * wp + kx + sw * ox) as u32))
                    .collect();
                let ids = Ct::from_vec(ids, len, x.device())?;
                let v = flat.index_select(&ids, 2)?;
                let ids = ids.reshape((1, 1, len))?.broadcast_as((n, ch, len))?;
                best = Some(match best {
                    None => (v, ids),
                    Some((bv, bi)) => {
                        // Strictly greater: a tie keeps the earlier position.
                        let better = v.gt(&bv)?;
                        (better.where_cond(&v, &bv)?, better.where_cond(&ids, &bi)?)
                    }
                });
            }
        }
        let idx = best.expect("a window has at least one element").1.contiguous()?;
        Ok(Argmax::Candle { idx, geo })
    }

    /// The candle form of an argmax from the CPU kernel (for a gradient
    /// that is not an f32/f64 CPU tensor).
    fn into_candle(self, device: &candle_core::Device) -> Result<(Ct, Geom)> {
        match self {
            Argmax::Candle { idx, geo } => Ok((idx, geo)),
            Argmax::Own { d, idx } => {
                let geo = Geom {
                    input: d.input,
                    kernel: d.kernel,
                    stride: d.stride,
                    dilation: [1, 1],
                    pad: [[d.pad[0], 0], [d.pad[1], 0]],
                    output: d.output,
                };
                let (c, [ho, wo], w, wp) = (d.channels, d.output, d.input[1], d.input[1] + d.pad[1]);
                let per = ho * wo * c;
                let mut v = vec![0u32; idx.len()];
                for (j, &a) in idx.iter().enumerate() {
                    let (n, r) = (j / per, j % per);
                    let (p, ch) = (r / c, r % c);
                    let a = a as usize / c;
                    let (iy, ix) = (a / w + d.pad[0], a % w + d.pad[1]);
                    v[(n * c + ch) * ho * wo + p] = (iy * wp + ix) as u32;
                }
                let idx = Ct::from_vec(v, (d.batch, c, ho * wo), device)?;
                Ok((idx, geo))
            }
        }
    }
}

/// The gradient of [`max_pool2d`]: each element of the `NHWC` output
/// gradient `g` is added at its window's maximum.
fn max_pool_grad(g: &Tensor, am: Argmax) -> Result<Tensor> {
    let dx = match &am {
        Argmax::Own { d, idx } if own_kernels(&[&g.value]) => {
            let k = MaxPoolScatter {
                d: *d,
                argmax: idx.clone(),
            };
            cpu::run(&k, &[&g.value], &d.x_shape())?
        }
        _ => {
            let (idx, geo) = am.clone().into_candle(g.value.device())?;
            let gv = nchw(&g.value)?;
            let (n, ch, ho, wo) = gv.dims4()?;
            let gv = gv.contiguous()?.reshape((n, ch, ho * wo))?;
            let (hp, wp) = (geo.padded(0), geo.padded(1));
            let dx = Ct::zeros((n, ch, hp * wp), gv.dtype(), gv.device())?
                .scatter_add(&idx, &gv, 2)?
                .reshape((n, ch, hp, wp))?
                .narrow(2, geo.pad[0][0], geo.input[0])?
                .narrow(3, geo.pad[1][0], geo.input[1])?;
            nhwc(&dx)?
        }
    };
    Ok(out(dx, &[g], move |c| {
        Ok(vec![Some(max_pool_gather(c.grad, am.clone())?)])
    }))
}

/// The adjoint of [`max_pool_grad`]: the value of the `NHWC` `u` at each
/// window's maximum.
fn max_pool_gather(u: &Tensor, am: Argmax) -> Result<Tensor> {
    let y = match &am {
        Argmax::Own { d, idx } if own_kernels(&[&u.value]) => {
            let k = MaxPoolGather {
                d: *d,
                argmax: idx.clone(),
            };
            cpu::run(&k, &[&u.value], &d.y_shape())?
        }
        _ => {
            let (idx, geo) = am.clone().into_candle(u.value.device())?;
            let up = pad_nchw(&nchw(&u.value)?, geo.pad, 0.0)?;
            let (n, ch, hp, wp) = up.dims4()?;
            let y = up
                .reshape((n, ch, hp * wp))?
                .gather(&idx, 2)?
                .reshape((n, ch, geo.output[0], geo.output[1]))?;
            nhwc(&y)?
        }
    };
    Ok(out(y, &[u], move |c| {
        Ok(vec![Some(max_pool_grad(c.grad, am.clone())?)])
    }))
}

/// The number of valid (non-padding) elements in each window, row-major
/// over the output positions; `None` when every window is full.
fn window_counts(geo: &Geom) -> Option<Vec<f64>> {
    if geo.pad == [[0; 2]; 2] {
        return None;
    }
    let valid = |a: usize, o: usize| {
        let start = o * geo.stride[a];
        let end = start + geo.kernel[a];
        let lo = start.max(geo.pad[a][0]);
        let hi = end.min(geo.pad[a][0] + geo.input[a]);
        hi.saturating_sub(lo) as f64
    };
    let mut v = Vec::with_capacity(geo.output[0] * geo.output[1]);
    for oy in 0..geo.output[0] {
        for ox in 0..geo.output[1] {
            v.push(valid(0, oy) * valid(1, ox));
        }
    }
    Some(v)
}

/// `(1, 1, out_h, out_w)` factors `f(count)` per window, or `None` when
/// every window is full.
fn count_factor(geo: &Geom, like: &Ct, f: impl Fn(f64) -> f64) -> Result<Option<Ct>> {
    let Some(counts) = window_counts(geo) else {
        return Ok(None);
    };
    let v: Vec<f64> = counts.into_iter().map(f).collect();
    let t = Ct::from_vec(v, (1, 1, geo.output[0], geo.output[1]), like.device())?.to_dtype(like.dtype())?;
    Ok(Some(t))
}

/// Average pooling (`tf.nn.avg_pool2d`): the mean of each `ksize` window of
/// an `NHWC` input, windows `strides` apart, per channel.
///
/// Returns `(batch, out_height, out_width, channels)`. With
/// [`Padding::Same`] each window averages only its valid elements (the
/// padding is not counted), as in TensorFlow.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f64, 2.0, 3.0, 4.0], &[1, 2, 2, 1])?;
/// let y = nn::avg_pool2d(&x, (2, 2), (1, 1), Padding::Same)?;
/// assert_eq!(y.to_vec::<f64>()?, vec![2.5, 3.0, 3.5, 4.0]);
/// # Ok(()) }
/// ```
pub fn avg_pool2d(input: &Tensor, ksize: (usize, usize), strides: (usize, usize), padding: Padding) -> Result<Tensor> {
    let geo = pool_geom("avg_pool2d", input, ksize, strides, padding)?;
    avg_pool_op(input, geo)
}

fn avg_pool_op(x: &Tensor, geo: Geom) -> Result<Tensor> {
    if own_kernels(&[&x.value]) {
        let d = dims(&geo, x);
        let y = cpu::run(&AvgPool(d), &[&x.value], &d.y_shape())?;
        return Ok(out(y, &[x], move |c| Ok(vec![Some(avg_pool_grad(c.grad, geo)?)])));
    }
    let xp = geo.pad_input(&nchw(&x.value)?, 0.0)?.contiguous()?;
    let k = (geo.kernel[0], geo.kernel[1]);
    let mut y = xp.avg_pool2d_with_stride(k, (geo.stride[0], geo.stride[1]))?;
    let full = (k.0 * k.1) as f64;
    if let Some(scale) = count_factor(&geo, &y, |n| full / n)? {
        y = y.broadcast_mul(&scale)?;
    }
    Ok(out(nhwc(&y)?, &[x], move |c| {
        Ok(vec![Some(avg_pool_grad(c.grad, geo)?)])
    }))
}

/// The gradient of average pooling: each element of the `NHWC` output
/// gradient, divided by its window's count, spread over the window.
fn avg_pool_grad(g: &Tensor, geo: Geom) -> Result<Tensor> {
    if own_kernels(&[&g.value]) {
        // `g` has the output's batch and channels.
        let d = dims(&geo, g);
        let dx = cpu::run(&AvgPoolGrad(d), &[&g.value], &d.x_shape())?;
        return Ok(out(dx, &[g], move |c| Ok(vec![Some(avg_pool_op(c.grad, geo)?)])));
    }
    let mut gv = nchw(&g.value)?;
    let (n, ch, ho, wo) = gv.dims4()?;
    let full = (geo.kernel[0] * geo.kernel[1]) as f64;
    gv = match count_factor(&geo, &gv, |n| 1.0 / n)? {
        Some(inv) => gv.broadcast_mul(&inv)?,
        None => gv.affine(1.0 / full, 0.0)?,
    };
    // A transposed convolution with a ones kernel, each channel on its own.
    let gv = gv.contiguous()?.reshape((n * ch, 1, ho, wo))?;
    let ones = Ct::ones((1, 1, geo.kernel[0], geo.kernel[1]), gv.dtype(), gv.device())?;
    let spread = raw_conv_t(&gv, &ones, geo.stride, [1, 1])?;
    let dx = geo
        .crop(&spread)?
        .contiguous()?
        .reshape((n, ch, geo.input[0], geo.input[1]))?;
    Ok(out(nhwc(&dx)?, &[g], move |c| {
        Ok(vec![Some(avg_pool_op(c.grad, geo)?)])
    }))
}

/// A 2-D pooling op: input, window, strides, padding.
type Pool2d = fn(&Tensor, (usize, usize), (usize, usize), Padding) -> Result<Tensor>;

/// Checks a 1-D pooling op's input and pools it as an image of height 1.
fn pool1d(
    op: &'static str,
    input: &Tensor,
    pool_size: usize,
    stride: usize,
    padding: Padding,
    pool2d: Pool2d,
) -> Result<Tensor> {
    if input.rank() != 3 {
        return Err(Error::shape(
            op,
            format!(
                "input must have rank 3 (batch, width, channels), got shape {:?}",
                input.shape()
            ),
        ));
    }
    let s = input.shape();
    // Validate here so that errors name this op.
    Geom::new(
        op,
        ["height", "width"],
        [1, s[1]],
        [1, pool_size],
        [1, stride],
        [1, 1],
        padding,
    )?;
    let y = pool2d(
        &input.reshape(&[s[0], 1, s[1], s[2]])?,
        (1, pool_size),
        (1, stride),
        padding,
    )?;
    let w = y.shape()[2];
    y.reshape(&[s[0], w, s[2]])
}

/// 1-D max pooling (Keras' `MaxPooling1D`, `tf.nn.max_pool1d`): the maximum
/// of each `pool_size` window of an `NWC` input `(batch, width, channels)`,
/// windows `stride` apart. A [`max_pool2d`] over a height of 1: the same
/// padding, tie and gradient rules.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, 3.0, 2.0, 5.0, 4.0], &[1, 5, 1])?;
/// assert_eq!(nn::max_pool1d(&x, 2, 2, Padding::Valid)?.to_vec::<f32>()?, vec![3.0, 5.0]);
/// assert_eq!(nn::max_pool1d(&x, 2, 2, Padding::Same)?.to_vec::<f32>()?, vec![3.0, 5.0, 4.0]);
/// # Ok(()) }
/// ```
pub fn max_pool1d(input: &Tensor, pool_size: usize, stride: usize, padding: Padding) -> Result<Tensor> {
    pool1d("max_pool1d", input, pool_size, stride, padding, max_pool2d)
}

/// 1-D average pooling (Keras' `AveragePooling1D`, `tf.nn.avg_pool1d`):
/// the mean of each `pool_size` window of an `NWC` input, windows `stride`
/// apart; with [`Padding::Same`] only valid elements count.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, 3.0, 2.0, 5.0, 4.0], &[1, 5, 1])?;
/// assert_eq!(nn::avg_pool1d(&x, 2, 2, Padding::Same)?.to_vec::<f32>()?, vec![2.0, 3.5, 4.0]);
/// # Ok(()) }
/// ```
pub fn avg_pool1d(input: &Tensor, pool_size: usize, stride: usize, padding: Padding) -> Result<Tensor> {
    pool1d("avg_pool1d", input, pool_size, stride, padding, avg_pool2d)
}
