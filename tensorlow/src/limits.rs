//! Size checks: every op that creates a tensor from a shape a user or a
//! file gave (`zeros`, `range`, `one_hot`, random tensors, broadcasts,
//! matmul outputs, loaded checkpoints, ...) passes it through
//! [`check_alloc`] before anything is allocated.
//!
//! Two things are checked, as TensorFlow does:
//! - **the arithmetic**: the number of elements (and every partial product
//!   of the dimensions, which strides are made of) must fit in a `usize`;
//!   a shape such as `[1 << 32, 1 << 32]` is an [`Error::Shape`], never a
//!   wrapped-around zero-element tensor or an overflow panic;
//! - **the bound**: one tensor may take at most [`max_alloc_bytes`] bytes;
//!   a larger one is an [`Error::ResourceExhausted`] (TensorFlow's
//!   `ResourceExhaustedError`) naming the shape and the bytes, instead of
//!   the allocator aborting the process.
//!
//! The bound is what one allocation can possibly get on this machine: the
//! physical memory (`MemTotal` in `/proc/meminfo`), lowered to the
//! process's address-space and data-size limits (`ulimit -v`, `ulimit -d`,
//! read from `/proc/self/limits`) when those are set. Where `/proc` cannot
//! be read (not Linux) it is 1 TiB. The environment variable
//! `TENSORLOW_MAX_ALLOC_BYTES`, read once at first use, replaces it, and
//! [`set_max_alloc_bytes`] changes it at run time. The bound is per
//! tensor: it stops the allocations that cannot succeed, not a program
//! that fills memory with many tensors that each fit.
//!
//! ```
//! use tensorlow::{DType, Device, Error, Tensor};
//! let e = Tensor::zeros(&[1 << 50], DType::F32, &Device::cpu()).unwrap_err();
//! assert!(matches!(e, Error::ResourceExhausted { .. }), "{e}");
//! assert!(e.to_string().contains("[1125899906842624]"), "{e}");
//! let e = Tensor::zeros(&[1 << 32, 1 << 32], DType::F32, &Device::cpu()).unwrap_err();
//! assert!(matches!(e, Error::Shape { .. }), "{e}");
//! ```

use crate::{DType, Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// Where `/proc` cannot be read: 1 TiB.
const FALLBACK_BYTES: u64 = 1 << 40;

/// 0 = not yet computed.
static BOUND: AtomicU64 = AtomicU64::new(0);

/// The most bytes one tensor may take (see the module docs for where the
/// number comes from).
pub fn max_alloc_bytes() -> u64 {
    match BOUND.load(Ordering::Relaxed) {
        0 => {
            let b = detect_bound();
            // A concurrent `set_max_alloc_bytes` wins over the detection.
            match BOUND.compare_exchange(0, b, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => b,
                Err(set) => set,
            }
        }
        b => b,
    }
}

/// Sets the bound [`max_alloc_bytes`] returns, for the whole process
/// (e.g. a service that must refuse tensors above a budget). `0` restores
/// the detected bound.
pub fn set_max_alloc_bytes(bytes: u64) {
    BOUND.store(if bytes == 0 { detect_bound() } else { bytes }, Ordering::Relaxed);
}

fn detect_bound() -> u64 {
    if let Some(b) = std::env::var("TENSORLOW_MAX_ALLOC_BYTES")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&b| b > 0)
    {
        return b;
    }
    let mut bound = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_total(&t))
        .unwrap_or(FALLBACK_BYTES);
    if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
        for name in ["Max address space", "Max data size"] {
            if let Some(l) = soft_limit(&limits, name) {
                bound = bound.min(l);
            }
        }
    }
    // Rust refuses allocations above isize::MAX bytes with a panic.
    bound.min(isize::MAX as u64)
}

/// `MemTotal:  24683584 kB` -> bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// The soft limit of a `/proc/self/limits` row (`Max address space
/// unlimited unlimited bytes`), `None` when unlimited or unreadable.
fn soft_limit(limits: &str, name: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// The number of elements of `shape`, checked: the product of its non-zero
/// dimensions must fit in a `usize`, so that every partial product (the
/// strides of a layout, element counts computed in any order) does too.
pub fn checked_elem_count(op: &'static str, shape: &[usize]) -> Result<usize> {
    let mut n: usize = 1;
    for &d in shape.iter().filter(|&&d| d != 0) {
        n = n.checked_mul(d).ok_or_else(|| {
            Error::shape(
                op,
                format!(
                    "shape {shape:?} has more elements than can be counted (the product of its dimensions overflows)"
                ),
            )
        })?;
    }
    Ok(if shape.contains(&0) { 0 } else { n })
}

/// Checks that a `dtype` tensor of `shape` can be allocated (see the module
/// docs) and returns its number of elements. Every tensorlow op that
/// allocates from a given shape calls this first; code outside tensorlow
/// that allocates its own buffers from untrusted sizes can call it too.
pub fn check_alloc(op: &'static str, shape: &[usize], dtype: DType) -> Result<usize> {
    let n = checked_elem_count(op, shape)?;
    let bytes = (n as u128) * dtype.size_in_bytes() as u128;
    let bound = max_alloc_bytes();
    if bytes > bound as u128 {
        return Err(Error::ResourceExhausted {
            op,
            msg: format!(
                "a {dtype} tensor of shape {shape:?} needs {bytes} bytes ({}), more than one tensor may take \
                 ({bound} bytes, {}: {}); use a smaller shape",
                human(bytes),
                human(bound as u128),
                bound_source()
            ),
        });
    }
    Ok(n)
}

/// [`check_alloc`] for a tensor on `device`: the byte bound is host memory,
/// so off the CPU (whose allocators report failure as an error) only the
/// arithmetic is checked.
pub(crate) fn check_alloc_on(
    op: &'static str,
    shape: &[usize],
    dtype: DType,
    device: &candle_core::Device,
) -> Result<usize> {
    if device.is_cpu() {
        check_alloc(op, shape, dtype)
    } else {
        checked_elem_count(op, shape)
    }
}

/// Where the bound came from, for messages.
fn bound_source() -> &'static str {
    if std::env::var_os("TENSORLOW_MAX_ALLOC_BYTES").is_some() {
        "set by TENSORLOW_MAX_ALLOC_BYTES"
    } else {
        "this machine's physical memory or the process's memory limit; see tensorlow::limits"
    }
}

/// `1099511627776` -> `"1.0 TiB"`.
fn human(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_parse() {
        assert_eq!(
            mem_total("MemTotal:       24683584 kB\nMemFree: 1 kB\n"),
            Some(24683584 * 1024)
        );
        assert_eq!(mem_total("nothing"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max data size             unlimited            unlimited            bytes\n\
                      Max address space         4294967296           unlimited            bytes\n";
        assert_eq!(soft_limit(limits, "Max address space"), Some(1 << 32));
        assert_eq!(soft_limit(limits, "Max data size"), None);
    }

    #[test]
    fn partial_products_are_checked_too() {
        // Zero elements, but the stride of the first axis, or the product
        // taken from the left, is 2^80.
        assert!(checked_elem_count("t", &[0, 1 << 40, 1 << 40]).is_err());
        assert!(checked_elem_count("t", &[1 << 40, 1 << 40, 0]).is_err());
        assert_eq!(checked_elem_count("t", &[1 << 40, 1 << 20, 0]).unwrap(), 0);
        assert_eq!(checked_elem_count("t", &[]).unwrap(), 1);
        assert_eq!(human(1 << 40), "1.0 TiB");
        assert_eq!(human(512), "512 B");
    }
}
