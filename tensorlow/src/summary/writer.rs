//! [`SummaryWriter`]: one event file in a log directory
//! (`tf.summary.create_file_writer`).
//!
//! The file is `events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2`, the
//! name TensorFlow 2 gives it, created with the `file_version` event.
//! Events are buffered and written out every `max_queue` events, after
//! `flush_millis`, on [`flush`](SummaryWriter::flush) and when the last
//! handle is dropped, as TensorFlow's defaults do (10 events, 2 minutes).
//!
//! ```
//! use tensorlow::summary::{create_file_writer, scalar};
//! # fn main() -> tensorlow::Result<()> {
//! let dir = std::env::temp_dir().join(format!("tensorlow-doc-writer-{}", std::process::id()));
//! let writer = create_file_writer(&dir)?;
//! writer.scalar("loss", 0.5, 1)?;
//! {
//!     let _default = writer.as_default(); // like `with writer.as_default():`
//!     assert!(scalar("loss", 0.25, 2)?);
//! }
//! assert!(!scalar("loss", 0.125, 3)?); // no default writer: nothing written
//! writer.close()?;
//! assert!(writer.path().file_name().unwrap().to_str().unwrap().starts_with("events.out.tfevents."));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```

use super::histogram::{histogram_buckets, DEFAULT_BUCKETS};
use super::proto::{self, TensorContent};
use super::record::write_record;
use crate::{Error, Result, Tensor};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Options of [`create_file_writer_with`], with TensorFlow's defaults.
#[derive(Clone, Debug)]
pub struct FileWriterOptions {
    /// Events kept in memory before they are written out (default 10).
    pub max_queue: usize,
    /// Longest time an event waits in memory, in milliseconds (default 120000).
    pub flush_millis: u64,
    /// Appended to the file name (default `".v2"`, as in TensorFlow 2).
    pub filename_suffix: String,
}

impl Default for FileWriterOptions {
    fn default() -> Self {
        FileWriterOptions {
            max_queue: 10,
            flush_millis: 120_000,
            filename_suffix: ".v2".into(),
        }
    }
}

struct Inner {
    path: PathBuf,
    file: Option<std::fs::File>,
    pending: Vec<u8>,
    queued: usize,
    last_flush: Instant,
    options: FileWriterOptions,
}

impl Inner {
    fn io(&self, e: std::io::Error) -> Error {
        Error::Io {
            path: self.path.display().to_string(),
            source: e,
        }
    }

    fn flush(&mut self) -> Result<()> {
        self.queued = 0;
        self.last_flush = Instant::now();
        if self.pending.is_empty() {
            return Ok(());
        }
        let Some(file) = self.file.as_mut() else {
            return Err(Error::arg(format!(
                "summary writer {}: written to after close(); create a new writer",
                self.path.display()
            )));
        };
        let r = file.write_all(&self.pending);
        self.pending.clear();
        r.map_err(|e| self.io(e))
    }

    fn push(&mut self, event: &[u8]) -> Result<()> {
        if self.file.is_none() {
            return Err(Error::arg(format!(
                "summary writer {}: written to after close(); create a new writer",
                self.path.display()
            )));
        }
        write_record(&mut self.pending, event);
        self.queued += 1;
        if self.queued >= self.options.max_queue
            || self.last_flush.elapsed() >= Duration::from_millis(self.options.flush_millis)
        {
            self.flush()?;
        }
        Ok(())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = self.flush();
        }
    }
}

/// A handle on one event file; clones share it (so a clone can be the
/// default writer while the caller keeps another).
#[derive(Clone)]
pub struct SummaryWriter {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for SummaryWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryWriter").field("path", &self.path()).finish()
    }
}

fn wall_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    if clean.is_empty() {
        "localhost".into()
    } else {
        clean
    }
}

/// A writer of a new event file in `logdir` (created if missing), with
/// TensorFlow's defaults (`tf.summary.create_file_writer(logdir)`).
pub fn create_file_writer(logdir: impl AsRef<Path>) -> Result<SummaryWriter> {
    create_file_writer_with(logdir, FileWriterOptions::default())
}

/// [`create_file_writer`] with options.
pub fn create_file_writer_with(logdir: impl AsRef<Path>, options: FileWriterOptions) -> Result<SummaryWriter> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let logdir = logdir.as_ref();
    let io = |path: &Path, e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    std::fs::create_dir_all(logdir).map_err(|e| io(logdir, e))?;
    if options.filename_suffix.contains(['/', '\\']) {
        return Err(Error::arg(format!(
            "create_file_writer: filename_suffix {:?} contains a path separator; give a plain suffix like \".v2\"",
            options.filename_suffix
        )));
    }
    let now = wall_time();
    let (host, pid) = (hostname(), std::process::id());
    let (path, file) = loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "events.out.tfevents.{:010}.{host}.{pid}.{n}{}",
            now as u64, options.filename_suffix
        );
        let path = logdir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => break (path, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&path, e)),
        }
    };
    let mut inner = Inner {
        path,
        file: Some(file),
        pending: Vec::new(),
        queued: 0,
        last_flush: Instant::now(),
        options,
    };
    write_record(&mut inner.pending, &proto::file_version_event(now));
    inner.flush()?;
    Ok(SummaryWriter {
        inner: Arc::new(Mutex::new(inner)),
    })
}

impl SummaryWriter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only bytes in a buffer behind.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The event file this writer appends to.
    pub fn path(&self) -> PathBuf {
        self.lock().path.clone()
    }

    /// Writes a scalar (`tf.summary.scalar`): stored as a float32, as
    /// TensorFlow stores it, under the `scalars` plugin.
    pub fn scalar(&self, name: &str, value: f64, step: i64) -> Result<()> {
        let t = TensorContent {
            dtype: proto::DT_FLOAT,
            shape: &[],
            content: (value as f32).to_le_bytes().to_vec(),
        };
        let event = proto::summary_event(wall_time(), step, name, "scalars", &t);
        self.lock().push(&event)
    }

    /// Writes a histogram of every element of `data` with TensorBoard's 30
    /// buckets (`tf.summary.histogram`).
    pub fn histogram(&self, name: &str, data: &Tensor, step: i64) -> Result<()> {
        self.histogram_values(name, &data.to_vec::<f64>()?, step, DEFAULT_BUCKETS)
    }

    /// Writes a histogram of `values` with `buckets` buckets (see
    /// [`histogram_buckets`] for the rules).
    pub fn histogram_values(&self, name: &str, values: &[f64], step: i64, buckets: usize) -> Result<()> {
        let rows = histogram_buckets(values, buckets);
        let content: Vec<u8> = rows.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
        let t = TensorContent {
            dtype: proto::DT_DOUBLE,
            shape: &[rows.len() as u64, 3],
            content,
        };
        let event = proto::summary_event(wall_time(), step, name, "histograms", &t);
        self.lock().push(&event)
    }

    /// Writes the buffered events to the file.
    pub fn flush(&self) -> Result<()> {
        self.lock().flush()
    }

    /// Flushes and closes the file; later writes are errors.
    pub fn close(&self) -> Result<()> {
        let mut inner = self.lock();
        if inner.file.is_none() {
            return Ok(());
        }
        let r = inner.flush();
        inner.file = None;
        r
    }

    /// Makes this writer the default of the current thread until the guard
    /// is dropped (`with writer.as_default():`); guards nest.
    #[must_use = "the writer is the default only while the guard lives"]
    pub fn as_default(&self) -> DefaultWriterGuard {
        DEFAULTS.with(|d| d.borrow_mut().push(self.clone()));
        DefaultWriterGuard {
            _not_send: std::marker::PhantomData,
        }
    }
}

thread_local! {
    static DEFAULTS: RefCell<Vec<SummaryWriter>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a writer the default (see [`SummaryWriter::as_default`]).
pub struct DefaultWriterGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for DefaultWriterGuard {
    fn drop(&mut self) {
        DEFAULTS.with(|d| d.borrow_mut().pop());
    }
}

/// The current thread's default writer, if any.
pub fn default_writer() -> Option<SummaryWriter> {
    DEFAULTS.with(|d| d.borrow().last().cloned())
}
