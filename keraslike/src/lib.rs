//! # keraslike — the high-level tier
//!
//! Keras 3 in idiomatic Rust, built only from [`tensorlow`]'s public API.

pub mod datasets;
mod error;
pub mod sklearn;

pub use error::{Error, Result};
pub use tensorlow;
