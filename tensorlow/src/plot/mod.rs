//! Line plots of training curves, as SVG or PNG files (behind the `plot`
//! feature): the picture `plt.plot(history.history["loss"])` gives in
//! Python, for Keras histories, estimators' `loss_curve` and hand-written
//! loops alike.
//!
//! A [`Figure`] is a grid of [`Panel`]s, each with a title, axis labels, a
//! linear or logarithmic y axis and one [`Curve`] per series (with a
//! legend). [`Figure::save`] picks the format from the extension: `.svg`
//! (text drawn by the viewer) or `.png` (drawn with a small embedded font,
//! DejaVu Sans cut to ASCII, so no font needs to be installed). Drawing
//! uses the `plotters` crate. Points whose x or y is not finite are left
//! out; a log axis over values that are not all positive falls back to a
//! linear one.
//!
//! ```
//! use tensorlow::plot::{curves, Curve, Figure, Panel};
//! # fn main() -> tensorlow::Result<()> {
//! let losses = [1.0, 0.5, 0.3, 0.2];
//! let path = std::env::temp_dir().join(format!("tensorlow-doc-plot-{}.svg", std::process::id()));
//! curves(&path, "training", "step", "loss", &[("loss", &losses[..])], true)?;
//! assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg"));
//!
//! // The same, built by hand, with two panels.
//! let fig = Figure::new("training").panel(Panel::new("loss", "step", "loss").curve(Curve::indexed("loss", &losses)))
//!     .panel(Panel::new("rate", "step", "learning rate").curve(Curve::new("lr", vec![1.0, 2.0], vec![0.1, 0.05])));
//! assert_eq!(fig.render_png()?.len() > 0, true);
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```

mod render;

use crate::{Error, Result};
use std::path::Path;

/// One line: `y[i]` against `x[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Shown in the legend.
    pub label: String,
    /// The x values (e.g. epochs).
    pub x: Vec<f64>,
    /// The y values, as many as `x`.
    pub y: Vec<f64>,
}

impl Curve {
    /// A curve through the points `(x[i], y[i])`.
    pub fn new(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Curve {
            label: label.into(),
            x,
            y,
        }
    }

    /// A curve over `x = 1, 2, ..., n` (epochs or iterations counted from 1).
    pub fn indexed(label: impl Into<String>, y: &[f64]) -> Self {
        Curve::new(label, (1..=y.len()).map(|i| i as f64).collect(), y.to_vec())
    }
}

/// One chart of a [`Figure`].
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Drawn above the chart.
    pub title: String,
    /// The x axis' label.
    pub x_label: String,
    /// The y axis' label.
    pub y_label: String,
    /// A logarithmic y axis (used only when every value is positive).
    pub log_y: bool,
    /// The lines, drawn in order with the palette's colors.
    pub curves: Vec<Curve>,
}

impl Panel {
    /// An empty panel with a linear y axis.
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Panel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_y: false,
            curves: Vec::new(),
        }
    }

    /// Adds a line.
    pub fn curve(mut self, curve: Curve) -> Self {
        self.curves.push(curve);
        self
    }

    /// Sets a logarithmic y axis.
    pub fn log_y(mut self, log: bool) -> Self {
        self.log_y = log;
        self
    }
}

/// A titled grid of panels.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Drawn at the top.
    pub title: String,
    /// The charts, filled row by row.
    pub panels: Vec<Panel>,
    /// Panels per row (default 2; fewer when there are fewer panels).
    pub columns: usize,
    /// Size of one panel in pixels (default 480 x 360).
    pub panel_size: (u32, u32),
}

impl Figure {
    /// An empty figure.
    pub fn new(title: impl Into<String>) -> Self {
        Figure {
            title: title.into(),
            panels: Vec::new(),
            columns: 2,
            panel_size: (480, 360),
        }
    }

    /// Adds a panel.
    pub fn panel(mut self, panel: Panel) -> Self {
        self.panels.push(panel);
        self
    }

    /// The image's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        render::layout(self).0
    }

    fn check(&self) -> Result<()> {
        if self.panels.is_empty() {
            return Err(Error::arg(format!(
                "plot {:?}: the figure has no panel; add one with Figure::panel",
                self.title
            )));
        }
        if self.panel_size.0 < 100 || self.panel_size.1 < 100 || self.panel_size.0 > 4000 || self.panel_size.1 > 4000 {
            return Err(Error::arg(format!(
                "plot {:?}: panel_size {:?} is out of range; give 100 to 4000 pixels each way",
                self.title, self.panel_size
            )));
        }
        for p in &self.panels {
            for c in &p.curves {
                if c.x.len() != c.y.len() {
                    return Err(Error::arg(format!(
                        "plot {:?}, panel {:?}: curve {:?} has {} x values but {} y values; give as many of each",
                        self.title,
                        p.title,
                        c.label,
                        c.x.len(),
                        c.y.len()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The figure as an SVG document.
    pub fn render_svg(&self) -> Result<String> {
        self.check()?;
        render::svg(self)
    }

    /// The figure as a PNG file's bytes (8-bit RGB).
    pub fn render_png(&self) -> Result<Vec<u8>> {
        self.check()?;
        render::png(self)
    }

    /// Writes the figure to `path` (atomically), as SVG or PNG by its
    /// extension (`.svg` or `.png`, any case).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let bytes = match ext.as_str() {
            "svg" => self.render_svg()?.into_bytes(),
            "png" => self.render_png()?,
            _ => {
                return Err(Error::arg(format!(
                    "plot: cannot tell the format of {}; end the file name with .svg or .png",
                    path.display()
                )))
            }
        };
        crate::write_atomic(path, &bytes)
    }
}

/// Writes a one-panel plot of `series` (label, y values over x = 1..n) to
/// `path`: the short form for a loss curve (`plt.plot(mlp.loss_curve_)`).
pub fn curves(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(&str, &[f64])],
    log_y: bool,
) -> Result<()> {
    let mut panel = Panel::new(title, x_label, y_label).log_y(log_y);
    for (label, y) in series {
        panel = panel.curve(Curve::indexed(*label, y));
    }
    let mut fig = Figure::new("").panel(panel);
    fig.columns = 1;
    fig.save(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig() -> Figure {
        Figure::new("t").panel(Panel::new("loss", "epoch", "loss").curve(Curve::indexed("loss", &[1.0, 0.5, 0.25])))
    }

    #[test]
    fn svg_and_png_are_produced() {
        let svg = fig().render_svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        // One 3-point series line plus its 2-point legend sample.
        let lines: Vec<usize> = svg
            .split("<polyline")
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
            .collect();
        assert_eq!(lines, vec![3, 2]);
        let png = fig().render_png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width and height, big-endian, after the 8-byte signature and 8-byte chunk header.
        let (w, h) = fig().size();
        assert_eq!((w, h), (480, 400));
        assert_eq!(&png[16..24], [w.to_be_bytes(), h.to_be_bytes()].concat());
    }

    #[test]
    fn non_finite_points_are_skipped_and_log_falls_back() {
        let p =
            Panel::new("x", "x", "y")
                .log_y(true)
                .curve(Curve::new("a", vec![1.0, 2.0, 3.0], vec![f64::NAN, 0.0, 1.0]));
        let svg = Figure::new("").panel(p).render_svg().unwrap();
        assert!(svg.contains("<polyline"));
        let empty = Figure::new("").panel(Panel::new("x", "x", "y").curve(Curve::new("a", vec![], vec![])));
        assert!(empty.render_png().is_ok());
    }

    #[test]
    fn bad_figures_are_errors() {
        let e = Figure::new("f").render_svg().unwrap_err().to_string();
        assert!(e.contains("no panel"), "{e}");
        let bad = Figure::new("f").panel(Panel::new("p", "x", "y").curve(Curve::new("c", vec![1.0], vec![])));
        let e = bad.render_svg().unwrap_err().to_string();
        assert!(e.contains("1 x values but 0 y values"), "{e}");
        let mut big = fig();
        big.panel_size = (10_000, 10);
        assert!(big.render_png().unwrap_err().to_string().contains("panel_size"));
        let e = fig().save("plot.gif").unwrap_err().to_string();
        assert!(e.contains(".svg or .png"), "{e}");
    }
}
