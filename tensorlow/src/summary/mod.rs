//! TensorBoard event files (`tf.summary`): scalars and histograms written
//! from a training loop, for `tensorboard --logdir`.
//!
//! [`create_file_writer`] opens a new event file in a log directory;
//! [`scalar`] and [`histogram`] write to the current thread's default
//! writer (set with [`SummaryWriter::as_default`], like
//! `with writer.as_default():`) and return `false` when there is none, as
//! `tf.summary` does. The files are TFRecord streams (see [`crc32c`] and
//! [`masked_crc32c`]) of `Event` protocol buffers in TensorFlow 2's format:
//! a `file_version` event first, then one event per value, each with its
//! step and wall time.
//!
//! ```
//! use tensorlow::{summary, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let logdir = std::env::temp_dir().join(format!("tensorlow-doc-summary-{}", std::process::id()));
//! let writer = summary::create_file_writer(logdir.join("train"))?;
//! let _default = writer.as_default();
//! for step in 0..3 {
//!     let loss = 1.0 / (step + 1) as f64;
//!     summary::scalar("loss", loss, step)?;
//! }
//! summary::histogram("weights", &Tensor::new(&[0.1f32, -0.2, 0.3], &[3])?, 2)?;
//! summary::flush()?;
//! # std::fs::remove_dir_all(&logdir).ok();
//! # Ok(()) }
//! ```

mod histogram;
mod proto;
mod reader;
mod record;
mod writer;

pub use histogram::{histogram_buckets, DEFAULT_BUCKETS};
pub use reader::{parse_events, read_events, Event, SummaryValue, Value};
pub use record::{crc32c, masked_crc32c};
pub use writer::{
    create_file_writer, create_file_writer_with, default_writer, DefaultWriterGuard, FileWriterOptions, SummaryWriter,
};

use crate::{Result, Tensor};

/// Writes a scalar to the default writer (`tf.summary.scalar`); `Ok(false)`
/// when the thread has no default writer.
pub fn scalar(name: &str, value: f64, step: i64) -> Result<bool> {
    match default_writer() {
        Some(w) => w.scalar(name, value, step).map(|_| true),
        None => Ok(false),
    }
}

/// Writes a histogram of `data`'s elements (30 buckets) to the default
/// writer (`tf.summary.histogram`); `Ok(false)` when there is none.
pub fn histogram(name: &str, data: &Tensor, step: i64) -> Result<bool> {
    match default_writer() {
        Some(w) => w.histogram(name, data, step).map(|_| true),
        None => Ok(false),
    }
}

/// Flushes the default writer, if any (`tf.summary.flush`).
pub fn flush() -> Result<()> {
    match default_writer() {
        Some(w) => w.flush(),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("tensorlow-summary-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn count(w: &SummaryWriter) -> usize {
        read_events(w.path()).unwrap().len()
    }

    #[test]
    fn file_round_trips() {
        let dir = tmpdir("roundtrip");
        let w = create_file_writer(&dir).unwrap();
        w.scalar("loss", 0.75, 1).unwrap();
        w.scalar("loss", 0.1, -2).unwrap();
        w.histogram_values("w", &[0.0, 1.0, 2.0], 2, 2).unwrap();
        w.close().unwrap();
        assert!(w.scalar("loss", 0.1, 3).is_err(), "writes after close must fail");
        let name = w.path().file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            name.starts_with("events.out.tfevents.") && name.ends_with(".v2"),
            "{name}"
        );

        let events = read_events(w.path()).unwrap();
        assert_eq!(events.len(), 4);
        assert_eq!(events[0].file_version.as_deref(), Some("brain.Event:2"));
        assert!(events[0].values.is_empty());
        fn scalar(e: &Event) -> (i64, &str, &str, SummaryValue) {
            let v = &e.values[0];
            (e.step, v.tag.as_str(), v.plugin.as_str(), v.value.clone())
        }
        assert_eq!(scalar(&events[1]), (1, "loss", "scalars", SummaryValue::Scalar(0.75)));
        // Stored as float32, as TensorFlow does: 0.1 comes back as 0.1f32.
        assert_eq!(
            scalar(&events[2]),
            (-2, "loss", "scalars", SummaryValue::Scalar(0.1f32 as f64))
        );
        let rows = vec![[0.0, 1.0, 1.0], [1.0, 2.0, 2.0]];
        assert_eq!(
            scalar(&events[3]),
            (2, "w", "histograms", SummaryValue::Histogram(rows))
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(events.iter().all(|e| (now - e.wall_time).abs() < 600.0));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let dir = tmpdir("corrupt");
        let w = create_file_writer(&dir).unwrap();
        w.scalar("loss", 0.75, 1).unwrap();
        w.close().unwrap();
        let bytes = std::fs::read(w.path()).unwrap();
        assert_eq!(parse_events(&bytes, "f").unwrap().len(), 2);
        // Every truncation and every one-byte change is either detected or
        // (by the 1-in-2^32 chance of a CRC collision) decodes; none panics.
        for cut in 0..bytes.len() {
            assert!(parse_events(&bytes[..cut], "f").is_err() || cut == 0 || cut == 12 + 24 + 4);
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x55;
            let e = parse_events(&bad, "f").unwrap_err().to_string();
            assert!(e.contains("event file f"), "{e}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn default_writer_scopes_nest() {
        let dir = tmpdir("defaults");
        assert!(!scalar("x", 1.0, 0).unwrap());
        let a = create_file_writer(dir.join("a")).unwrap();
        let b = create_file_writer(dir.join("b")).unwrap();
        {
            let _ga = a.as_default();
            assert!(scalar("x", 1.0, 0).unwrap());
            {
                let _gb = b.as_default();
                assert!(scalar("x", 2.0, 0).unwrap());
                assert!(histogram("h", &Tensor::new(&[1.0f32, 2.0], &[2]).unwrap(), 0).unwrap());
            }
            assert!(scalar("x", 3.0, 1).unwrap());
        }
        assert!(default_writer().is_none());
        a.flush().unwrap();
        b.flush().unwrap();
        assert_eq!((count(&a), count(&b)), (3, 3));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn queue_flushes_every_max_queue_events() {
        let dir = tmpdir("queue");
        let o = FileWriterOptions {
            max_queue: 3,
            ..Default::default()
        };
        let w = create_file_writer_with(&dir, o).unwrap();
        assert_eq!(count(&w), 1, "the file_version event is written at once");
        w.scalar("x", 1.0, 0).unwrap();
        w.scalar("x", 1.0, 1).unwrap();
        assert_eq!(count(&w), 1);
        w.scalar("x", 1.0, 2).unwrap();
        assert_eq!(count(&w), 4);
        w.scalar("x", 1.0, 3).unwrap();
        drop(w.clone());
        assert_eq!(count(&w), 4, "a clone's drop keeps the writer open");
        let path = w.path();
        drop(w);
        assert_eq!(read_events(path).unwrap().len(), 5, "the last drop flushes");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_logdir_is_an_error() {
        let dir = tmpdir("badlogdir");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("not_a_dir");
        std::fs::write(&file, b"x").unwrap();
        let e = create_file_writer(&file).unwrap_err().to_string();
        assert!(e.contains("not_a_dir"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
