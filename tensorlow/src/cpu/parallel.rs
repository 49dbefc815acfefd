//! A team of threads for the fork-join splits of tensorlow's CPU kernels:
//! the column blocks of a large matmul and the chunks of an optimizer
//! update.
//!
//! Why not rayon's pool: its idle workers go to sleep within microseconds
//! and every `join` wakes one through a futex. On a virtual machine that
//! wake is an inter-processor interrupt through the hypervisor; in W3's
//! training step (about ten splits per step) 12% of all CPU samples sat in
//! `futex_wake`, and a worker that woke late left the caller to run both
//! halves itself. The team's helpers instead spin for [`SPIN`] after each
//! split, so the next split of the same training step starts on a warm
//! thread within a few hundred nanoseconds, and park when work stops.
//!
//! One split runs at a time; a split requested while another is running
//! (from another thread, or from inside a part) runs its parts on the
//! calling thread, so nesting never deadlocks. The team has
//! [`threads`]` - 1` helpers (`RAYON_NUM_THREADS`, or the available
//! parallelism; see the crate docs), spawned on the first split.
//!
//! ```ignore
//! // (crate-private) Sum 0..4 over the team.
//! let total = std::sync::atomic::AtomicUsize::new(0);
//! parallel::for_each(4, |i| { total.fetch_add(i, Ordering::Relaxed); });
//! assert_eq!(total.into_inner(), 6);
//! ```

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, TryLockError};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long a helper spins waiting for the next split before it parks.
/// Longer than the gaps between the splits of one training step (the
/// element-wise ops between two matmuls), short enough that an idle
/// program stops using the core almost at once.
const SPIN: Duration = Duration::from_millis(2);

/// After this long, a waiting helper also yields its core between checks.
const YIELD_AFTER: Duration = Duration::from_micros(50);

/// One split: `f(i)` for every `i < parts`.
struct Job<'a> {
    f: &'a (dyn Fn(usize) + Sync),
}

struct Helper {
    thread: Thread,
    parked: AtomicBool,
}

struct Team {
    /// `epoch << 32 | next << 16 | parts`: which split is current, the next
    /// part to hand out and how many it has. One word, so a helper that
    /// claims a part with a compare-and-swap also proves the split it saw
    /// is still the current one.
    claim: AtomicU64,
    /// The current split's closure (valid while a claimed part is undone).
    job: AtomicPtr<Job<'static>>,
    /// Parts finished in the current split.
    done: AtomicUsize,
    /// The first panic of the current split, re-raised by its caller.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Held by the thread running a split.
    busy: Mutex<()>,
    helpers: OnceLock<Vec<Helper>>,
    size: usize,
}

const MAX_PARTS: usize = 0xffff;

fn epoch(c: u64) -> u64 {
    c >> 32
}
fn next(c: u64) -> usize {
    ((c >> 16) & 0xffff) as usize
}
fn parts(c: u64) -> usize {
    (c & 0xffff) as usize
}

fn team() -> &'static Team {
    static TEAM: OnceLock<Team> = OnceLock::new();
    TEAM.get_or_init(|| {
        let size = crate::init_threads();
        Team {
            claim: AtomicU64::new(0),
            job: AtomicPtr::new(std::ptr::null_mut()),
            done: AtomicUsize::new(0),
            panic: Mutex::new(None),
            busy: Mutex::new(()),
            helpers: OnceLock::new(),
            size,
        }
    })
}

/// Threads a split runs on: the caller and its helpers.
pub(crate) fn threads() -> usize {
    team().size
}

impl Team {
    fn helpers(&'static self) -> &'static [Helper] {
        self.helpers.get_or_init(|| {
            // A helper finds its own entry by index, so stop at the first
            // thread that cannot be spawned rather than skip it.
            (1..self.size)
                .map_while(|i| {
                    std::thread::Builder::new()
                        .name(format!("tensorlow-worker-{i}"))
                        .spawn(move || self.helper_loop(i - 1))
                        .ok()
                        .map(|h| Helper {
                            thread: h.thread().clone(),
                            parked: AtomicBool::new(false),
                        })
                })
                .collect()
        })
    }

    fn helper_loop(&'static self, me: usize) {
        let mut seen = epoch(self.claim.load(Ordering::Acquire));
        loop {
            let start = Instant::now();
            let mut spins = 0u32;
            loop {
                let c = self.claim.load(Ordering::Acquire);
                if epoch(c) != seen {
                    seen = epoch(c);
                    break;
                }
                spins = spins.wrapping_add(1);
                if !spins.is_multiple_of(256) {
                    std::hint::spin_loop();
                    continue;
                }
                let waited = start.elapsed();
                if waited > YIELD_AFTER && waited <= SPIN {
                    // Let any other runnable thread (a rayon worker of a
                    // batched candle matmul, the user's own) have the core.
                    std::thread::yield_now();
                    continue;
                }
                if waited > SPIN {
                    // The helper list is built before any split is published.
                    let Some(h) = self.helpers.get().and_then(|hs| hs.get(me)) else {
                        std::thread::sleep(Duration::from_micros(50));
                        continue;
                    };
                    // Dekker-style handshake with `for_each`: either the
                    // caller sees `parked` and unparks us, or we see its
                    // new epoch and do not park.
                    h.parked.store(true, Ordering::SeqCst);
                    if epoch(self.claim.load(Ordering::SeqCst)) == seen {
                        std::thread::park();
                    }
                    h.parked.store(false, Ordering::SeqCst);
                    spins = 0;
                }
            }
            self.work(seen);
        }
    }

    /// Claims and runs parts of split `e` until none is left.
    fn work(&self, e: u64) {
        loop {
            let c = self.claim.load(Ordering::Acquire);
            if epoch(c) != e || next(c) >= parts(c) {
                return;
            }
            if self
                .claim
                .compare_exchange_weak(c, c + (1 << 16), Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                continue;
            }
            // SAFETY: we hold an unfinished part of split `e`, so its caller
            // is still waiting in `for_each` and `job` points at its live
            // closure (it is only replaced after every part is done).
            let job = unsafe { &*self.job.load(Ordering::Acquire) };
            let i = next(c);
            if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.f)(i))) {
                let mut slot = self.panic.lock().unwrap_or_else(|e| e.into_inner());
                slot.get_or_insert(p);
            }
            self.done.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// Calls `f(i)` for every `i < parts`, spread over the team; returns when
/// all calls have returned. A panic in any part is re-raised here after the
/// others finish.
pub(crate) fn for_each(parts: usize, f: impl Fn(usize) + Sync) {
    let t = team();
    // On the calling thread, with the same panic behaviour as a split.
    let serial = |f: &dyn Fn(usize)| {
        let mut first = None;
        for i in 0..parts {
            if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i))) {
                first.get_or_insert(p);
            }
        }
        if let Some(p) = first {
            std::panic::resume_unwind(p);
        }
    };
    if parts <= 1 || t.size <= 1 || parts > MAX_PARTS {
        return serial(&f);
    }
    let _guard = match t.busy.try_lock() {
        Ok(g) => g,
        Err(TryLockError::Poisoned(g)) => g.into_inner(),
        Err(TryLockError::WouldBlock) => return serial(&f),
    };
    let helpers = t.helpers();
    if helpers.is_empty() {
        return serial(&f);
    }
    let job = Job { f: &f };
    t.done.store(0, Ordering::Relaxed);
    // The lifetime is erased; `job` outlives every use (we wait below for
    // all parts to be done before returning or unwinding).
    t.job.store(&job as *const Job as *mut Job<'static>, Ordering::Release);
    let e = epoch(t.claim.load(Ordering::Relaxed)) + 1;
    t.claim.store(e << 32 | parts as u64, Ordering::SeqCst);
    for h in helpers {
        if h.parked.load(Ordering::SeqCst) {
            h.thread.unpark();
        }
    }
    t.work(e);
    while t.done.load(Ordering::Acquire) < parts {
        std::hint::spin_loop();
    }
    t.job.store(std::ptr::null_mut(), Ordering::Release);
    let panic = t.panic.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(p) = panic {
        std::panic::resume_unwind(p);
    }
}

/// Splits `0..len` into one range per thread (each a multiple of `align`
/// long, but the last) and calls `f` on each over the team; below
/// `min_len` it calls `f(0..len)` on the calling thread.
pub(crate) fn for_each_range(len: usize, min_len: usize, align: usize, f: impl Fn(std::ops::Range<usize>) + Sync) {
    let n = threads();
    if len < min_len || n <= 1 {
        return f(0..len);
    }
    let chunk = len.div_ceil(n).next_multiple_of(align.max(1));
    let parts = len.div_ceil(chunk);
    for_each(parts, |i| f(i * chunk..((i + 1) * chunk).min(len)));
}

/// A raw pointer handed to the parts of a split that write disjoint
/// regions of one buffer.
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub(crate) *mut T);
// SAFETY: only used for writes to disjoint regions, joined before the
// buffer is read.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    pub(crate) fn get(self) -> *mut T {
        self.0
    }

    /// The sub-slice `range` of the buffer.
    ///
    /// # Safety
    /// `range` is in bounds of the buffer, and no other live reference
    /// overlaps it.
    pub(crate) unsafe fn slice<'a>(self, range: std::ops::Range<usize>) -> &'a mut [T] {
        std::slice::from_raw_parts_mut(self.0.add(range.start), range.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_runs_once_and_splits_nest() {
        for _ in 0..200 {
            let hits: Vec<AtomicUsize> = (0..37).map(|_| AtomicUsize::new(0)).collect();
            for_each(hits.len(), |i| {
                hits[i].fetch_add(1, Ordering::Relaxed);
                // A nested split runs on the calling thread.
                let inner = AtomicUsize::new(0);
                for_each(3, |j| {
                    inner.fetch_add(j, Ordering::Relaxed);
                });
                assert_eq!(inner.into_inner(), 3);
            });
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        }
    }

    #[test]
    fn splits_from_many_threads_at_once_all_complete() {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..100 {
                        let total = AtomicUsize::new(0);
                        for_each_range(1000, 10, 8, |r| {
                            total.fetch_add(r.len(), Ordering::Relaxed);
                        });
                        assert_eq!(total.into_inner(), 1000);
                    }
                });
            }
        });
    }

    #[test]
    fn a_panicking_part_is_reraised_after_the_others_finish() {
        let finished = AtomicUsize::new(0);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for_each(8, |i| {
                if i == 5 {
                    panic!("part 5");
                }
                finished.fetch_add(1, Ordering::Relaxed);
            })
        }));
        assert!(r.is_err());
        assert_eq!(finished.load(Ordering::Relaxed), 7);
        // The team still works afterwards.
        let total = AtomicUsize::new(0);
        for_each(4, |i| {
            total.fetch_add(i, Ordering::Relaxed);
        });
        assert_eq!(total.into_inner(), 6);
    }

    #[test]
    fn ranges_cover_the_input_aligned() {
        let seen = Mutex::new(Vec::new());
        for_each_range(1000, 1, 64, |r| seen.lock().unwrap().push(r));
        let mut v = seen.into_inner().unwrap();
        v.sort_by_key(|r| r.start);
        assert_eq!(v.first().unwrap().start, 0);
        assert_eq!(v.last().unwrap().end, 1000);
        for w in v.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(w[0].start % 64, 0);
        }
    }
}
