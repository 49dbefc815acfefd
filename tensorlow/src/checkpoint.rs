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

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// folder, flushed, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // Unique per process and per call: two threads saving the same path must
    // not write into (and rename away) each other's temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
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
pub fn load_tensors(path: impl AsRef<Path>) -> Result<HashMap<String, Tensor>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    let map =
        candle_core::safetensors::load_buffer(&bytes, &candle_core::Device::Cpu).map_err(|e| Error::Checkpoint {
            path: path.display().to_string(),
            msg: format!("not a readable safetensors file: {e}"),
        })?;
    Ok(map.into_iter().map(|(k, v)| (k, Tensor::from_candle(v))).collect())
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
/// safetensors file (empty when the file has none).
pub fn load_tensors_with_metadata(
    path: impl AsRef<Path>,
) -> Result<(HashMap<String, Tensor>, HashMap<String, String>)> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    let err = |e: String| Error::Checkpoint {
        path: path.display().to_string(),
        msg: format!("not a readable safetensors file: {e}"),
    };
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).map_err(|e| err(e.to_string()))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let map =
        candle_core::safetensors::load_buffer(&bytes, &candle_core::Device::Cpu).map_err(|e| err(e.to_string()))?;
    Ok((
        map.into_iter().map(|(k, v)| (k, Tensor::from_candle(v))).collect(),
        metadata,
    ))
}
