//! [`CrashTest`]: saves killed with `SIGKILL` at random moments.

use super::{is_child, scratch, test_name, CHILD_ENV};
use crate::random::Generator;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The file a child saves to.
const PATH_ENV: &str = "TENSORLOW_TESTING_PATH";

/// The first version a child saves (child `k` starts at `k * 1_000_000`,
/// so the version found tells which child wrote it).
const START_ENV: &str = "TENSORLOW_TESTING_START";

/// What a child prints once it starts saving.
const STARTED: &str = "crash-test: saving";

/// A crash-safety test (see the module docs): a child process runs `save`
/// in a loop (child `k` writes versions `k * 1_000_000`, `+ 1`, ...) and is killed with `SIGKILL` after a
/// random delay; then `check` must load the file, and at most one
/// interrupted temporary file (plus one left by a child killed before its
/// first save) may lie beside it. After the last kill one more save in this
/// process must leave no temporary file at all.
///
/// ```no_run
/// use tensorlow::{testing::CrashTest, Checkpoint, Tensor, Variable};
/// #[test]
/// fn checkpoints_survive_kill_9() {
///     CrashTest::new("checkpoint").kills(10).run(
///         |path, v| {
///             let w = Variable::new("w", Tensor::new(&vec![v as f32; 1 << 18], &[1 << 18])?);
///             Checkpoint::new().with("w", &w).save(path)
///         },
///         |path| {
///             let w = Variable::new("w", Tensor::new(&vec![0f32; 1 << 18], &[1 << 18])?);
///             Checkpoint::new().with("w", &w).restore(path)?;
///             let v = w.to_vec::<f32>()?;
///             assert!(v.iter().all(|&x| x == v[0]), "a mix of two versions");
///             Ok::<_, tensorlow::Error>(v[0])
///         },
///     );
/// }
/// ```
pub struct CrashTest {
    name: String,
    file_name: String,
    kills: usize,
    max_delay: Duration,
    seed: u64,
}

impl CrashTest {
    /// A test named `name` in messages.
    pub fn new(name: impl Into<String>) -> Self {
        CrashTest {
            name: name.into(),
            file_name: "saved.safetensors".into(),
            kills: 10,
            max_delay: Duration::from_millis(40),
            seed: 0,
        }
    }
    /// The saved file's name (default `saved.safetensors`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }
    /// How many children are killed (default 10; the environment variable
    /// `DEEPRUST_KILLS` overrides it for every test).
    pub fn kills(mut self, n: usize) -> Self {
        self.kills = n;
        self
    }
    /// The longest delay between a child's start of saving and its kill
    /// (default 40 ms, or three times one save's duration if longer; each
    /// delay is uniform below it).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// The seed of the delays (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Runs the test. `save(path, version)` writes version `version`;
    /// `check(path)` loads the file, verifies it is one complete version
    /// (panicking or returning `Err` otherwise) and returns something to
    /// print (the version found).
    pub fn run<S, C, T, E1, E2>(mut self, save: S, check: C)
    where
        S: Fn(&Path, u64) -> std::result::Result<(), E1>,
        C: Fn(&Path) -> std::result::Result<T, E2>,
        T: std::fmt::Debug,
        E1: std::fmt::Display,
        E2: std::fmt::Display,
    {
        if let Some(n) = std::env::var("DEEPRUST_KILLS").ok().and_then(|v| v.trim().parse().ok()) {
            self.kills = n;
        }
        let test = test_name();
        if is_child(test.as_deref()) {
            let path = PathBuf::from(std::env::var(PATH_ENV).expect("the parent names the file"));
            let start = std::env::var(START_ENV).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
            save_forever(&path, start, &save);
        }
        let test = test.expect("CrashTest runs inside a #[test] of the standard harness, on its own thread");
        let dir = scratch(&format!("crash_{test}"));
        let path = dir.join(&self.file_name);
        let mut g = Generator::from_seed(self.seed);
        // Kills land before, inside and between saves: the delays reach
        // three times one save's duration (timed here) if that is longer.
        let t = Instant::now();
        save(&path, 0).unwrap_or_else(|e| panic!("{}: a save failed: {e}", self.name));
        let max_delay = self.max_delay.max(t.elapsed() * 3);
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", self.name));
        let mut seen = Vec::new();
        for k in 0..self.kills {
            let delay = max_delay.mul_f64(g.next_f64());
            kill_one(&test, &path, k as u64 * 1_000_000, delay);
            let found = check(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: after kill {k} ({delay:?} into saving) the file does not load: {e}",
                    self.name
                )
            });
            let temps = temp_files(&dir, &self.file_name);
            assert!(
                temps.len() <= 2,
                "{}: after kill {k}, temporary files pile up: {temps:?}",
                self.name
            );
            seen.push(format!("{found:?}"));
        }
        save(&path, u64::MAX >> 12).unwrap_or_else(|e| panic!("{}: the final save failed: {e}", self.name));
        check(&path).unwrap_or_else(|e| panic!("{}: the final save does not load: {e}", self.name));
        let temps = temp_files(&dir, &self.file_name);
        assert!(
            temps.is_empty(),
            "{}: a save after the kills left temporary files: {temps:?}",
            self.name
        );
        println!(
            "{}: {} kills within {max_delay:?} of a child's start, versions found: {}",
            self.name,
            self.kills,
            seen.join(" ")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The child's loop: saves until killed (or orphaned, or after a minute).
fn save_forever<S, E>(path: &Path, first: u64, save: &S) -> !
where
    S: Fn(&Path, u64) -> std::result::Result<(), E>,
    E: std::fmt::Display,
{
    let start = Instant::now();
    let parent = std::os::unix::process::parent_id();
    println!("{STARTED}");
    let _ = std::io::stdout().flush();
    let mut v = first;
    while start.elapsed() < Duration::from_secs(60) && std::os::unix::process::parent_id() == parent {
        if let Err(e) = save(path, v) {
            eprintln!("crash-test: save {v} failed: {e}");
            std::process::exit(3);
        }
        v += 1;
    }
    std::process::exit(0)
}

/// Starts a child saving to `path`, waits until it says it started (and
/// until the file exists), sleeps `delay` and kills it with SIGKILL.
fn kill_one(test: &str, path: &Path, first: u64, delay: Duration) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, test)
        .env(PATH_ENV, path)
        .env(START_ENV, first.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the test binary can be re-run");
    let out = child.stdout.take().expect("piped");
    let mut lines = std::io::BufReader::new(out).lines();
    let started = lines.any(|l| l.is_ok_and(|l| l.contains(STARTED)));
    if !started {
        let status = child.wait().expect("the child can be waited for");
        panic!("{test}: the saving child exited ({status}) before it started saving");
    }
    // The first child must finish one save first: before it, there is no
    // complete version to find.
    let wait = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().expect("the child can be polled") {
            panic!("{test}: the saving child exited ({status}) before its first save");
        }
        assert!(
            wait.elapsed() < Duration::from_secs(60),
            "{test}: no save finished within a minute"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(delay);
    if let Some(status) = child.try_wait().expect("the child can be polled") {
        panic!("{test}: the saving child exited by itself ({status}) before it was killed");
    }
    child.kill().expect("SIGKILL can be sent");
    let status = child.wait().expect("the child can be waited for");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "{test}: the child was not killed by SIGKILL: {status}"
    );
}

/// The temporary files of saves of `file_name` in `dir`.
fn temp_files(dir: &Path, file_name: &str) -> Vec<String> {
    let prefix = format!(".{file_name}.");
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.starts_with(&prefix) && n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}
