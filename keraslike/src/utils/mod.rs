//! Utilities, as `keras.utils`: pictures and exports of what training did.
//!
//! - [`History::plot`](crate::History::plot) / [`plot_with`](crate::History::plot_with)
//!   ([`PlotOptions`]): the training curves as SVG or PNG (the `plot`
//!   feature, on by default).
//! - [`plot_model`] / [`model_to_dot`] ([`PlotModelOptions`]): a model's
//!   diagram as Graphviz DOT text, or an SVG/PNG/PDF picture rendered by
//!   Graphviz' `dot` when it is installed (`keras.utils.plot_model`).
//! - [`History::to_csv_string`](crate::History::to_csv_string),
//!   [`to_json_value`](crate::History::to_json_value), `save_csv`,
//!   `save_json`: the history as CSV or JSON.
//!
//! ```
//! use keraslike::callbacks::Logs;
//! use keraslike::History;
//! let mut h = History::default();
//! h.record(0, &Logs::from([("loss".to_string(), 0.5)]));
//! assert_eq!(h.to_json_value()["loss"][0], 0.5);
//! ```

mod history_export;
#[cfg(feature = "plot")]
mod history_plot;
mod plot_model;

#[cfg(feature = "plot")]
pub use history_plot::PlotOptions;
pub use plot_model::{model_to_dot, plot_model, PlotModelOptions, RankDir};
