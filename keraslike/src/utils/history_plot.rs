//! [`History::plot`]: the training curves as an SVG or PNG image (the
//! `plot` feature, on by default), drawn by [`tensorlow::plot`].
//!
//! One panel per metric with its `val_` twin (`loss` first, then the others
//! by name), epochs on x counted from 1 as the progress bar counts them,
//! the metric's name as the panel title and y label, and optionally a
//! logarithmic y axis for the losses.
//!
//! ```
//! use keraslike::callbacks::Logs;
//! use keraslike::utils::PlotOptions;
//! use keraslike::History;
//! # fn main() -> keraslike::Result<()> {
//! let mut h = History::default();
//! for (e, loss) in [0.9, 0.5, 0.3].into_iter().enumerate() {
//!     h.record(e, &Logs::from([("loss".to_string(), loss), ("val_loss".to_string(), loss + 0.1)]));
//! }
//! let path = std::env::temp_dir().join(format!("keraslike-doc-history-{}.svg", std::process::id()));
//! h.plot_with(&path, &PlotOptions { log_loss: true, ..Default::default() })?;
//! assert!(std::fs::read_to_string(&path).unwrap().contains("val_loss"));
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```

use crate::models::History;
use crate::Result;
use std::path::Path;
use tensorlow::plot::{Curve, Figure, Panel};

/// Options of [`History::plot_with`].
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// The figure's title (default `"Training history"`).
    pub title: String,
    /// A logarithmic y axis for `loss` and every `*_loss` (default false).
    pub log_loss: bool,
    /// Panels per row (default 2).
    pub columns: usize,
    /// One panel's size in pixels (default 480 x 360).
    pub panel_size: (u32, u32),
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            title: "Training history".into(),
            log_loss: false,
            columns: 2,
            panel_size: (480, 360),
        }
    }
}

impl History {
    /// The names that get a panel: each name without the `val_` prefix
    /// once (`loss` first, then by name), so `val_x` shares `x`'s panel.
    pub fn plot_panels(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for k in self.history.keys() {
            let base = k.strip_prefix("val_").filter(|b| !b.is_empty()).unwrap_or(k);
            if !names.iter().any(|n| n == base) {
                names.push(base.to_string());
            }
        }
        names.sort_by_key(|n| (n != "loss", n.clone()));
        names
    }

    /// The figure [`plot_with`](Self::plot_with) draws.
    pub fn figure(&self, options: &PlotOptions) -> Figure {
        let x: Vec<f64> = self.epoch.iter().map(|&e| e as f64 + 1.0).collect();
        let mut fig = Figure::new(options.title.clone());
        fig.columns = options.columns;
        fig.panel_size = options.panel_size;
        for name in self.plot_panels() {
            let is_loss = name == "loss" || name.ends_with("_loss");
            let mut panel = Panel::new(name.clone(), "epoch", name.clone()).log_y(options.log_loss && is_loss);
            for key in [name.clone(), format!("val_{name}")] {
                if let Some(y) = self.history.get(&key) {
                    let n = y.len().min(x.len());
                    panel = panel.curve(Curve::new(key, x[..n].to_vec(), y[..n].to_vec()));
                }
            }
            fig = fig.panel(panel);
        }
        fig
    }

    /// Writes the training curves to `path`, SVG or PNG by its extension,
    /// with the default [`PlotOptions`].
    pub fn plot(&self, path: impl AsRef<Path>) -> Result<()> {
        self.plot_with(path, &PlotOptions::default())
    }

    /// [`plot`](Self::plot) with options. Errors when nothing was recorded,
    /// or when the extension is neither `.svg` nor `.png`.
    pub fn plot_with(&self, path: impl AsRef<Path>, options: &PlotOptions) -> Result<()> {
        if self.history.is_empty() {
            return Err(crate::Error::NotReady(format!(
                "History::plot({}): the history is empty; plot the History that fit returned after at least one epoch",
                path.as_ref().display()
            )));
        }
        Ok(self.figure(options).save(path)?)
    }
}
