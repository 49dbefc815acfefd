//! tensorlow's own CPU kernels that are not ops: the thread team that
//! splits work over cores ([`parallel`]), the 2-D matrix products
//! ([`gemm`]), the fused in-place optimizer updates ([`update`]), the
//! `NHWC` convolution ([`conv`]: im2col / col2im around `gemm`) and pooling
//! ([`pool`]) kernels, the large element-wise maps ([`elementwise`]) and
//! the fused recurrent kernels ([`rnn`]). The differentiable ops in `ops/`
//! and `nn/` call them
//! on the CPU for f32/f64 and fall back to candle's kernels elsewhere
//! (CUDA, other dtypes).
//!
//! Kernels that read tensors go through [`run`]: it hands a [`Kernel`] the
//! contiguous data of its inputs as slices of one float type and wraps the
//! `Vec` it returns as a new CPU tensor.
//!
//! ```ignore
//! // (crate-private) run two halves of a job on the team.
//! cpu::parallel::for_each(2, |part| work(part));
//! ```

pub(crate) mod conv;
pub(crate) mod elementwise;
pub(crate) mod gemm;
pub(crate) mod parallel;
pub(crate) mod pool;
pub(crate) mod rnn;
pub(crate) mod update;

use candle_core::{CpuStorage, DType, Storage, Tensor as Ct, WithDType};

/// Whether [`run`] handles `t`: an f32 or f64 tensor on the CPU.
pub(crate) fn handles(t: &Ct) -> bool {
    t.device().is_cpu() && matches!(t.dtype(), DType::F32 | DType::F64)
}

/// A CPU computation from input slices (all of one float type, each the
/// contiguous data of one input tensor) to the output's data.
pub(crate) trait Kernel {
    /// The output's data, `shape`'s element count long.
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T>;
}

/// Runs `k` on `inputs` (f32 or f64 CPU tensors of one dtype, see
/// [`handles`]; made contiguous first) and returns its output as a tensor of
/// `shape`.
pub(crate) fn run<K: Kernel>(k: &K, inputs: &[&Ct], shape: &[usize]) -> candle_core::Result<Ct> {
    let dtype = inputs.first().map_or(DType::F32, |t| t.dtype());
    let cont = inputs
        .iter()
        .map(|t| t.contiguous())
        .collect::<candle_core::Result<Vec<_>>>()?;
    let guards: Vec<_> = cont.iter().map(|t| t.storage_and_layout()).collect();
    fn slices<'a, T: WithDType, G: std::ops::Deref<Target = Storage>>(
        guards: &'a [(G, &'a candle_core::Layout)],
        get: impl Fn(&CpuStorage) -> Option<&[T]>,
    ) -> candle_core::Result<Vec<&'a [T]>> {
        guards
            .iter()
            .map(|(s, l)| {
                let (a, b) = l
                    .contiguous_offsets()
                    .ok_or_else(|| candle_core::Error::Msg("cpu kernel: operand is not contiguous".into()))?;
                match &**s {
                    Storage::Cpu(c) => get(c).map(|v| &v[a..b]),
                    _ => None,
                }
                .ok_or_else(|| {
                    candle_core::Error::Msg("cpu kernel: operands must be f32/f64 CPU tensors of one dtype".into())
                })
            })
            .collect()
    }
    let n: usize = shape.iter().product();
    let device = candle_core::Device::Cpu;
    match dtype {
        DType::F32 => {
            let s = slices(&guards, |c| {
                if let CpuStorage::F32(v) = c {
                    Some(v.as_slice())
                } else {
                    None
                }
            })?;
            let out = k.run(&s);
            debug_assert_eq!(out.len(), n);
            Ct::from_vec(out, shape, &device)
        }
        DType::F64 => {
            let s = slices(&guards, |c| {
                if let CpuStorage::F64(v) = c {
                    Some(v.as_slice())
                } else {
                    None
                }
            })?;
            let out = k.run(&s);
            debug_assert_eq!(out.len(), n);
            Ct::from_vec(out, shape, &device)
        }
        other => candle_core::bail!("cpu kernel: f32/f64 only, got {other:?}"),
    }
}
