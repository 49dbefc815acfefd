//! [`FitState::plot`]: an estimator's `loss_curve_` (and, with early
//! stopping, `validation_scores_`) as an SVG or PNG image (the `plot`
//! feature), drawn by [`tensorlow::plot`] — what
//! `plt.plot(mlp.loss_curve_)` shows in Python.
//!
//! ```
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions};
//! # fn main() -> sklearnlike::Result<()> {
//! let x: Vec<[f64; 2]> = (0..20).map(|i| [(i % 7) as f64 / 7.0, (i % 3) as f64 / 3.0]).collect();
//! let y: Vec<i64> = (0..20).map(|i| (i % 2) as i64).collect();
//! let mut clf = MlpClassifier::new(MlpOptions::default().hidden_layer_sizes(&[4]).max_iter(5).random_state(0));
//! clf.fit(&x, &y)?;
//! let path = std::env::temp_dir().join(format!("sklearnlike-doc-loss-{}.svg", std::process::id()));
//! clf.state().plot(&path, false)?;
//! assert!(std::fs::read_to_string(&path).unwrap().contains("loss_curve_"));
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```

use super::FitState;
use crate::{Error, Result};
use std::path::Path;
use tensorlow::plot::{Curve, Figure, Panel};

impl FitState {
    /// The figure [`plot`](Self::plot) draws: `loss_curve_` over the
    /// iterations (epochs, from 1), on a log axis when `log_loss`, and
    /// `validation_scores_` beside it when early stopping recorded them.
    pub fn figure(&self, log_loss: bool) -> Figure {
        let mut fig = Figure::new("Training curves").panel(
            Panel::new("loss_curve_", "iteration", "loss")
                .log_y(log_loss)
                .curve(Curve::indexed("loss_curve_", &self.loss_curve)),
        );
        if let Some(scores) = &self.validation_scores {
            fig = fig.panel(
                Panel::new("validation_scores_", "iteration", "validation score")
                    .curve(Curve::indexed("validation_scores_", scores)),
            );
        }
        fig
    }

    /// Writes the training curves to `path`, SVG or PNG by its extension.
    /// Errors when there is no curve (not fitted, or fitted with lbfgs,
    /// which records none, as in scikit-learn).
    pub fn plot(&self, path: impl AsRef<Path>, log_loss: bool) -> Result<()> {
        if self.loss_curve.is_empty() {
            return Err(Error::NotFitted(format!(
                "plot({}): the estimator has no loss_curve_; fit it first with solver \"adam\" or \"sgd\" (lbfgs records none)",
                path.as_ref().display()
            )));
        }
        Ok(self.figure(log_loss).save(path)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(early_stopping: bool) -> FitState {
        let mut s = FitState::default();
        s.loss_curve = vec![0.9, 0.5, 0.4, 0.35];
        s.validation_scores = early_stopping.then(|| vec![0.6, 0.7, 0.8, 0.8]);
        s
    }

    /// The point counts of the 2-pixel-wide polylines (series and legend samples).
    fn lines(svg: &str) -> Vec<usize> {
        svg.split("<polyline")
            .skip(1)
            .filter(|l| l.contains("stroke-width=\"2\""))
            .map(|l| {
                l.split("points=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .count()
            })
            .collect()
    }

    #[test]
    fn one_panel_per_curve() {
        assert_eq!(state(false).figure(true).panels.len(), 1);
        let fig = state(true).figure(false);
        assert_eq!(fig.panels.len(), 2);
        let svg = fig.render_svg().unwrap();
        assert_eq!(lines(&svg), vec![4, 2, 4, 2]);
        assert!(svg.contains("validation_scores_"));
    }

    #[test]
    fn no_curve_is_an_error() {
        let e = FitState::default().plot("x.svg", false).unwrap_err().to_string();
        assert!(e.contains("loss_curve_"), "{e}");
    }
}
