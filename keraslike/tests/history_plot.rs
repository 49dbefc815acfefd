//! `History::plot` and the CSV/JSON export on a hand-made history: the SVG
//! parses as XML and holds one line per series with one point per epoch,
//! the PNG decodes to the figure's size, and the exports hold every value.
#![cfg(feature = "plot")]

use keraslike::callbacks::Logs;
use keraslike::models::History;
use keraslike::utils::PlotOptions;

const EPOCHS: usize = 7;

fn history() -> History {
    let mut h = History::default();
    for e in 0..EPOCHS {
        let t = e as f64;
        let logs = Logs::from([
            ("loss".to_string(), 1.0 / (t + 1.0)),
            ("val_loss".to_string(), 1.2 / (t + 1.0)),
            ("accuracy".to_string(), 0.5 + 0.05 * t),
            ("val_accuracy".to_string(), 0.45 + 0.05 * t),
            ("learning_rate".to_string(), 0.01),
        ]);
        h.record(e, &logs);
    }
    h
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("keraslike_plot_{}_{name}", std::process::id()))
}

/// The point count of each `<polyline>` drawn with a stroke width of 2
/// (plotters draws the series and their legend samples that way; the grid
/// uses width 1), in document order.
fn series_lines(svg: &str) -> Vec<usize> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("2"))
        .map(|n| n.attribute("points").unwrap_or("").split_whitespace().count())
        .collect()
}

#[test]
fn svg_has_one_line_per_series_with_one_point_per_epoch() {
    let h = history();
    assert_eq!(h.plot_panels(), vec!["loss", "accuracy", "learning_rate"]);
    let path = tmp("h.svg");
    h.plot_with(
        &path,
        &PlotOptions {
            log_loss: true,
            ..Default::default()
        },
    )
    .unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    let lines = series_lines(&svg);
    // 5 series of 7 points, each followed by its 2-point legend sample.
    let full: Vec<usize> = lines.iter().copied().filter(|&n| n == EPOCHS).collect();
    assert_eq!(full.len(), 5, "{lines:?}");
    assert_eq!(lines.iter().filter(|&&n| n == 2).count(), 5, "{lines:?}");
    for text in ["Training history", "val_loss", "val_accuracy", "learning_rate", "epoch"] {
        assert!(svg.contains(text), "{text} missing");
    }
    std::fs::remove_file(&path).ok();
}

#[test]
fn png_decodes_to_the_figure_size() {
    let h = history();
    let path = tmp("h.png");
    h.plot(&path).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    // 3 panels in rows of 2: 2 x 480 wide, 2 x 360 high plus the 40-pixel title.
    assert_eq!((info.width, info.height), (960, 760));
    assert_eq!(h.figure(&PlotOptions::default()).size(), (960, 760));
    let px = &buf[..info.buffer_size()];
    let has = |rgb: [u8; 3]| px.chunks_exact(3).any(|p| p == rgb);
    assert!(
        has([255, 255, 255]) && has([31, 119, 180]) && has([255, 127, 14]),
        "white, blue and orange pixels"
    );
    // Text is drawn (dark pixels that are not the series' colors).
    assert!(px.chunks_exact(3).filter(|p| p.iter().all(|&c| c < 60)).count() > 500);
    std::fs::remove_file(&path).ok();
}

#[test]
fn bad_requests_are_errors() {
    let e = History::default().plot(tmp("empty.svg")).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    let e = history().plot(tmp("h.jpg")).unwrap_err().to_string();
    assert!(e.contains(".svg or .png"), "{e}");
    let e = history().plot("/nonexistent-dir/x/h.svg").unwrap_err().to_string();
    assert!(e.contains("nonexistent-dir"), "{e}");
}

#[test]
fn csv_and_json_hold_every_value() {
    let h = history();
    let csv = h.to_csv_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss");
    assert_eq!(lines.len(), EPOCHS + 1);
    let row2: Vec<f64> = lines[3].split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(
        row2,
        vec![2.0, 0.5 + 0.05 * 2.0, 0.01, 1.0 / 3.0, 0.45 + 0.05 * 2.0, 1.2 / 3.0]
    );

    let path = tmp("h.json");
    h.save_json(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["epoch"], serde_json::json!([0, 1, 2, 3, 4, 5, 6]));
    assert_eq!(v["loss"][6].as_f64(), Some(1.0 / 7.0));
    assert_eq!(v["val_accuracy"].as_array().unwrap().len(), EPOCHS);
    let path_csv = tmp("h.csv");
    h.save_csv(&path_csv).unwrap();
    assert_eq!(std::fs::read_to_string(&path_csv).unwrap(), csv);
    std::fs::remove_file(&path).ok();
    std::fs::remove_file(&path_csv).ok();
}
