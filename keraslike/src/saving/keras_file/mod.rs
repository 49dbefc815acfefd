//! Keras 3's own files: `.keras` archives and `.weights.h5`, read and written, so models move
//! between Keras and keraslike in both directions.
//!
//! [`Model::save`](crate::models::Model::save) and [`load_model`](crate::models::load_model)
//! pick this format for paths ending in `.keras`, [`Model::save_weights`] /
//! [`Model::load_weights`] for `.weights.h5` (and `.h5` when loading); the functions here do
//! the same work directly. The containers (HDF5, zip) come from the `kerasfile` crate; this
//! module translates:
//!
//! - **config.json**: Keras' serialized model (`Sequential` or `Functional`, nested models
//!   included) is checked option by option ([`check_model`]: anything keraslike does not
//!   implement is an error naming the layer, its class and the option) and built by keraslike's
//!   loader, which reads Keras' format; writing adds what Keras expects of each layer (its
//!   `trainable` flag, its dtype policy, module names).
//! - **model.weights.h5**: every weight under Keras' path (`layers/dense/vars/0`; nested models
//!   as `layers/sequential/layers/dense/vars/0`), checked by name, shape and dtype before any is
//!   assigned; the optimizer's state under `optimizer/vars/N` (iterations, learning rate, then
//!   the slots in Keras' order), so `fit` continues where Keras stopped.
//! - **compile_config**: the optimizer (every option, through
//!   [`optimizers::deserialize`](crate::optimizers::deserialize)), the loss(es), loss weights
//!   and metrics.
//!
//! Layers translated: see [`layer_classes`] (each layer declares its Keras
//! options in its own file: [`FromConfig::KERAS_OPTIONS`](crate::layers::FromConfig::KERAS_OPTIONS)).
//!
//! ```no_run
//! # fn main() -> keraslike::Result<()> {
//! let mut model = keraslike::models::load_model("trained_by_keras.keras")?;
//! model.save("back_to_keras.keras")?;
//! # Ok(()) }
//! ```
//!
//! [`Model::save_weights`]: crate::models::Model::save_weights
//! [`Model::load_weights`]: crate::models::Model::load_weights

mod compile;
mod config_in;
mod config_out;
mod weights;

pub use config_in::{check_model, layer_classes};
pub use config_out::keras_model_config;

use crate::models::Model;
use crate::{Error, Result};
use kerasfile::{h5, KerasArchive};
use serde_json::Value;
use std::path::Path;

/// The Keras file format of `path`, judged by its first bytes (a zip archive is `.keras`, an
/// HDF5 file `.weights.h5`), or `None` for any other file (keraslike's safetensors).
pub fn sniff(path: &Path) -> Option<KerasFormat> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    match &head[..n] {
        [b'P', b'K', 3, 4, ..] => Some(KerasFormat::Archive),
        [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'] => Some(KerasFormat::Weights),
        _ => None,
    }
}

/// The format a path's extension asks for when saving: `.keras` or `.h5` (Keras requires
/// `.weights.h5` for weights).
pub fn format_of_name(path: &Path) -> Option<KerasFormat> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".keras") {
        Some(KerasFormat::Archive)
    } else if name.ends_with(".h5") || name.ends_with(".hdf5") {
        Some(KerasFormat::Weights)
    } else {
        None
    }
}

/// Keras' two file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KerasFormat {
    /// A `.keras` archive (zip of `config.json`, `metadata.json`, `model.weights.h5`).
    Archive,
    /// A `.weights.h5` HDF5 file.
    Weights,
}

/// Errors from the containers, with the file's path.
fn file_err(path: &Path, e: kerasfile::Error) -> Error {
    Error::file(path, e.to_string())
}

/// Wraps an error from deep inside a load with the file's path (once).
fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::File { .. } => e,
        e => Error::file(path, e.to_string()),
    }
}

/// Loads a `.keras` archive written by Keras 3 (or by [`save_keras`]): the model built from
/// `config.json`, its weights, and, when the file holds a compile config, compiled with the
/// saved optimizer state.
pub fn load_keras(path: impl AsRef<Path>) -> Result<Model> {
    let path = path.as_ref();
    let archive = KerasArchive::read(path).map_err(|e| file_err(path, e))?;
    let config: Value = serde_json::from_str(&archive.config)
        .map_err(|e| Error::file(path, format!("config.json is not valid JSON: {e}")))?;
    let mut model = model_from_keras_config(&config).map_err(|e| in_file(path, e))?;
    weights::assign(&model, &archive.weights).map_err(|e| in_file(path, e))?;
    if let Some(cc) = config
        .get("compile_config")
        .filter(|c| c.as_object().is_some_and(|o| !o.is_empty()))
    {
        compile::compile_from_keras(&mut model, cc).map_err(|e| in_file(path, e))?;
        weights::load_optimizer(&mut model, &archive.weights).map_err(|e| in_file(path, e))?;
    }
    Ok(model)
}

/// A model (unbuilt weights: fresh values) from Keras' serialized model config, after
/// [`check_model`].
pub fn model_from_keras_config(config: &Value) -> Result<Model> {
    check_model(config)?;
    let model = crate::models::model_from_config(config)?;
    if !model.built() {
        return Err(Error::arg(format!(
            "model {:?}: the config gives no input shape to build it with (Keras' build_config is \
             missing); keraslike needs one to create the weights",
            model.name()
        )));
    }
    let mut frozen = Vec::new();
    config_in::frozen_layers(config, &mut frozen);
    for l in weights::all_layers(&model) {
        if frozen.iter().any(|n| *n == l.name()) {
            l.set_trainable(false);
        }
    }
    Ok(model)
}

/// Saves `model` as a `.keras` archive that Keras 3 loads (`keras.models.load_model`): the
/// Keras config, metadata, the weights and, for a compiled model, the compile config and the
/// optimizer's state. The write is atomic.
pub fn save_keras(model: &Model, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut config = keras_model_config(model)?;
    let mut tree = weights::tree(model)?;
    if model.compiled.is_some() {
        config["compile_config"] = compile::keras_compile_config(model)?;
        weights::store_optimizer(model, &mut tree)?;
    }
    let mut archive = KerasArchive::new(config.to_string(), tree);
    archive.metadata = Some(metadata());
    let bytes = archive.to_bytes().map_err(|e| file_err(path, e))?;
    // tensorlow's atomic write, like every other save: it also removes the temporary files
    // that saves killed earlier left beside `path`.
    tensorlow::write_atomic(path, &bytes)?;
    Ok(())
}

/// Loads Keras weights (`.weights.h5`, or the weights of a `.keras` archive) into `model`
/// (`model.load_weights`): every weight by Keras' path, checked before any is assigned. The
/// optimizer's state is loaded too when the model is compiled and the file has one.
pub fn load_keras_weights(model: &mut Model, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let tree = match sniff(path) {
        Some(KerasFormat::Archive) => KerasArchive::read(path).map_err(|e| file_err(path, e))?.weights,
        _ => h5::read(path).map_err(|e| file_err(path, e))?,
    };
    if !model.built() {
        return Err(Error::file(
            path,
            format!(
                "model {:?} is not built; a weights file holds no input shape: build the model \
                 (model.build(&shape)) or give its first layer an input_shape, then load_weights",
                model.name()
            ),
        ));
    }
    weights::assign(model, &tree).map_err(|e| in_file(path, e))?;
    if model.compiled.is_some() && tree.group("optimizer").is_some() {
        weights::load_optimizer(model, &tree).map_err(|e| in_file(path, e))?;
    }
    Ok(())
}

/// Saves the weights as a `.weights.h5` file that Keras 3's `model.load_weights` reads
/// (`model.save_weights`), with the optimizer's state for a compiled model. The write is atomic.
pub fn save_keras_weights(model: &Model, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut tree = weights::tree(model)?;
    if model.compiled.is_some() {
        weights::store_optimizer(model, &mut tree)?;
    }
    let bytes = h5::to_bytes(&tree).map_err(|e| file_err(path, e))?;
    tensorlow::write_atomic(path, &bytes)?;
    Ok(())
}

/// `metadata.json`: the Keras version whose format is written, the date, and who wrote it.
fn metadata() -> String {
    serde_json::json!({
        "keras_version": "3.15.1",
        "date_saved": date_saved(),
        "saved_by": concat!("keraslike ", env!("CARGO_PKG_VERSION")),
    })
    .to_string()
}

/// The current UTC time as Keras writes it (`2026-12-01@11:29:37`).
fn date_saved() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}@{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_look_like_keras() {
        let d = super::date_saved();
        assert_eq!(d.len(), 19, "{d}");
        assert_eq!(&d[10..11], "@");
        assert!(d.starts_with("20"), "{d}");
    }
}
