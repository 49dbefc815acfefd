//! Saving and restoring named variables in a safetensors file
//! (`tf.train.Checkpoint`).
//!
//! Files are written atomically: to a temporary file beside the target,
//! then renamed over it, so an interrupted save never destroys the last good
//! checkpoint. Restoring checks every name, shape and dtype first and says
//! which variable does not fit; nothing is assigned unless all fit.
//!
//! ```
//! use tensorlow::{Checkpoint, Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32, 2.0], &[2])?);
//! let path = std::env::temp_dir().join(format!("tl_doc_ckpt_{}.safetensors", std::process::id()));
//! Checkpoint::new().with("w", &w).save(&path)?;
//! w.assign(&Tensor::new(&[0.0f32, 0.0], &[2])?)?;
//! Checkpoint::new().with("w", &w).restore(&path)?;
//! assert_eq!(w.to_vec::<f32>()?, vec![1.0, 2.0]);
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```

use crate::{Error, Result, Tensor, Variable};
use std::collections::HashMap;
use std::path::Path;

/// A set of named variables to save or restore together.
#[derive(Clone, Default)]
pub struct Checkpoint {
    vars: Vec<(String, Variable)>,
}

/// Writes `bytes` to `path` atomically: to a temporary file
/// `.<name>.<pid>.<n>.tmp` in the same folder, flushed to disk (`fsync`),
/// renamed over the target, then the folder is flushed too, so the new
/// name survives a power loss once this returns. An I/O failure is an
/// [`Error::Io`] naming the path.
///
/// What "atomic" covers, and the cleanup of temporary files interrupted
/// saves left: see [`atomicfile::write_atomic`], which this is (kerasfile's
/// saves use it too).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    atomicfile::write_atomic(path, bytes).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

impl Checkpoint {
    /// An empty checkpoint.
    pub fn new() -> Self {
        Self::default()
    }

    /// A checkpoint of variables under their own names.
    pub fn from_variables(vars: &[&Variable]) -> Self {
        Checkpoint {
            vars: vars.iter().map(|v| (v.name().to_string(), (*v).clone())).collect(),
        }
    }

    /// Adds `var` under `name` (builder style).
    pub fn with(mut self, name: impl Into<String>, var: &Variable) -> Self {
        self.vars.push((name.into(), var.clone()));
        self
    }

    /// The names and variables, in insertion order.
    pub fn variables(&self) -> &[(String, Variable)] {
        &self.vars
    }

    /// Writes every variable to `path` (safetensors), atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut map: HashMap<String, candle_core::Tensor> = HashMap::new();
        for (name, v) in &self.vars {
            if map.insert(name.clone(), v.as_candle().clone()).is_some() {
                return Err(Error::Checkpoint {
                    path: path.display().to_string(),
                    msg: format!("two variables are named {name:?}; names in a checkpoint must be unique"),
                });
            }
        }
        let bytes =
            safetensors::serialize(map.iter().map(|(k, v)| (k.as_str(), v)), None).map_err(|e| Error::Checkpoint {
                path: path.display().to_string(),
                msg: e.to_string(),
            })?;
        write_atomic(path, &bytes)
    }

    /// Reads every variable back from `path`, checking names, shapes and dtypes.
    pub fn restore(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let err = |msg: String| Error::Checkpoint {
            path: path.display().to_string(),
            msg,
        };
        let loaded = load_tensors(path)?;
        let mut pending = Vec::with_capacity(self.vars.len());
        for (name, v) in &self.vars {
            let t = loaded.get(name).ok_or_else(|| {
                let mut have: Vec<&String> = loaded.keys().collect();
                have.sort();
                err(format!("variable {name:?} is not in the file (it holds {have:?})"))
            })?;
            if t.shape() != v.shape() {
                return Err(err(format!(
                    "variable {name:?} has shape {:?} but the file stores shape {:?}",
                    v.shape(),
                    t.shape()
                )));
            }
            if t.dtype() != v.dtype() {
                return Err(err(format!(
                    "variable {name:?} has dtype {} but the file stores {}",
                    v.dtype(),
                    t.dtype()
                )));
            }
            pending.push((v, t.to_device(&v.device())?));
        }
        for (v, t) in pending {
            v.assign(&t)?;
        }
        Ok(())
    }
}

/// Every tensor in a safetensors file, on the CPU, by name.
///
/// The file is untrusted input: its size is bounded by
/// [`max_alloc_bytes`](crate::limits::max_alloc_bytes), the header is
/// validated (offsets, shapes whose byte size must match the data, no
/// overflow) before any tensor is built, and a tensor of a dtype tensorlow
/// does not have (`I16`, `F8_E4M3`, `F4`, ...) is an error naming the
/// tensor and the file's dtype.
pub fn load_tensors(path: impl AsRef<Path>) -> Result<HashMap<String, Tensor>> {
    Ok(load_tensors_with_metadata(path)?.0)
}

/// safetensors' own limit on the JSON header.
const MAX_HEADER_BYTES: u64 = 100_000_000;

/// The bytes of a safetensors file, read no further than its header says
/// the file reaches: a huge file, or a device such as `/dev/zero`, is not
/// read into memory. Whatever the header claims must fit in
/// [`max_alloc_bytes`](crate::limits::max_alloc_bytes). A malformed file
/// is returned as read, for safetensors' validation to report.
fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    let mut read = |bytes: &mut Vec<u8>, n: u64| (&mut f).take(n).read_to_end(bytes).map_err(io);
    read(&mut bytes, 8)?;
    let Ok(len) = <[u8; 8]>::try_from(bytes.as_slice()) else {
        return Ok(bytes);
    };
    let header_len = u64::from_le_bytes(len);
    if header_len > MAX_HEADER_BYTES {
        return Ok(bytes);
    }
    read(&mut bytes, header_len)?;
    let Some(data_len) = std::str::from_utf8(&bytes[8..])
        .ok()
        .and_then(|h| serde_json::from_str::<serde_json::Value>(h).ok())
        .and_then(|h| data_end(&h))
    else {
        return Ok(bytes);
    };
    let total = 8u64.saturating_add(header_len).saturating_add(data_len);
    let bound = crate::limits::max_alloc_bytes();
    if total > bound {
        return Err(Error::ResourceExhausted {
            op: "load_tensors",
            msg: format!(
                "{}: the header says the file holds {total} bytes, more than one allocation may take \
                 ({bound} bytes, see tensorlow::limits)",
                path.display()
            ),
        });
    }
    read(&mut bytes, data_len)?;
    // One byte more, if there is one, so that trailing data is reported.
    read(&mut bytes, 1)?;
    Ok(bytes)
}

/// The largest end offset of the tensors in a safetensors header.
fn data_end(header: &serde_json::Value) -> Option<u64> {
    let mut end = 0;
    for (name, info) in header.as_object()? {
        if name != "__metadata__" {
            end = end.max(info.get("data_offsets")?.get(1)?.as_u64()?);
        }
    }
    Some(end)
}

/// tensorlow's dtype for a safetensors dtype, if it has one.
fn dtype_of(d: safetensors::Dtype) -> Option<crate::DType> {
    use crate::DType as D;
    use safetensors::Dtype as S;
    Some(match d {
        S::U8 => D::U8,
        S::U32 => D::U32,
        S::I32 => D::I32,
        S::I64 => D::I64,
        S::F16 => D::F16,
        S::BF16 => D::BF16,
        S::F32 => D::F32,
        S::F64 => D::F64,
        _ => return None,
    })
}

/// Every tensor and the metadata of safetensors `bytes` read from `path`.
fn decode(path: &Path, bytes: &[u8]) -> Result<(HashMap<String, Tensor>, HashMap<String, String>)> {
    let err = |msg: String| Error::Checkpoint {
        path: path.display().to_string(),
        msg,
    };
    let st = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| err(format!("not a readable safetensors file: {e}")))?;
    let (_, header) = safetensors::SafeTensors::read_metadata(bytes)
        .map_err(|e| err(format!("not a readable safetensors file: {e}")))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let mut out = HashMap::new();
    for (name, view) in st.tensors() {
        let dtype = dtype_of(view.dtype()).ok_or_else(|| {
            err(format!(
                "tensor {name:?} has dtype {:?}, which tensorlow does not support \
                 (supported: U8, U32, I32, I64, F16, BF16, F32, F64); convert it before loading",
                view.dtype()
            ))
        })?;
        crate::limits::check_alloc("load_tensors", view.shape(), dtype)?;
        let t = candle_core::Tensor::from_raw_buffer(
            view.data(),
            dtype.to_candle(),
            view.shape(),
            &candle_core::Device::Cpu,
        )
        .map_err(|e| err(format!("tensor {name:?}: {}", Error::from(e))))?;
        out.insert(name, Tensor::from_candle(t));
    }
    Ok((out, metadata))
}

/// Writes named tensors to a safetensors file, atomically.
pub fn save_tensors(path: impl AsRef<Path>, tensors: &[(String, Tensor)]) -> Result<()> {
    save_tensors_with_metadata(path, tensors, HashMap::new())
}

/// Writes named tensors plus string metadata (the safetensors header's
/// `__metadata__`, e.g. a model's JSON config) to a file, atomically.
///
/// ```
/// use std::collections::HashMap;
/// use tensorlow::{load_tensors_with_metadata, save_tensors_with_metadata, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let path = std::env::temp_dir().join(format!("tl_doc_meta_{}.safetensors", std::process::id()));
/// let meta = HashMap::from([("format".to_string(), "demo".to_string())]);
/// save_tensors_with_metadata(&path, &[("w".into(), Tensor::new(&[1.0f32], &[1])?)], meta)?;
/// let (tensors, meta) = load_tensors_with_metadata(&path)?;
/// assert_eq!(meta["format"], "demo");
/// assert_eq!(tensors["w"].to_vec::<f32>()?, vec![1.0]);
/// # std::fs::remove_file(&path).ok();
/// # Ok(()) }
/// ```
pub fn save_tensors_with_metadata(
    path: impl AsRef<Path>,
    tensors: &[(String, Tensor)],
    metadata: HashMap<String, String>,
) -> Result<()> {
    let path = path.as_ref();
    let metadata = if metadata.is_empty() { None } else { Some(metadata) };
    let bytes =
        safetensors::serialize(tensors.iter().map(|(k, v)| (k.as_str(), v.as_candle())), metadata).map_err(|e| {
            Error::Checkpoint {
                path: path.display().to_string(),
                msg: e.to_string(),
            }
        })?;
    write_atomic(path, &bytes)
}

/// Every tensor (on the CPU, by name) and the string metadata of a
/// safetensors file (empty when the file has none). The file is checked as
/// by [`load_tensors`].
pub fn load_tensors_with_metadata(
    path: impl AsRef<Path>,
) -> Result<(HashMap<String, Tensor>, HashMap<String, String>)> {
    let path = path.as_ref();
    decode(path, &read_bounded(path)?)
}
