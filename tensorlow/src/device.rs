//! Where tensors live: the CPU or an NVIDIA GPU.

use crate::{Error, Result};

/// A compute device.
///
/// ```
/// let cpu = tensorlow::Device::cpu();
/// assert!(!cpu.is_cuda());
/// // Falls back to the CPU when there is no GPU (or no `cuda` feature).
/// let dev = tensorlow::Device::cuda_if_available(0);
/// println!("training on {dev}");
/// ```
#[derive(Clone, Debug)]
pub struct Device(pub(crate) candle_core::Device);

impl Device {
    /// The host CPU.
    pub fn cpu() -> Self {
        Device(candle_core::Device::Cpu)
    }

    /// The NVIDIA GPU with ordinal `i`.
    ///
    /// Fails with a message that says whether the `cuda` feature or the GPU
    /// (driver) is missing.
    pub fn cuda(i: usize) -> Result<Self> {
        if !cfg!(feature = "cuda") {
            return Err(Error::Device(format!(
                "CUDA device {i} requested, but tensorlow was built without the `cuda` feature; \
                 rebuild with `--features cuda` (needs the CUDA toolkit)"
            )));
        }
        candle_core::Device::new_cuda(i).map(Device).map_err(|e| {
            Error::Device(format!(
                "CUDA device {i} requested; the build has the `cuda` feature but no usable GPU \
                 or driver was found: {e}"
            ))
        })
    }

    /// GPU `i` when the build has `cuda` and a GPU is present, otherwise the CPU.
    pub fn cuda_if_available(i: usize) -> Self {
        Self::cuda(i).unwrap_or_else(|_| Self::cpu())
    }

    /// Parses `"cpu"`, `"cuda"` (or `"gpu"`) or `"cuda:N"` (as given on a
    /// command line); an unknown name suggests the closest known one.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "cpu" => Ok(Self::cpu()),
            "cuda" | "gpu" => Self::cuda(0),
            _ => match s.strip_prefix("cuda:").and_then(|n| n.parse().ok()) {
                Some(i) => Self::cuda(i),
                None => Err(Error::arg(format!(
                    "unknown device {s:?}{}; expected \"cpu\", \"cuda\" or \"cuda:N\" (N = 0, 1, ...)",
                    crate::names::did_you_mean(s.split(':').next().unwrap_or(s), ["cpu", "cuda", "gpu"])
                ))),
            },
        }
    }

    /// True for a GPU.
    pub fn is_cuda(&self) -> bool {
        self.0.is_cuda()
    }

    /// True for the CPU.
    pub fn is_cpu(&self) -> bool {
        self.0.is_cpu()
    }

    /// Whether two devices are the same one.
    pub fn same(&self, other: &Device) -> bool {
        self.0.same_device(&other.0)
    }

    /// Waits until queued work on the device is done (a no-op on the CPU);
    /// needed for honest timings on a GPU.
    pub fn synchronize(&self) -> Result<()> {
        Ok(self.0.synchronize()?)
    }
}

impl Default for Device {
    fn default() -> Self {
        Self::cpu()
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            candle_core::Device::Cpu => f.write_str("cpu"),
            d => match d.location() {
                candle_core::DeviceLocation::Cuda { gpu_id } => write!(f, "cuda:{gpu_id}"),
                l => write!(f, "{l:?}"),
            },
        }
    }
}
