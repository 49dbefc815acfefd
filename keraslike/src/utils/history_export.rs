//! `History` export: CSV and JSON text of what `fit` returned, one row or
//! one list per logged quantity (`pd.DataFrame(history.history).to_csv()`
//! and `json.dump(history.history)` in Python).
//!
//! ```
//! use keraslike::callbacks::Logs;
//! use keraslike::History;
//! let mut h = History::default();
//! h.record(0, &Logs::from([("loss".to_string(), 0.5)]));
//! h.record(1, &Logs::from([("loss".to_string(), 0.25)]));
//! assert_eq!(h.to_csv_string(), "epoch,loss\n0,0.5\n1,0.25\n");
//! ```

use crate::models::History;

impl History {
    /// The history as CSV text: a header `epoch,<names...>` (names sorted),
    /// then one row per epoch; a value missing for an epoch is left empty.
    /// Values are written in Rust's shortest round-trip form (`NaN` for NaN).
    ///
    /// ```
    /// use keraslike::callbacks::Logs;
    /// use keraslike::History;
    /// let mut h = History::default();
    /// h.record(0, &Logs::from([("loss".to_string(), 0.5), ("val_loss".to_string(), 0.75)]));
    /// assert_eq!(h.to_csv_string(), "epoch,loss,val_loss\n0,0.5,0.75\n");
    /// ```
    pub fn to_csv_string(&self) -> String {
        let mut out = String::from("epoch");
        for k in self.history.keys() {
            out.push(',');
            out.push_str(k);
        }
        out.push('\n');
        for (i, epoch) in self.epoch.iter().enumerate() {
            out.push_str(&epoch.to_string());
            for v in self.history.values() {
                out.push(',');
                if let Some(v) = v.get(i) {
                    out.push_str(&v.to_string());
                }
            }
            out.push('\n');
        }
        out
    }

    /// The history as JSON: `{"epoch": [...], "<name>": [...], ...}`, the
    /// layout of Keras' `history.history` plus the epoch indices (NaN and
    /// infinities become `null`, as JSON has no such numbers).
    ///
    /// ```
    /// use keraslike::callbacks::Logs;
    /// use keraslike::History;
    /// let mut h = History::default();
    /// h.record(0, &Logs::from([("loss".to_string(), 0.5)]));
    /// assert_eq!(h.to_json_value().to_string(), r#"{"epoch":[0],"loss":[0.5]}"#);
    /// ```
    pub fn to_json_value(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("epoch".into(), self.epoch.clone().into());
        for (k, v) in &self.history {
            map.insert(k.clone(), v.clone().into());
        }
        map.into()
    }

    /// Writes [`to_csv_string`](Self::to_csv_string) to `path` (atomically).
    pub fn save_csv(&self, path: impl AsRef<std::path::Path>) -> crate::Result<()> {
        Ok(tensorlow::write_atomic(path.as_ref(), self.to_csv_string().as_bytes())?)
    }

    /// Writes [`to_json_value`](Self::to_json_value) to `path` (atomically).
    pub fn save_json(&self, path: impl AsRef<std::path::Path>) -> crate::Result<()> {
        let text = serde_json::to_string_pretty(&self.to_json_value()).expect("a JSON value serializes");
        Ok(tensorlow::write_atomic(path.as_ref(), text.as_bytes())?)
    }
}
