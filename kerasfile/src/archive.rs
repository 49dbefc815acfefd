//! The `.keras` archive: a zip holding `config.json` (the model, layer and compile configs),
//! `metadata.json` (Keras version, date) and `model.weights.h5` (the weights as HDF5), plus
//! any `assets/` files some layers save.
//!
//! Keras 3 writes the entries uncompressed ("stored"); reading accepts stored and deflated
//! entries. Archives are untrusted: entries are read by name into memory only (nothing is ever
//! extracted to disk), an archive with an entry name that is absolute or contains a `..`
//! component is refused, entries whose declared size is over 4 GiB and over 100 times their
//! compressed size are refused as decompression bombs (Keras' own rule), and no entry yields
//! more bytes than it declares.
//!
//! ```
//! use kerasfile::{Array, Group, KerasArchive};
//! # fn main() -> kerasfile::Result<()> {
//! let mut weights = Group::new();
//! weights.insert_dataset("layers/dense/vars/0", Array::from_slice(&[1, 1], &[2.0f32])?)?;
//! let archive = KerasArchive::new(r#"{"class_name": "Sequential"}"#, weights);
//! let bytes = archive.to_bytes()?;
//! let back = KerasArchive::from_bytes(&bytes)?;
//! assert_eq!(back.config, archive.config);
//! assert_eq!(back.weights, archive.weights);
//! # Ok(()) }
//! ```

use crate::{h5, Error, Group, Result};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

/// Name of the model/compile config entry.
pub const CONFIG: &str = "config.json";
/// Name of the metadata entry.
pub const METADATA: &str = "metadata.json";
/// Name of the weights entry.
pub const WEIGHTS: &str = "model.weights.h5";

const BOMB_FLOOR: u64 = 1 << 32;
const BOMB_RATIO: u64 = 100;

/// The contents of a `.keras` file.
#[derive(Clone, Debug, PartialEq)]
pub struct KerasArchive {
    /// `config.json`: the serialized model (Keras' `{"module", "class_name", "config", ...}`).
    pub config: String,
    /// `metadata.json` (`{"keras_version": ..., "date_saved": ...}`), when present.
    pub metadata: Option<String>,
    /// `model.weights.h5`: the weights tree (`layers/<layer>/vars/<i>`, `optimizer/vars/<i>`).
    pub weights: Group,
    /// Every other file entry by name (layer assets such as vocabularies), kept byte for byte.
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// Checks that an entry name stays inside the archive: relative, no `..`, no NUL or drive.
fn check_entry_name(name: &str) -> Result<()> {
    let parts: Vec<&str> = name.split(['/', '\\']).collect();
    let bad = name.is_empty()
        || name.starts_with(['/', '\\'])
        || name.contains('\0')
        || name.as_bytes().get(1) == Some(&b':')
        || parts.contains(&"..");
    if bad {
        return Err(Error::Archive(format!(
            "entry name {name:?} is absolute or escapes the archive with \"..\"; refusing the whole archive"
        )));
    }
    Ok(())
}

impl KerasArchive {
    /// An archive of `config` and `weights` without assets. The metadata names the Keras version
    /// whose format kerasfile follows (3.15.1; Keras does not read this entry when loading) and
    /// kerasfile as the writer.
    pub fn new(config: impl Into<String>, weights: Group) -> Self {
        KerasArchive {
            config: config.into(),
            metadata: Some(format!(
                r#"{{"keras_version": "3.15.1", "written_by": "kerasfile {}"}}"#,
                env!("CARGO_PKG_VERSION")
            )),
            weights,
            assets: BTreeMap::new(),
        }
    }

    /// Reads the `.keras` file at `path`. Errors name the file.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes).map_err(|e| e.in_file(path))
    }

    /// Parses a `.keras` archive held in memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let zip_err = |e: zip::result::ZipError| Error::Archive(format!("not a readable zip archive: {e}"));
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
        let mut entries = BTreeMap::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).map_err(zip_err)?;
            let name = f.name().map_err(zip_err)?.into_owned();
            check_entry_name(&name)?;
            if f.is_dir() {
                continue;
            }
            if f.encrypted() {
                return Err(Error::Archive(format!("entry {name:?} is encrypted")));
            }
            let method = f.compression();
            if !matches!(
                method,
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            ) {
                return Err(Error::Archive(format!(
                    "entry {name:?} uses compression {method}; Keras archives are stored or deflated"
                )));
            }
            let (size, packed) = (f.size(), f.compressed_size());
            if size > BOMB_FLOOR && size > BOMB_RATIO.saturating_mul(packed) {
                return Err(Error::Archive(format!(
                    "entry {name:?} declares {size} bytes from {packed} compressed: refusing a likely decompression bomb"
                )));
            }
            if method == zip::CompressionMethod::Stored && size != packed {
                return Err(Error::Archive(format!(
                    "stored entry {name:?} declares {size} bytes but occupies {packed}"
                )));
            }
            let mut data = Vec::with_capacity(size.min(packed.max(1 << 16)).min(bytes.len() as u64) as usize);
            (&mut f)
                .take(size.saturating_add(1))
                .read_to_end(&mut data)
                .map_err(|e| Error::Archive(format!("entry {name:?}: {e}")))?;
            if data.len() as u64 != size {
                return Err(Error::Archive(format!(
                    "entry {name:?} declares {size} bytes but holds {}",
                    data.len()
                )));
            }
            if entries.insert(name.clone(), data).is_some() {
                return Err(Error::Archive(format!("entry {name:?} appears twice")));
            }
        }
        let text = |entries: &mut BTreeMap<String, Vec<u8>>, name: &str| -> Result<Option<String>> {
            match entries.remove(name) {
                None => Ok(None),
                Some(b) => String::from_utf8(b)
                    .map(Some)
                    .map_err(|_| Error::Archive(format!("{name} is not UTF-8 text"))),
            }
        };
        let config = text(&mut entries, CONFIG)?
            .ok_or_else(|| Error::Archive(format!("no {CONFIG} entry: not a Keras 3 .keras file")))?;
        let metadata = text(&mut entries, METADATA)?;
        let weights =
            match entries.remove(WEIGHTS) {
                Some(b) => h5::from_bytes(&b).map_err(|e| Error::InFile {
                    path: WEIGHTS.into(),
                    source: Box::new(e),
                })?,
                None if entries.contains_key("model.weights.npz") => return Err(Error::Unsupported(
                    "weights stored as model.weights.npz (weights_format=\"npz\"); save with Keras' default h5 format"
                        .into(),
                )),
                None if entries.contains_key("model.weights.json") => {
                    return Err(Error::Unsupported(
                        "sharded weights (model.weights.json with shard files)".into(),
                    ))
                }
                None => return Err(Error::Archive(format!("no {WEIGHTS} entry"))),
            };
        Ok(KerasArchive {
            config,
            metadata,
            weights,
            assets: entries,
        })
    }

    /// Serialises the archive (entries stored, in Keras' order: metadata, config, weights,
    /// then assets).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let weights = h5::to_bytes(&self.weights)?;
        let mut files: Vec<(&str, &[u8])> = Vec::new();
        if let Some(m) = &self.metadata {
            files.push((METADATA, m.as_bytes()));
        }
        files.push((CONFIG, self.config.as_bytes()));
        files.push((WEIGHTS, &weights));
        for (name, data) in &self.assets {
            check_entry_name(name)?;
            if [CONFIG, METADATA, WEIGHTS].contains(&name.as_str()) {
                return Err(Error::Invalid(format!("asset {name:?} would replace a Keras entry")));
            }
            files.push((name, data));
        }
        let zip_err = |e: zip::result::ZipError| Error::Archive(format!("writing the zip: {e}"));
        let capacity = files.iter().map(|(n, d)| d.len() + 2 * n.len() + 128).sum::<usize>() + 64;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
        for (name, data) in files {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(data.len() as u64 >= u32::MAX as u64);
            zip.start_file(name, options).map_err(zip_err)?;
            zip.write_all(data)
                .map_err(|e| Error::Archive(format!("writing entry {name:?}: {e}")))?;
        }
        Ok(zip.finish().map_err(zip_err)?.into_inner())
    }

    /// Writes the archive to `path` atomically (temporary file renamed over the target).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = self.to_bytes().map_err(|e| e.in_file(path))?;
        crate::atomic::write_atomic(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_that_escape_are_refused() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "\\x", "C:x", "a/..", "a\0b", ""] {
            assert!(check_entry_name(bad).is_err(), "{bad:?}");
        }
        for good in ["config.json", "assets/vocab.txt", "a/b..c/d", "..x"] {
            check_entry_name(good).unwrap();
        }
    }
}
