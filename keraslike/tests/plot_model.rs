//! `plot_model` / `model_to_dot`: the DOT text of a two-input two-output
//! functional model lists every layer once and every connection once, and a
//! nested model is one box or (expand_nested) a cluster wired inside.
//!
//! The expected nodes and edges are Keras 3.15.1's, from
//! `keras.utils.model_to_dot` (pydot 4.0.1) on the same models:
//!
//! ```python
//! import os, re; os.environ["KERAS_BACKEND"] = "numpy"
//! import keras; from keras import layers
//! a = keras.Input((4,), name="a"); b = keras.Input((3,), name="b")
//! da = layers.Dense(8, activation="relu", name="da")(a); db = layers.Dense(8, name="db")(b)
//! h = layers.Concatenate(name="cat")([da, db]); cls = layers.Dense(3, activation="softmax", name="cls")(h)
//! reg = layers.Dense(1, name="reg")(layers.Concatenate(name="cat2")([h, a]))
//! m = keras.Model([a, b], [cls, reg], name="two_heads")
//! d = keras.utils.model_to_dot(m, show_shapes=True, show_layer_names=True, show_dtype=True)
//! names = {n.get_name(): re.search(r"<b>(.*?)</b>", n.get("label")).group(1) for n in d.get_nodes() if n.get("label")}
//! print(sorted(names.values()))   # ['a', 'b', 'cat', 'cat2', 'cls', 'da', 'db', 'reg']
//! print(sorted((names[e.get_source()], names[e.get_destination()]) for e in d.get_edges()))
//! # [('a', 'cat2'), ('a', 'da'), ('b', 'db'), ('cat', 'cat2'), ('cat', 'cls'), ('cat2', 'reg'), ('da', 'cat'), ('db', 'cat')]
//! # cat2's label: Input shape: <b>[(None, 16), (None, 4)]</b> ... Output shape: <b>(None, 20)</b> ... Output dtype: <b>float32</b>
//! enc = keras.Sequential([keras.Input((8,)), layers.Dense(4, name="e1"), layers.Dense(2, name="e2")], name="encoder")
//! x = keras.Input((8,), name="x"); outer = keras.Model(x, layers.Dense(1, name="head")(enc(x)), name="outer")
//! # expand_nested=False: nodes x, encoder, head; edges x->encoder, encoder->head
//! # expand_nested=True: x, head, and e1, e2 in cluster_encoder; edges x->e1, e1->e2, e2->head
//! ```

use keraslike::layers::{Concatenate, Dense, Input, Layer};
use keraslike::utils::{model_to_dot, plot_model, PlotModelOptions, RankDir};
use keraslike::{sequential, Model};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// (node ids, edges) of a DOT text as `model_to_dot` writes it: one
/// `"id" [label=...]` line per box and one `"src" -> "dst"` line per edge.
fn structure(dot: &str) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut nodes = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for line in dot.lines().map(str::trim) {
        let ids: Vec<&str> = line.split('"').collect();
        if line.contains(" -> ") {
            assert_eq!(ids.len(), 5, "{line}");
            assert!(
                edges.insert((ids[1].to_string(), ids[3].to_string())),
                "edge twice: {line}"
            );
        } else if line.contains("[label=<") {
            assert!(nodes.insert(ids[1].to_string()), "box twice: {line}");
        }
    }
    (nodes, edges)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn two_heads() -> keraslike::Result<Model> {
    let a = Input::new(&[4]).name("a");
    let b = Input::new(&[3]).name("b");
    let da = Dense::new(8).activation("relu").name("da").apply(&a)?;
    let db = Dense::new(8).name("db").apply(&b)?;
    let h = Concatenate::new().name("cat").apply([&da, &db])?;
    let cls = Dense::new(3).activation("softmax").name("cls").apply(&h)?;
    let h2 = Concatenate::new().name("cat2").apply([&h, &a.tensor()])?;
    let reg = Dense::new(1).name("reg").apply(&h2)?;
    Ok(Model::functional([&a.tensor(), &b.tensor()], [&cls, &reg])?.with_name("two_heads"))
}

#[test]
fn two_inputs_two_outputs() -> keraslike::Result<()> {
    let model = two_heads()?;
    let opts = PlotModelOptions {
        show_shapes: true,
        show_layer_names: true,
        show_dtype: true,
        ..Default::default()
    };
    let dot = model_to_dot(&model, &opts)?;
    assert!(dot.starts_with("digraph \"two_heads\" {\n"), "{dot}");
    assert!(dot.trim_end().ends_with('}'));
    assert!(dot.contains("rankdir=TB"), "{dot}");
    let (nodes, edges) = structure(&dot);
    assert_eq!(nodes, set(&["a", "b", "cat", "cat2", "cls", "da", "db", "reg"]));
    assert_eq!(
        edges,
        pairs(&[
            ("a", "cat2"),
            ("a", "da"),
            ("b", "db"),
            ("cat", "cat2"),
            ("cat", "cls"),
            ("cat2", "reg"),
            ("da", "cat"),
            ("db", "cat"),
        ])
    );
    // Keras' label of cat2, cell for cell.
    let cat2 = dot
        .lines()
        .find(|l| l.trim_start().starts_with("\"cat2\" [label"))
        .unwrap();
    assert!(cat2.contains("<b>cat2</b> (Concatenate)"), "{cat2}");
    assert!(cat2.contains("Input shape: <b>[(None, 16), (None, 4)]</b>"), "{cat2}");
    assert!(cat2.contains("Output shape: <b>(None, 20)</b>"), "{cat2}");
    assert!(cat2.contains("Output dtype: <b>float32</b>"), "{cat2}");
    let a = dot
        .lines()
        .find(|l| l.trim_start().starts_with("\"a\" [label"))
        .unwrap();
    assert!(a.contains("<b>a</b> (InputLayer)") && !a.contains("Input shape"), "{a}");
    assert!(a.contains("Output shape: <b>(None, 4)</b>"), "{a}");

    // Defaults (Keras' plot_model): class names only, no shape cells.
    let plain = model_to_dot(&model, &PlotModelOptions::default())?;
    assert_eq!(structure(&plain), (nodes, edges));
    assert!(!plain.contains("shape:") && !plain.contains("<b>cat2</b>"));
    assert!(plain.contains("<b>Concatenate</b>"));

    let lr = PlotModelOptions {
        rankdir: "lr".parse()?,
        show_layer_activations: true,
        show_trainable: true,
        ..Default::default()
    };
    assert_eq!(lr.rankdir, RankDir::LR);
    let dot = model_to_dot(&model, &lr)?;
    assert!(dot.contains("rankdir=LR"));
    assert!(dot.contains("Activation: <b>relu</b>") && dot.contains("Activation: <b>softmax</b>"));
    assert_eq!(dot.matches("<b>Trainable</b>").count(), 4, "one per Dense: {dot}");
    assert!("up".parse::<RankDir>().unwrap_err().to_string().contains("\"LR\""));
    Ok(())
}

#[test]
fn nested_models_and_sequential() -> keraslike::Result<()> {
    let encoder = sequential![Dense::new(4).name("e1").input_shape(&[8]), Dense::new(2).name("e2")]
        .into_model()
        .with_name("encoder")
        .shared();
    let x = Input::new(&[8]).name("x");
    let y = Dense::new(1).name("head").apply(&encoder.apply(&x)?)?;
    let outer = Model::functional(&x, &y)?.with_name("outer");

    let (nodes, edges) = structure(&model_to_dot(&outer, &PlotModelOptions::default())?);
    assert_eq!(nodes, set(&["x", "encoder", "head"]));
    assert_eq!(edges, pairs(&[("x", "encoder"), ("encoder", "head")]));

    let expand = PlotModelOptions {
        expand_nested: true,
        ..Default::default()
    };
    let dot = model_to_dot(&outer, &expand)?;
    let (nodes, edges) = structure(&dot);
    assert_eq!(nodes, set(&["x", "encoder/e1", "encoder/e2", "head"]));
    assert_eq!(
        edges,
        pairs(&[
            ("x", "encoder/e1"),
            ("encoder/e1", "encoder/e2"),
            ("encoder/e2", "head")
        ])
    );
    assert!(dot.contains("subgraph \"cluster_encoder\" {"), "{dot}");

    // A Sequential alone: a chain of its layers, no input box.
    let seq = sequential![Dense::new(4).name("s1").input_shape(&[3]), Dense::new(2).name("s2")];
    let (nodes, edges) = structure(&model_to_dot(&seq, &PlotModelOptions::default())?);
    assert_eq!(nodes, set(&["s1", "s2"]));
    assert_eq!(edges, pairs(&[("s1", "s2")]));
    Ok(())
}

#[test]
fn files_and_errors() -> keraslike::Result<()> {
    let model = two_heads()?;
    let dir = std::env::temp_dir().join(format!("keraslike_plot_model_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.dot");
    plot_model(&model, &path, &PlotModelOptions::default())?;
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, model_to_dot(&model, &PlotModelOptions::default())?);
    // An extension that is neither DOT nor a picture Graphviz renders.
    let err = plot_model(&model, dir.join("model.jpg"), &PlotModelOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(".jpg") && err.contains(".dot") && err.contains(".svg, .png"),
        "{err}"
    );
    assert!(!dir.join("model.jpg").exists());
    std::fs::remove_dir_all(&dir).ok();

    // Not built: no shapes to show, as in Keras.
    let unbuilt = sequential![Dense::new(2)];
    let err = model_to_dot(&unbuilt, &PlotModelOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not built"), "{err}");
    Ok(())
}

/// A fresh folder for one test's files.
fn tmp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keraslike_plot_model_{test}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether Graphviz' dot runs here (as plot_model finds it: `$DEEPRUST_DOT`,
/// else `dot` on PATH); the tests that render pictures skip without it.
fn have_dot() -> bool {
    let program = std::env::var_os("DEEPRUST_DOT")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "dot".into());
    let ok = std::process::Command::new(program)
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: Graphviz' dot is not installed (apt install graphviz / brew install graphviz)");
    }
    ok
}

#[test]
fn svg_png_and_pdf_rendered_by_graphviz() -> keraslike::Result<()> {
    if !have_dot() {
        return Ok(());
    }
    let model = two_heads()?;
    let dir = tmp_dir("render");
    let opts = PlotModelOptions {
        show_shapes: true,
        show_layer_names: true,
        ..Default::default()
    };

    // SVG: well-formed XML, one node group per layer, titled by its id, and
    // the names, classes and shapes drawn as text.
    let svg_path = dir.join("model.svg");
    plot_model(&model, &svg_path, &opts)?;
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.starts_with("<?xml") || svg.starts_with("<svg"),
        "{}",
        &svg[..svg.len().min(200)]
    );
    // Graphviz' SVG names its DTD (<!DOCTYPE svg PUBLIC ...>).
    let xml = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, xml).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let class = |n: &roxmltree::Node, c: &str| n.attribute("class") == Some(c);
    let title = |n: &roxmltree::Node| {
        n.children()
            .find(|c| c.tag_name().name() == "title")
            .and_then(|t| t.text())
            .unwrap_or("")
            .to_string()
    };
    let node_titles: BTreeSet<String> = doc
        .descendants()
        .filter(|n| class(n, "node"))
        .map(|n| title(&n))
        .collect();
    assert_eq!(node_titles, set(&["a", "b", "cat", "cat2", "cls", "da", "db", "reg"]));
    let edges = doc.descendants().filter(|n| class(n, "edge")).count();
    assert_eq!(edges, 8, "one drawn edge per connection");
    let texts: String = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| n.descendants().filter_map(|d| d.text()).collect::<String>())
        .collect::<Vec<_>>()
        .join("|");
    for want in ["cat2", "Concatenate", "InputLayer", "reg", "(None, 20)"] {
        assert!(texts.contains(want), "{want} not drawn: {texts}");
    }

    // PNG: the magic, and it decodes to a picture of some size.
    let png_path = dir.join("model.png");
    plot_model(&model, &png_path, &opts)?;
    let bytes = std::fs::read(&png_path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{:?}",
        &bytes[..bytes.len().min(8)]
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let reader = decoder.read_info().unwrap();
    let (w, h) = reader.info().size();
    assert!(w > 100 && h > 100, "{w}x{h}");

    // PDF, and an upper-case extension.
    let pdf_path = dir.join("model.PDF");
    plot_model(&model, &pdf_path, &PlotModelOptions::default())?;
    assert!(std::fs::read(&pdf_path).unwrap().starts_with(b"%PDF-"));

    // Only the three pictures: no temporary files left beside them.
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    left.sort();
    assert_eq!(left, ["model.PDF", "model.png", "model.svg"]);
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

#[test]
fn without_graphviz_the_error_says_what_to_install() -> keraslike::Result<()> {
    let model = two_heads()?;
    let dir = tmp_dir("no_dot");
    let path = dir.join("model.png");
    let opts = PlotModelOptions {
        dot_program: Some(dir.join("no-such-graphviz-dot")),
        ..Default::default()
    };
    let err = plot_model(&model, &path, &opts).unwrap_err().to_string();
    for want in [
        "needs Graphviz",
        "apt install graphviz",
        "brew install graphviz",
        "no-such-graphviz-dot",
        "model.dot",
        "dot -Tpng",
    ] {
        assert!(err.contains(want), "{want:?} missing from: {err}");
    }
    assert!(!path.exists(), "no file without Graphviz");
    // The DOT text still works without it.
    plot_model(&model, dir.join("model.dot"), &opts)?;
    assert!(std::fs::read_to_string(dir.join("model.dot"))
        .unwrap()
        .starts_with("digraph"));
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

/// plot_model's error with a stand-in for dot. A script just written can
/// be briefly "busy" (ETXTBSY) when another test thread forks while it was
/// open for writing; that is retried, as it is no outcome of plot_model.
#[cfg(unix)]
fn error_with_fake_dot(model: &Model, path: &std::path::Path, fake: &std::path::Path, script: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(fake, script).unwrap();
    std::fs::set_permissions(fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let opts = PlotModelOptions {
        dot_program: Some(fake.to_path_buf()),
        ..Default::default()
    };
    for _ in 0..50 {
        let err = plot_model(model, path, &opts).unwrap_err().to_string();
        if !err.contains("os error 26") {
            return err;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{} stayed busy (ETXTBSY)", fake.display());
}

#[cfg(unix)]
#[test]
fn a_failing_dot_leaves_the_old_file_and_reports_its_stderr() -> keraslike::Result<()> {
    let model = two_heads()?;
    let dir = tmp_dir("bad_dot");
    let path = dir.join("model.svg");
    std::fs::write(&path, "the previous picture").unwrap();
    let fake = dir.join("fake-dot");
    // A stand-in for dot (shell builtins only) that reads a line, complains and exits 3.
    let script = "#!/bin/sh\nread -r line\necho \"Error: <stdin>: syntax error in line 1\" >&2\nexit 3\n";
    let err = error_with_fake_dot(&model, &path, &fake, script);
    assert!(err.contains("exit status: 3"), "{err}");
    assert!(err.contains("syntax error in line 1"), "{err}");
    assert!(err.contains("model.svg"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "the previous picture");

    // A program that succeeds but writes nothing is no picture either.
    let err = error_with_fake_dot(&model, &path, &fake, "#!/bin/sh\nwhile read -r line; do :; done\n");
    assert!(err.contains("wrote nothing"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "the previous picture");
    let left = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(left, 2, "model.svg and fake-dot only, no temporary file");
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
