//! `History`: what `fit` returns (`keras.callbacks.History`).

use crate::callbacks::Logs;
use std::collections::BTreeMap;

/// Per-epoch logs returned by [`fit`](super::Sequential::fit): `loss`, each
/// metric, and `val_loss`/`val_<metric>` when there is validation data.
///
/// ```
/// use keraslike::callbacks::Logs;
/// use keraslike::History;
/// let mut h = History::default();
/// h.record(0, &Logs::from([("loss".to_string(), 0.9)]));
/// h.record(1, &Logs::from([("loss".to_string(), 0.5)]));
/// assert_eq!(h.epoch, vec![0, 1]);
/// assert_eq!(h.get("loss"), Some(&[0.9, 0.5][..]));
/// assert_eq!(h.last("loss"), Some(0.5));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Epoch indices that ran (0-based, starting at `initial_epoch`).
    pub epoch: Vec<usize>,
    /// Each logged quantity (`loss`, metrics, `val_*`) per epoch, by name.
    pub history: BTreeMap<String, Vec<f64>>,
}

impl History {
    /// Appends one epoch's logs.
    pub fn record(&mut self, epoch: usize, logs: &Logs) {
        self.epoch.push(epoch);
        for (k, v) in logs {
            self.history.entry(k.clone()).or_default().push(*v);
        }
    }

    /// The values of `key` per epoch (`history.history["loss"]`).
    pub fn get(&self, key: &str) -> Option<&[f64]> {
        self.history.get(key).map(Vec::as_slice)
    }

    /// The value of `key` after the last epoch.
    pub fn last(&self, key: &str) -> Option<f64> {
        self.history.get(key).and_then(|v| v.last().copied())
    }

    /// The logged names, sorted (`history.history.keys()`).
    pub fn keys(&self) -> Vec<&str> {
        self.history.keys().map(String::as_str).collect()
    }

    /// The number of epochs recorded.
    pub fn len(&self) -> usize {
        self.epoch.len()
    }

    /// True when no epoch ran.
    pub fn is_empty(&self) -> bool {
        self.epoch.is_empty()
    }
}
