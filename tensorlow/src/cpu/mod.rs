//! tensorlow's own CPU kernels that are not ops: the thread team that
//! splits work over cores ([`parallel`]), the 2-D matrix products
//! ([`gemm`]) and the fused in-place optimizer updates ([`update`]). The
//! differentiable ops in `ops/` and `nn/` call them on the CPU for f32/f64
//! and fall back to candle's kernels elsewhere (CUDA, other dtypes).
//!
//! ```ignore
//! // (crate-private) run two halves of a job on the team.
//! cpu::parallel::for_each(2, |part| work(part));
//! ```

pub(crate) mod gemm;
pub(crate) mod parallel;
pub(crate) mod update;
