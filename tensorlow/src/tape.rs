//! `GradientTape`: records operations and computes gradients, with
//! TensorFlow's semantics.
//!
//! A tape records from [`GradientTape::new`] until it is stopped, dropped or
//! (when not persistent) used once. While at least one tape records, every
//! op whose inputs the tape *tracks* (watched tensors, trainable variables
//! read while recording, and outputs of recorded ops) pushes one [`Record`]:
//! its inputs, its output and its backward rule. Nothing is copied: a record
//! holds reference-counted handles to tensors the forward pass made anyway.
//!
//! [`GradientTape::gradient`] walks the records backwards and accumulates
//! vector-Jacobian products computed *with tensorlow ops*. Those ops are
//! themselves recorded by any outer tape that is still recording, which is
//! what gives higher-order gradients through nested tapes.
//!
//! Recording is thread-local: code that runs with no tape pays one
//! thread-local counter check per op.
//!
//! ```
//! use tensorlow::{GradientTape, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::scalar(3.0f64);
//! let outer = GradientTape::new();
//! outer.watch(&x);
//! let inner = GradientTape::new();
//! inner.watch(&x);
//! let y = x.powf(3.0)?;                                   // x³
//! let dy = inner.gradient(&y, &[&x])?[0].clone().unwrap(); // 3x² = 27
//! let d2y = outer.gradient(&dy, &[&x])?[0].clone().unwrap(); // 6x = 18
//! assert_eq!(dy.to_scalar::<f64>()?, 27.0);
//! assert_eq!(d2y.to_scalar::<f64>()?, 18.0);
//! # Ok(()) }
//! ```

use crate::{Error, Gradients, Result, Tensor};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// What a backward rule sees: the op's inputs and output, the gradient
/// flowing into the output, and which inputs need a gradient at all.
pub(crate) struct Ctx<'a> {
    pub inputs: &'a [Tensor],
    pub output: &'a Tensor,
    pub grad: &'a Tensor,
    pub needs: &'a [bool],
}

impl Ctx<'_> {
    /// Whether input `i` needs a gradient (lets a rule skip needless work,
    /// e.g. the gradient of a matmul with respect to the input data).
    pub fn need(&self, i: usize) -> bool {
        self.needs.get(i).copied().unwrap_or(false)
    }
    pub fn x(&self) -> &Tensor {
        &self.inputs[0]
    }
    pub fn y(&self) -> &Tensor {
        &self.inputs[1]
    }
}

pub(crate) type Grads = Vec<Option<Tensor>>;
type BackwardFn = dyn Fn(&Ctx) -> Result<Grads>;

/// One recorded op.
pub(crate) struct Record {
    inputs: Vec<Tensor>,
    output: Tensor,
    backward: Box<BackwardFn>,
}

/// Tensor ids are unique u64s: hashing them again is wasted time.
#[derive(Default)]
struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 ids are hashed")
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
type IdBuild = BuildHasherDefault<IdHasher>;
type IdSet = HashSet<u64, IdBuild>;
type IdMap<V> = HashMap<u64, V, IdBuild>;

struct TapeState {
    records: Vec<Rc<Record>>,
    tracked: IdSet,
    persistent: bool,
    watch_accessed_variables: bool,
    recording: bool,
    active: bool,
    spent: bool,
}

impl TapeState {
    fn tracks(&mut self, t: &Tensor) -> bool {
        if self.tracked.contains(&t.id) {
            return true;
        }
        if t.auto_watch && self.watch_accessed_variables {
            self.tracked.insert(t.id);
            return true;
        }
        false
    }
}

thread_local! {
    static ACTIVE: RefCell<Vec<Rc<RefCell<TapeState>>>> = const { RefCell::new(Vec::new()) };
    static RECORDING: Cell<usize> = const { Cell::new(0) };
}

fn refresh_recording_count() {
    ACTIVE.with(|a| {
        let n = a.borrow().iter().filter(|t| t.borrow().recording).count();
        RECORDING.with(|c| c.set(n));
    });
}

/// Whether any tape on this thread is recording (one thread-local read).
#[inline]
pub(crate) fn is_recording() -> bool {
    RECORDING.with(|c| c.get()) > 0
}

/// Runs `f` with every tape on this thread paused, like TensorFlow's
/// `tape.stop_recording()` applied to all active tapes.
///
/// ```
/// # use tensorlow::{GradientTape, Tensor};
/// let x = Tensor::scalar(2.0f32);
/// let tape = GradientTape::new();
/// tape.watch(&x);
/// let y = tensorlow::no_grad(|| x.square()).unwrap();
/// assert!(tape.gradient(&y, &[&x]).unwrap()[0].is_none());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    // Pauses each tape recording now (rather than zeroing the global count,
    // which the next tape created or gradient computed inside `f` would
    // recompute, silently resuming the outer tapes). Tapes created inside
    // `f` record, as tapes created inside `stop_recording` do in TensorFlow.
    struct Resume(Vec<Rc<RefCell<TapeState>>>);
    impl Drop for Resume {
        fn drop(&mut self) {
            for t in &self.0 {
                let mut st = t.borrow_mut();
                // A tape stopped or spent inside `f` stays stopped.
                if st.active && !st.spent {
                    st.recording = true;
                }
            }
            refresh_recording_count();
        }
    }
    let paused = ACTIVE.with(|a| {
        a.borrow()
            .iter()
            .filter(|t| t.borrow().recording)
            .cloned()
            .collect::<Vec<_>>()
    });
    for t in &paused {
        t.borrow_mut().recording = false;
    }
    refresh_recording_count();
    let _resume = Resume(paused);
    f()
}

/// Records `out = op(inputs)` on every recording tape that tracks one of
/// `inputs`. Called by every differentiable op after its forward pass.
pub(crate) fn record(inputs: &[&Tensor], out: &Tensor, backward: impl Fn(&Ctx) -> Result<Grads> + 'static) {
    let mut backward = Some(backward);
    let mut rec: Option<Rc<Record>> = None;
    ACTIVE.with(|a| {
        for tape in a.borrow().iter() {
            let mut st = tape.borrow_mut();
            if !st.recording {
                continue;
            }
            let mut tracked = false;
            for t in inputs {
                tracked |= st.tracks(t);
            }
            if !tracked {
                continue;
            }
            let r = rec.get_or_insert_with(|| {
                Rc::new(Record {
                    inputs: inputs.iter().map(|t| (*t).clone()).collect(),
                    output: out.clone(),
                    backward: Box::new(backward.take().expect("built once")),
                })
            });
            st.records.push(r.clone());
            st.tracked.insert(out.id);
        }
    });
}

/// What `gradient` returns for a source the target does not depend on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnconnectedGradients {
    /// `None` (TensorFlow's default).
    #[default]
    None,
    /// A tensor of zeros shaped like the source.
    Zero,
}

/// Options of [`GradientTape::with_options`].
#[derive(Clone, Copy, Debug)]
pub struct TapeOptions {
    /// Allow several `gradient` calls (default `false`).
    pub persistent: bool,
    /// Watch trainable variables automatically when read (default `true`).
    pub watch_accessed_variables: bool,
}

impl Default for TapeOptions {
    fn default() -> Self {
        Self {
            persistent: false,
            watch_accessed_variables: true,
        }
    }
}

/// Records operations for automatic differentiation (`tf.GradientTape`).
///
/// ```
/// use tensorlow::{GradientTape, Tensor, Variable};
/// # fn main() -> tensorlow::Result<()> {
/// let w = Variable::new("w", Tensor::new(&[1.0f32, 2.0], &[2])?);
/// let tape = GradientTape::new();
/// let loss = w.square()?.sum_all()?;          // Σ w²
/// let g = tape.gradient(&loss, &[&w])?;       // 2w
/// assert_eq!(g[0].as_ref().unwrap().to_vec::<f32>()?, vec![2.0, 4.0]);
/// # Ok(()) }
/// ```
pub struct GradientTape {
    state: Rc<RefCell<TapeState>>,
}

impl Default for GradientTape {
    fn default() -> Self {
        Self::new()
    }
}

impl GradientTape {
    /// A non-persistent tape that watches trainable variables, recording now.
    pub fn new() -> Self {
        Self::with_options(TapeOptions::default())
    }

    /// A persistent tape: `gradient` may be called any number of times.
    pub fn persistent() -> Self {
        Self::with_options(TapeOptions {
            persistent: true,
            ..TapeOptions::default()
        })
    }

    /// A tape with explicit options.
    pub fn with_options(opts: TapeOptions) -> Self {
        let state = Rc::new(RefCell::new(TapeState {
            records: Vec::new(),
            tracked: IdSet::default(),
            persistent: opts.persistent,
            watch_accessed_variables: opts.watch_accessed_variables,
            recording: true,
            active: true,
            spent: false,
        }));
        ACTIVE.with(|a| a.borrow_mut().push(state.clone()));
        refresh_recording_count();
        GradientTape { state }
    }

    /// Makes the tape track `t` (a tensor or a non-trainable variable).
    pub fn watch(&self, t: &Tensor) {
        self.state.borrow_mut().tracked.insert(t.id);
    }

    /// Whether the tape is still recording.
    pub fn is_recording(&self) -> bool {
        self.state.borrow().recording
    }

    /// Runs `f` without recording on this tape (`tape.stop_recording()`).
    pub fn stop_recording<R>(&self, f: impl FnOnce() -> R) -> R {
        let was = std::mem::replace(&mut self.state.borrow_mut().recording, false);
        refresh_recording_count();
        let r = f();
        self.state.borrow_mut().recording = was;
        refresh_recording_count();
        r
    }

    /// Stops recording for good (leaving TensorFlow's `with` block); the
    /// recorded operations stay available to `gradient`.
    pub fn stop(&self) {
        let mut st = self.state.borrow_mut();
        st.recording = false;
        if st.active {
            st.active = false;
            drop(st);
            self.deactivate();
        }
    }

    /// Forgets everything recorded so far and keeps recording.
    pub fn reset(&self) {
        let mut st = self.state.borrow_mut();
        st.records.clear();
        st.tracked.clear();
        st.spent = false;
    }

    fn deactivate(&self) {
        ACTIVE.with(|a| a.borrow_mut().retain(|t| !Rc::ptr_eq(t, &self.state)));
        refresh_recording_count();
    }

    /// Gradients of `target` (summed over its elements) with respect to each
    /// source (`tape.gradient(target, sources)`): `None` where the target
    /// does not depend on a source. Sources are tensors or variables, as a
    /// slice of references (`&[&w, &b]`) or of values
    /// (`&model.trainable_weights()`); [`Gradients::of`] gives one source's
    /// gradient or an error naming it.
    ///
    /// A non-persistent tape can answer once; asking again is an error.
    ///
    /// ```
    /// use tensorlow::{GradientTape, Tensor, Variable};
    /// # fn main() -> tensorlow::Result<()> {
    /// let x = Tensor::new(&[1.0f32, 2.0], &[1, 2])?;
    /// let w = Variable::new("w", Tensor::new(&[0.5f32, -1.0], &[2, 1])?);
    /// let b = Variable::new("b", Tensor::new(&[0.0f32], &[1])?);
    /// let tape = GradientTape::new();
    /// let y = (x.matmul(&w)? + &b)?.sum_all()?; // x·w + b
    /// let grads = tape.gradient(&y, &[&w, &b])?;
    /// assert_eq!(grads.of(&w)?.to_vec::<f32>()?, vec![1.0, 2.0]); // ∂y/∂w = xᵀ
    /// assert_eq!(grads[1].as_ref().unwrap().to_vec::<f32>()?, vec![1.0]); // ∂y/∂b = 1, TF-style
    /// # Ok(()) }
    /// ```
    pub fn gradient<S: AsRef<Tensor>>(&self, target: &Tensor, sources: &[S]) -> Result<Gradients> {
        self.gradient_with(target, sources, None, UnconnectedGradients::None)
    }

    /// `gradient` with `output_gradients` (the vector of the vector-Jacobian
    /// product, shaped like `target`) and the choice for unconnected sources.
    pub fn gradient_with<S: AsRef<Tensor>>(
        &self,
        target: &Tensor,
        sources: &[S],
        output_gradients: Option<&Tensor>,
        unconnected: UnconnectedGradients,
    ) -> Result<Gradients> {
        self.check_usable()?;
        let sources: Vec<&Tensor> = sources.iter().map(AsRef::as_ref).collect();
        let r = self.backprop(target, &sources, output_gradients, unconnected);
        self.spend();
        Ok(Gradients::new(r?, &sources))
    }

    /// Full Jacobian of `target` with respect to `source`, shaped
    /// `target.shape() ++ source.shape()` (`tape.jacobian`).
    ///
    /// ```
    /// # use tensorlow::{GradientTape, Tensor};
    /// let x = Tensor::new(&[1.0f64, 2.0], &[2]).unwrap();
    /// let tape = GradientTape::new();
    /// tape.watch(&x);
    /// let y = x.square().unwrap();                       // [x0², x1²]
    /// let j = tape.jacobian(&y, &x).unwrap();            // diag(2x)
    /// assert_eq!(j.to_vec::<f64>().unwrap(), vec![2.0, 0.0, 0.0, 4.0]);
    /// ```
    pub fn jacobian(&self, target: &Tensor, source: &Tensor) -> Result<Tensor> {
        self.check_usable()?;
        let n = target.elem_count();
        let r = (|| {
            let mut rows = Vec::with_capacity(n);
            for i in 0..n {
                let seed = Tensor::one_hot_flat(i, target)?;
                let g = self.backprop(target, &[source], Some(&seed), UnconnectedGradients::Zero)?;
                rows.push(g.into_iter().next().flatten().expect("zeros requested"));
            }
            let mut shape = target.shape().to_vec();
            shape.extend_from_slice(source.shape());
            if rows.is_empty() {
                return Tensor::zeros(&shape, source.dtype(), &source.device());
            }
            Tensor::stack(&rows.iter().collect::<Vec<_>>(), 0)?.reshape(&shape)
        })();
        self.spend();
        r
    }

    /// Per-example Jacobian (`tape.batch_jacobian`): for `target` of shape
    /// `(b, m...)` and `source` of shape `(b, n...)` whose examples are
    /// independent, returns `(b, m..., n...)`.
    pub fn batch_jacobian(&self, target: &Tensor, source: &Tensor) -> Result<Tensor> {
        self.check_usable()?;
        let r = (|| {
            let (b, tb) = (target.shape().first().copied(), source.shape().first().copied());
            if b.is_none() || b != tb {
                return Err(Error::shape(
                    "batch_jacobian",
                    format!(
                        "target {:?} and source {:?} must share their first (batch) dimension",
                        target.shape(),
                        source.shape()
                    ),
                ));
            }
            let b = b.unwrap_or(0);
            let m = target.elem_count() / b.max(1);
            let mut cols = Vec::with_capacity(m);
            for j in 0..m {
                let mut seed = vec![0f64; b * m];
                for row in 0..b {
                    seed[row * m + j] = 1.0;
                }
                let seed = Tensor::from_vec(seed, target.shape(), &target.device())?.cast(target.dtype())?;
                let g = self.backprop(target, &[source], Some(&seed), UnconnectedGradients::Zero)?;
                cols.push(g.into_iter().next().flatten().expect("zeros requested"));
            }
            let mut shape = target.shape().to_vec();
            shape.extend_from_slice(&source.shape()[1..]);
            if cols.is_empty() {
                return Tensor::zeros(&shape, source.dtype(), &source.device());
            }
            Tensor::stack(&cols.iter().collect::<Vec<_>>(), 1)?.reshape(&shape)
        })();
        self.spend();
        r
    }

    fn check_usable(&self) -> Result<()> {
        if self.state.borrow().spent {
            return Err(Error::Tape(
                "a non-persistent GradientTape can only compute gradients once; \
                 create it with GradientTape::persistent() to call gradient several times"
                    .into(),
            ));
        }
        Ok(())
    }

    fn spend(&self) {
        let mut st = self.state.borrow_mut();
        if !st.persistent {
            st.spent = true;
            st.records.clear();
            st.tracked.clear();
            st.recording = false;
            let was_active = std::mem::replace(&mut st.active, false);
            drop(st);
            if was_active {
                self.deactivate();
            }
        }
    }

    fn backprop(
        &self,
        target: &Tensor,
        sources: &[&Tensor],
        output_gradients: Option<&Tensor>,
        unconnected: UnconnectedGradients,
    ) -> Result<Vec<Option<Tensor>>> {
        // The tape does not record its own gradient computation; outer tapes do.
        let (records, was_recording) = {
            let mut st = self.state.borrow_mut();
            let was = std::mem::replace(&mut st.recording, false);
            (st.records.clone(), was)
        };
        refresh_recording_count();
        let result = self.walk(&records, target, sources, output_gradients);
        self.state.borrow_mut().recording = was_recording;
        refresh_recording_count();
        let mut grads = result?;
        sources
            .iter()
            .map(|s| match grads.remove(&s.id) {
                Some(g) => Ok(Some(g)),
                None if unconnected == UnconnectedGradients::Zero => Ok(Some(s.zeros_like()?)),
                None => Ok(None),
            })
            .collect()
    }

    fn walk(
        &self,
        records: &[Rc<Record>],
        target: &Tensor,
        sources: &[&Tensor],
        output_gradients: Option<&Tensor>,
    ) -> Result<IdMap<Tensor>> {
        let seed = match output_gradients {
            Some(g) if g.shape() != target.shape() => {
                return Err(Error::shape(
                    "gradient",
                    format!(
                        "output_gradients has shape {:?} but the target has shape {:?}",
                        g.shape(),
                        target.shape()
                    ),
                ))
            }
            Some(g) => g.clone(),
            None => target.ones_like()?,
        };
        let keep: IdSet = sources.iter().map(|s| s.id).collect();
        let mut grads: IdMap<Tensor> = IdMap::default();
        grads.insert(target.id, seed);
        let mut needs = Vec::new();
        for rec in records.iter().rev() {
            let g = if keep.contains(&rec.output.id) {
                grads.get(&rec.output.id).cloned()
            } else {
                grads.remove(&rec.output.id)
            };
            let Some(g) = g else { continue };
            needs.clear();
            {
                let st = self.state.borrow();
                needs.extend(rec.inputs.iter().map(|t| st.tracked.contains(&t.id)));
            }
            let ctx = Ctx {
                inputs: &rec.inputs,
                output: &rec.output,
                grad: &g,
                needs: &needs,
            };
            let in_grads = (rec.backward)(&ctx)?;
            for ((inp, gi), need) in rec.inputs.iter().zip(in_grads).zip(&needs) {
                let (Some(gi), true) = (gi, *need) else { continue };
                match grads.remove(&inp.id) {
                    Some(prev) => grads.insert(inp.id, prev.add(&gi)?),
                    None => grads.insert(inp.id, gi),
                };
            }
        }
        Ok(grads)
    }
}

impl GradientTape {
    /// The same as [`gradient`](Self::gradient), which takes variables
    /// too; kept for code written before it did.
    ///
    /// ```
    /// # use tensorlow::{GradientTape, Tensor, Variable};
    /// let w = Variable::new("w", Tensor::new(&[3.0f64], &[1]).unwrap());
    /// let tape = GradientTape::new();
    /// let loss = w.square().unwrap().sum_all().unwrap();
    /// let g = tape.gradient_of(&loss, &[w]).unwrap();
    /// assert_eq!(g[0].as_ref().unwrap().to_vec::<f64>().unwrap(), vec![6.0]);
    /// ```
    pub fn gradient_of<S: AsRef<Tensor>>(&self, target: &Tensor, sources: &[S]) -> Result<Gradients> {
        self.gradient(target, sources)
    }
}

impl Drop for GradientTape {
    fn drop(&mut self) {
        if self.state.borrow().active {
            self.deactivate();
        }
    }
}
