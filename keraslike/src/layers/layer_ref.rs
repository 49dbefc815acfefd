//! [`LayerRef`]: a shared handle to a layer, as a Python reference to a
//! Keras layer object.
//!
//! Cloning a `LayerRef` gives another handle to the same layer and the same
//! weights: a layer applied twice in a functional graph, used in two models,
//! or held by a subclassed model and by the model's weight list is one
//! layer. The handle also carries the layer's `trainable` flag (Keras'
//! `layer.trainable = False`), builds the layer on its first call from the
//! input's shape (so a subclassed model's `call` can use unbuilt layers, as
//! in Keras), and names the layer in errors raised inside it.
//!
//! ```
//! use keraslike::layers::{Dense, Layer, LayerRef};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let dense = Dense::new(2).name("d").shared(); // a LayerRef<Dense>
//! let y = dense.call(&Tensor::new(&[1.0f32, 2.0, 3.0], &[1, 3])?, false)?; // builds: kernel (3, 2)
//! assert_eq!(y.shape(), &[1, 2]);
//! assert_eq!(dense.read().kernel().unwrap().shape(), &[3, 2]);
//! let same: LayerRef = dense.clone().erased();
//! same.set_trainable(false);
//! assert!(dense.trainable_weights().is_empty() && dense.non_trainable_weights().len() == 2);
//! # Ok(()) }
//! ```

use super::layer::{BuildContext, CallArgs, Layer};
use crate::{Error, Result};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use tensorlow::{Tensor, Variable};

/// The shared state behind a [`LayerRef`]; the layer comes last so the
/// handle can be unsized (`LayerRef<Dense>` -> `LayerRef<dyn Layer>`).
struct Cell<L: ?Sized> {
    trainable: AtomicBool,
    /// How many times the layer has been applied to symbolic tensors (the
    /// next node's index, Keras' `node_index`).
    nodes: AtomicUsize,
    layer: RwLock<L>,
}

/// A shared handle to a layer (see the [module docs](self)). `LayerRef`
/// alone means a handle to any layer (`LayerRef<dyn Layer>`); a typed
/// `LayerRef<Dense>` keeps access to the concrete type.
pub struct LayerRef<L: ?Sized = dyn Layer> {
    cell: Arc<Cell<L>>,
}

impl<L: ?Sized> Clone for LayerRef<L> {
    fn clone(&self) -> Self {
        LayerRef {
            cell: self.cell.clone(),
        }
    }
}

impl<L: Layer> LayerRef<L> {
    /// A handle owning `layer`.
    pub fn new(layer: L) -> Self {
        LayerRef {
            cell: Arc::new(Cell {
                trainable: AtomicBool::new(true),
                nodes: AtomicUsize::new(0),
                layer: RwLock::new(layer),
            }),
        }
    }

    /// The same layer behind a handle to any layer.
    pub fn erased(self) -> LayerRef {
        LayerRef { cell: self.cell }
    }
}

impl LayerRef {
    /// A handle to a boxed layer.
    pub fn from_box(layer: Box<dyn Layer>) -> LayerRef {
        LayerRef::new(layer).erased()
    }
}

impl<L: Layer + ?Sized> std::fmt::Debug for LayerRef<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = self.read();
        write!(f, "{} {:?}", l.class_name(), l.name())
    }
}

impl<L: Layer + ?Sized> LayerRef<L> {
    /// Read access to the layer (blocks while it is being built).
    pub fn read(&self) -> RwLockReadGuard<'_, L> {
        self.cell.layer.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access to the layer.
    pub fn write(&self) -> RwLockWriteGuard<'_, L> {
        self.cell.layer.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether two handles point to the same layer.
    pub fn same<M: ?Sized>(&self, other: &LayerRef<M>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.cell), Arc::as_ptr(&other.cell))
    }

    /// An identity for maps keyed by layer (stable while the layer lives).
    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.cell) as *const () as usize
    }

    /// The layer's name.
    pub fn name(&self) -> String {
        self.read().name().to_string()
    }

    /// The layer's class name.
    pub fn class_name(&self) -> &'static str {
        self.read().class_name()
    }

    /// `Dense "dense_1"`: how errors name the layer.
    pub fn label(&self) -> String {
        let l = self.read();
        format!("{} {:?}", l.class_name(), l.name())
    }

    /// Whether the layer's weights exist.
    pub fn built(&self) -> bool {
        self.read().built()
    }

    /// Whether the optimizer updates this layer's weights (Keras'
    /// `layer.trainable`, default true).
    pub fn trainable(&self) -> bool {
        self.cell.trainable.load(Ordering::Relaxed)
    }

    /// Freezes (`false`) or unfreezes the layer, as Keras'
    /// `layer.trainable = False`: a frozen layer's weights all count as
    /// non-trainable (`fit` leaves them alone, `summary()` counts them so),
    /// and a frozen `BatchNormalization` runs in inference mode. On a nested
    /// model it applies to every layer inside.
    pub fn set_trainable(&self, trainable: bool) {
        self.cell.trainable.store(trainable, Ordering::Relaxed);
        self.write().set_trainable(trainable);
    }

    /// The weights `fit` updates: none when frozen.
    pub fn trainable_weights(&self) -> Vec<Variable> {
        if self.trainable() {
            self.read().trainable_weights()
        } else {
            Vec::new()
        }
    }

    /// The weights `fit` leaves alone: all of them when frozen.
    pub fn non_trainable_weights(&self) -> Vec<Variable> {
        let l = self.read();
        if self.trainable() {
            l.non_trainable_weights()
        } else {
            l.weights()
        }
    }

    /// Every weight, trainable first (Keras' order).
    pub fn weights(&self) -> Vec<Variable> {
        let mut w = self.trainable_weights();
        w.extend(self.non_trainable_weights());
        w
    }

    /// The layer's config (`layer.get_config()`).
    pub fn get_config(&self) -> serde_json::Value {
        self.read().get_config()
    }

    /// Builds the layer for inputs of shape `(batch, input_shape...)` unless
    /// it is built already; first reports a configuration mistake recorded
    /// by a builder method.
    pub fn build(&self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        self.build_multi(&[input_shape.to_vec()], ctx)
    }

    /// [`build`](Self::build) for a list of inputs.
    pub fn build_multi(&self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        if self.read().built() {
            return Ok(());
        }
        let mut l = self.write();
        if l.built() {
            return Ok(());
        }
        if let Some(e) = l.config_error() {
            return Err(Error::arg(format!("{} {:?}: {e}", l.class_name(), l.name())));
        }
        let r = tensorlow::no_grad(|| {
            if input_shapes.len() == 1 {
                l.build(&input_shapes[0], ctx)
            } else {
                l.build_multi(input_shapes, ctx)
            }
        });
        r.map_err(|e| in_layer(e, l.class_name(), l.name()))
    }

    /// Builds the layer from a batch's shape and device if it is not built.
    fn ensure_built(&self, inputs: &[&Tensor]) -> Result<()> {
        if self.read().built() {
            return Ok(());
        }
        let Some(first) = inputs.first() else {
            return Ok(());
        };
        let shapes = inputs
            .iter()
            .map(|x| x.shape().get(1..).map(<[usize]>::to_vec))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::shape(format!("{}: inputs need a batch axis, got a scalar", self.label())))?;
        self.build_multi(&shapes, &BuildContext::on(&first.device()))
    }

    /// The layer applied to one batch (`layer(x, training=...)`), building
    /// it first from `x`'s shape if needed. Errors raised inside name the
    /// layer.
    pub fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        self.ensure_built(&[x])?;
        let l = self.read();
        l.call(x, training).map_err(|e| in_layer(e, l.class_name(), l.name()))
    }

    /// The layer applied to a list of tensors with their masks; one tensor
    /// per output.
    pub fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        self.ensure_built(&inputs.iter().collect::<Vec<_>>())?;
        let l = self.read();
        l.call_multi(inputs, args)
            .map_err(|e| in_layer(e, l.class_name(), l.name()))
    }

    /// The next node index (how many times the layer was applied to symbolic tensors).
    pub(crate) fn next_node_index(&self) -> usize {
        self.cell.nodes.fetch_add(1, Ordering::Relaxed)
    }
}

/// Names the layer in an error raised inside it, unless the message does
/// already (`Dense "dense_1": ...`), as Keras' "Exception encountered when
/// calling Dense.call()".
pub(crate) fn in_layer(e: Error, class: &str, name: &str) -> Error {
    let label = format!("{class} {name:?}");
    if e.to_string().contains(&label) {
        return e;
    }
    Error::Layer {
        layer: label,
        source: Box::new(e),
    }
}
