//! Test helpers for the promises about files (like `tf.test`): any crate's
//! tests can run its loaders through them.
//!
//! - [`MutationTest`]: a few thousand mutated copies of one valid file fed
//!   to a loader, which must return `Ok` or an `Err` for each — never
//!   panic — in a child process under an address-space cap
//!   (`ulimit -v`), so an allocation the size checks missed aborts the
//!   child and fails the test.
//! - [`CrashTest`]: a child process saves in a loop and is killed with
//!   `SIGKILL` at random moments; after each kill the file must load and be
//!   one of the complete versions, and temporary files must not pile up.
//!
//! Both re-run the calling test in a child process (the test binary itself,
//! with the test's name as filter and an environment variable marking the
//! child), so each must be called from a `#[test]` function run by the
//! standard test harness, once per test. Unix only.
//!
//! ```no_run
//! // In a crate's tests/: a loader checked against 2000 mutants of a file.
//! #[test]
//! fn mutated_checkpoints_never_panic() {
//!     let valid = std::fs::read("tests/data/model.safetensors").unwrap();
//!     tensorlow::testing::MutationTest::new("checkpoint", valid)
//!         .mutants(2000)
//!         .run(|path| tensorlow::load_tensors(path).map(|_| ()));
//! }
//! ```

mod crash;
mod mutate;

pub use crash::CrashTest;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The environment variable that marks a child process, holding the name
/// of the test it runs.
const CHILD_ENV: &str = "TENSORLOW_TESTING_CHILD";

/// The environment variable that replaces every test's number of mutants
/// (e.g. `DEEPRUST_MUTANTS=100000` before a release; the timeout grows
/// with it).
const MUTANTS_ENV: &str = "DEEPRUST_MUTANTS";

/// The environment variable naming a folder where each test writes its
/// valid file, as the seed of its fuzz target's corpus
/// (`<folder>/<fuzz target>/valid_<file name>`).
const CORPUS_ENV: &str = "DEEPRUST_FUZZ_CORPUS";

/// Marks the lines of a child's output the parent prints again.
const SUMMARY: &str = " mutants: ";

/// The name of the running `#[test]` (the standard harness names its
/// threads after the tests), or `None` outside one.
fn test_name() -> Option<String> {
    std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(str::to_string)
}

/// Whether this process is a child re-run of the test named `name` (when
/// the harness runs the test on its main thread, the name is unknown).
fn is_child(name: Option<&str>) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|v| name.is_none_or(|n| n == v))
}

/// Re-runs test `name` in a child process under `sh -c 'ulimit -v ..'`
/// (when `address_space_mb` is set), waits at most `timeout` and panics
/// with its output unless it succeeds.
fn run_child(what: &str, name: &str, address_space_mb: Option<u64>, timeout: Duration) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = match address_space_mb {
        Some(mb) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", mb * 1024))
                .arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        // glibc reserves 64 MiB of address space per malloc arena.
        .env("MALLOC_ARENA_MAX", "2")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("the test binary can be re-run");
    let out = wait_with_timeout(child, timeout);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The filter must have matched our test (and only it).
    assert!(
        text.contains("1 passed") || !out.status.success(),
        "{name}: the child process did not run the test:\n{text}"
    );
    // The child's summary lines, for the parent's output.
    for line in text.lines().filter(|l| l.contains(SUMMARY)) {
        println!("{line}");
    }
    if !out.status.success() {
        let how = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => "a signal (an abort: an allocation over the address-space cap, or a stack overflow)".to_string(),
        };
        panic!("{what} ({name}): the child process failed with {how}:\n{text}");
    }
}

fn wait_with_timeout(mut child: std::process::Child, timeout: Duration) -> std::process::Output {
    use std::io::Read;
    let start = Instant::now();
    // Drain the pipes on threads so a chatty child cannot block on them.
    let mut so = child.stdout.take().expect("piped");
    let mut se = child.stderr.take().expect("piped");
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("the child can be waited for") {
            break s;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child process ran longer than {timeout:?} (a hang?) and was killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    std::process::Output {
        status,
        stdout: t1.join().unwrap_or_default(),
        stderr: t2.join().unwrap_or_default(),
    }
}

/// A fresh scratch folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = std::env::temp_dir().join(format!("tensorlow_testing_{}_{safe}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder can be made");
    dir
}

/// Feeds mutated copies of a valid file to a loader (see the module docs).
///
/// In the child process, tensorlow's allocation bound is lowered
/// ([`crate::limits::set_max_alloc_bytes`], 64 MiB by default), so sizes a
/// mutant asks for come back as `ResourceExhausted` quickly, and the
/// address space is capped (1 GiB by default) so any allocation outside the
/// size checks aborts the child. A panicking mutant is written to the
/// scratch folder and named in the failure, with what was mutated.
pub struct MutationTest {
    name: String,
    valid: Vec<u8>,
    file_name: String,
    mutants: u64,
    seed: u64,
    fuzz_target: String,
    address_space_mb: u64,
    max_alloc_bytes: u64,
    timeout: Duration,
}

impl MutationTest {
    /// A test of `valid` (a file the loader accepts) named `name` in messages.
    pub fn new(name: impl Into<String>, valid: impl Into<Vec<u8>>) -> Self {
        let name = name.into();
        MutationTest {
            fuzz_target: name.clone(),
            name,
            valid: valid.into(),
            file_name: "input".into(),
            mutants: 2000,
            seed: 0,
            address_space_mb: 1024,
            max_alloc_bytes: 64 << 20,
            timeout: Duration::from_secs(120),
        }
    }
    /// The mutated file's name, for loaders that look at the extension
    /// (default `input`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }
    /// How many mutants (default 2000; the environment variable
    /// `DEEPRUST_MUTANTS` overrides it for every test).
    pub fn mutants(mut self, n: u64) -> Self {
        self.mutants = n;
        self
    }
    /// The seed of the mutations (default 0): the same seed gives the same
    /// mutants.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// The fuzz target (in `fuzz/`) whose corpus the valid file seeds when
    /// `DEEPRUST_FUZZ_CORPUS` names a folder (default: the test's name).
    pub fn fuzz_target(mut self, target: impl Into<String>) -> Self {
        self.fuzz_target = target.into();
        self
    }
    /// The child's address-space cap in MiB (default 1024).
    pub fn address_space_mb(mut self, mb: u64) -> Self {
        self.address_space_mb = mb;
        self
    }
    /// tensorlow's allocation bound in the child (default 64 MiB).
    pub fn max_alloc_bytes(mut self, bytes: u64) -> Self {
        self.max_alloc_bytes = bytes;
        self
    }

    /// Runs the test: `load` gets the path of each mutant and must return
    /// without panicking (what it returns is not judged: `Ok` and `Err`
    /// both pass). Panics listing the mutants that panicked.
    pub fn run<T, E>(mut self, load: impl Fn(&Path) -> std::result::Result<T, E>) {
        if let Some(n) = std::env::var(MUTANTS_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            let scale = n.div_ceil(self.mutants.max(1)).max(1);
            self.timeout = self.timeout.saturating_mul(u32::try_from(scale).unwrap_or(u32::MAX));
            self.mutants = n;
        }
        let test = test_name();
        if is_child(test.as_deref()) {
            return self.run_here(&load);
        }
        let Some(test) = test else {
            // Not under the standard harness (or on its main thread): run
            // in this process, uncapped.
            return self.run_here(&load);
        };
        // The valid file must load, or the mutants test nothing.
        let dir = scratch(&format!("{test}_valid"));
        let path = dir.join(&self.file_name);
        std::fs::write(&path, &self.valid).expect("the valid file can be written");
        assert!(load(&path).is_ok(), "{}: the valid file does not load", self.name);
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(corpus) = std::env::var_os(CORPUS_ENV) {
            let dir = Path::new(&corpus).join(&self.fuzz_target);
            std::fs::create_dir_all(&dir).expect("the corpus folder can be made");
            std::fs::write(dir.join(format!("valid_{}", self.file_name)), &self.valid)
                .expect("the seed can be written");
        }
        run_child(&self.name, &test, Some(self.address_space_mb), self.timeout);
    }

    fn run_here<T, E>(&self, load: &impl Fn(&Path) -> std::result::Result<T, E>) {
        crate::limits::set_max_alloc_bytes(self.max_alloc_bytes);
        let dir = scratch(&self.name);
        let path = dir.join(&self.file_name);
        let mut failures = Vec::new();
        let (mut ok, mut err) = (0u64, 0u64);
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        for i in 0..self.mutants {
            let m = mutate::mutant(&self.valid, i, self.seed);
            std::fs::write(&path, &m.bytes).expect("the mutant can be written");
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load(&path).is_ok())) {
                Ok(true) => ok += 1,
                Ok(false) => err += 1,
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    let keep = dir.join(format!("panic_{i}_{}", self.file_name));
                    let _ = std::fs::write(&keep, &m.bytes);
                    failures.push(format!(
                        "mutant {i} ({}): panicked: {msg} (file: {})",
                        m.what,
                        keep.display()
                    ));
                }
            }
        }
        std::panic::set_hook(hook);
        println!(
            "{}: {} mutants: {ok} loaded, {err} errors, {} panics",
            self.name,
            self.mutants,
            failures.len()
        );
        if !failures.is_empty() {
            panic!(
                "{}: {} of {} mutants panicked:\n{}",
                self.name,
                failures.len(),
                self.mutants,
                failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[u8] = b"a,b,y\n1,2,0\n3,4,1\n";

    fn failure(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let e = std::panic::catch_unwind(f).expect_err("the harness must fail");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn the_harness_reports_a_panicking_loader() {
        let m = failure(|| {
            MutationTest::new("panicky", VALID).mutants(50).run(|p| {
                let b = std::fs::read(p).unwrap();
                assert!(b.len() <= VALID.len() + 8, "too long");
                Ok::<_, String>(())
            })
        });
        assert!(m.contains("panicky") && m.contains("failed"), "{m}");
    }

    #[test]
    fn the_harness_reports_an_allocation_over_the_cap() {
        // Under the 1 GiB cap, a 4 GiB buffer aborts the child.
        let m = failure(|| {
            MutationTest::new("greedy", VALID).mutants(20).run(|p| {
                if std::fs::read(p).unwrap() != VALID {
                    let v = vec![1u8; 4 << 30];
                    std::hint::black_box(&v);
                }
                Ok::<_, String>(())
            })
        });
        assert!(m.contains("greedy") && m.contains("signal"), "{m}");
    }

    #[test]
    fn mutants_are_deterministic_and_varied() {
        let a: Vec<Vec<u8>> = (0..200).map(|i| mutate::mutant(VALID, i, 5).bytes).collect();
        let b: Vec<Vec<u8>> = (0..200).map(|i| mutate::mutant(VALID, i, 5).bytes).collect();
        assert_eq!(a, b);
        let distinct: std::collections::HashSet<&Vec<u8>> = a.iter().collect();
        assert!(distinct.len() > 150, "{} distinct mutants of 200", distinct.len());
    }
}
