//! Drawing a [`Figure`] with `plotters`: the SVG backend writes `<text>`
//! for the viewer to lay out; the bitmap backend rasterizes text with the
//! embedded font (registered once as `sans-serif`) and `png` encodes it.

use super::{Figure, Panel};
use crate::{Error, Result};
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// DejaVu Sans cut to printable ASCII (see `assets/README.md`).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans-ASCII.ttf");
const FAMILY: &str = "sans-serif";
const TITLE_HEIGHT: u32 = 40;

/// A ten-color qualitative palette (matplotlib's `tab10`), so a metric and
/// its `val_` twin get matplotlib's familiar blue and orange.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Marks each point as well as the line when a curve has at most this many.
const MARKERS_UP_TO: usize = 40;

/// The image size and the grid `(rows, columns)`.
pub(super) fn layout(fig: &Figure) -> ((u32, u32), (usize, usize)) {
    let n = fig.panels.len().max(1);
    let cols = fig.columns.clamp(1, n);
    let rows = n.div_ceil(cols);
    let title = if fig.title.is_empty() { 0 } else { TITLE_HEIGHT };
    let (w, h) = fig.panel_size;
    ((w * cols as u32, h * rows as u32 + title), (rows, cols))
}

fn register_font() -> Result<()> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *DONE.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::arg("plot: the embedded font could not be loaded"))
    }
}

fn fail(fig: &Figure, e: impl std::fmt::Display) -> Error {
    Error::arg(format!("plot {:?}: drawing failed: {e}", fig.title))
}

pub(super) fn svg(fig: &Figure) -> Result<String> {
    register_font()?;
    let (size, _) = layout(fig);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root, fig).map_err(|e| fail(fig, e))?;
        root.present().map_err(|e| fail(fig, e))?;
    }
    Ok(out)
}

pub(super) fn png(fig: &Figure) -> Result<Vec<u8>> {
    register_font()?;
    let ((w, h), _) = layout(fig);
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root, fig).map_err(|e| fail(fig, e))?;
        root.present().map_err(|e| fail(fig, e))?;
    }
    let mut out = Vec::new();
    let mut enc = ::png::Encoder::new(&mut out, w, h);
    enc.set_color(::png::ColorType::Rgb);
    enc.set_depth(::png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| fail(fig, e))?;
    writer.write_image_data(&rgb).map_err(|e| fail(fig, e))?;
    writer.finish().map_err(|e| fail(fig, e))?;
    Ok(out)
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (_, (rows, cols)) = layout(fig);
    let body = if fig.title.is_empty() {
        root.clone()
    } else {
        let (top, body) = root.split_vertically(TITLE_HEIGHT);
        top.titled(&fig.title, (FAMILY, 24))?;
        body
    };
    for (area, panel) in body.split_evenly((rows, cols)).iter().zip(&fig.panels) {
        draw_panel(area, panel)?;
    }
    Ok(())
}

/// The finite points of each curve.
fn points(panel: &Panel) -> Vec<Vec<(f64, f64)>> {
    let curves = panel.curves.iter();
    let finite = |c: &super::Curve| -> Vec<(f64, f64)> {
        c.x.iter()
            .zip(&c.y)
            .map(|(&x, &y)| (x, y))
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect()
    };
    curves.map(finite).collect()
}

/// `[lo, hi]` widened a little (or to a unit span when flat).
fn padded(lo: f64, hi: f64, log: bool) -> Range<f64> {
    if log {
        let (l, h) = (lo.log10(), hi.log10());
        let pad = if h > l { (h - l) * 0.05 } else { 0.5 };
        return 10f64.powf(l - pad)..10f64.powf(h + pad);
    }
    if hi > lo {
        let pad = (hi - lo) * 0.05;
        lo - pad..hi + pad
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo - pad..hi + pad
    }
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> DrawResult<DB> {
    let pts = points(panel);
    let all = || pts.iter().flatten();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in all() {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0); // no finite point: empty axes
    }
    let x = if x1 > x0 { x0..x1 } else { x0 - 0.5..x1 + 0.5 };
    // The legend goes where the curves end away from: below them when they
    // end high (accuracy), above them when they end low (loss).
    let ends: Vec<f64> = pts.iter().filter_map(|p| p.last().map(|q| q.1)).collect();
    let mid = (y0 + y1) / 2.0;
    let legend = if !ends.is_empty() && ends.iter().sum::<f64>() / ends.len() as f64 > mid {
        SeriesLabelPosition::LowerRight
    } else {
        SeriesLabelPosition::UpperRight
    };
    if panel.log_y && y0 > 0.0 {
        let y = padded(y0, y1, true);
        let (bold, light) = log_ticks(&y);
        let y = y.log_scale().with_key_points(bold).with_light_points(light);
        chart(area, panel, &pts, x, y, legend)
    } else {
        chart(area, panel, &pts, x, padded(y0, y1, false), legend)
    }
}

/// Tick values of a log axis over `r`: the 1-2-5 multiples of each power
/// of ten (all of 1..9 when that gives fewer than 3, the powers alone over
/// more than 5 decades), and 1..9 multiples for the light grid lines.
fn log_ticks(r: &Range<f64>) -> (Vec<f64>, Vec<f64>) {
    let (k0, k1) = (r.start.log10().floor() as i32, r.end.log10().ceil() as i32);
    let within = |ms: &[f64]| -> Vec<f64> {
        (k0..=k1)
            .flat_map(|k| {
                ms.iter()
                    .map(move |m| if k < 0 { m / 10f64.powi(-k) } else { m * 10f64.powi(k) })
            })
            .filter(|v| (r.start..=r.end).contains(v))
            .collect()
    };
    let all: Vec<f64> = (1..=9).map(f64::from).collect();
    let mut bold = if k1 - k0 > 5 {
        within(&[1.0])
    } else {
        within(&[1.0, 2.0, 5.0])
    };
    if bold.len() < 3 {
        bold = within(&all);
    }
    (bold, within(&all))
}

/// A short tick label: integers as such, others with 4 significant digits.
fn tick(v: &f64) -> String {
    let v = *v;
    if v == v.round() && v.abs() < 1e6 {
        format!("{v:.0}")
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e6) {
        format!("{v:.2e}")
    } else {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{v:.digits$}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

fn chart<DB, Y>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    pts: &[Vec<(f64, f64)>],
    x: Range<f64>,
    y: Y,
    legend: SeriesLabelPosition,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    // Epochs and iterations are whole numbers: label no tick between them.
    let whole_x = pts.iter().flatten().all(|p| p.0.fract() == 0.0);
    let x_tick = |v: &f64| {
        if whole_x && v.fract() != 0.0 {
            String::new()
        } else {
            tick(v)
        }
    };
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, (FAMILY, 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .x_label_formatter(&x_tick)
        .y_label_formatter(&tick)
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for (i, (curve, p)) in panel.curves.iter().zip(pts).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(p.iter().copied(), color.stroke_width(2)))?
            .label(curve.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        if p.len() <= MARKERS_UP_TO {
            chart.draw_series(p.iter().map(|&pt| Circle::new(pt, 3, color.filled())))?;
        }
    }
    if !panel.curves.is_empty() {
        chart
            .configure_series_labels()
            .position(legend)
            .label_font((FAMILY, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_follow_1_2_5() {
        let (bold, light) = log_ticks(&(0.01..1.5));
        assert_eq!(bold, vec![0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]);
        assert_eq!(light.len(), 9 * 2 + 1);
        // Within one decade 1-2-5 gives two ticks: use every multiple.
        let (bold, _) = log_ticks(&(0.12..0.9));
        assert_eq!(bold, vec![0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
        // Many decades: the powers of ten only.
        let (bold, _) = log_ticks(&(1e-8..1.0));
        assert_eq!(bold.len(), 9);
    }

    #[test]
    fn tick_labels_are_short() {
        let labels: Vec<String> = [3.0, 0.25, 0.012345, 1234.5678, 1e-5, 2.5e7].iter().map(tick).collect();
        assert_eq!(labels, ["3", "0.25", "0.01235", "1235", "1.00e-5", "2.50e7"]);
    }

    #[test]
    fn padding_keeps_flat_and_log_ranges_usable() {
        assert_eq!(padded(2.0, 2.0, false), 1.8..2.2);
        assert_eq!(padded(0.0, 0.0, false), -1.0..1.0);
        assert_eq!(padded(0.0, 10.0, false), -0.5..10.5);
        let r = padded(0.1, 10.0, true);
        assert!(r.start < 0.1 && r.end > 10.0 && r.start > 0.0);
    }
}
