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
    let err = plot_model(&model, dir.join("model.svg"), &PlotModelOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("dot -Tsvg") && err.contains("model.dot"), "{err}");
    assert!(!dir.join("model.svg").exists());
    std::fs::remove_dir_all(&dir).ok();

    // Not built: no shapes to show, as in Keras.
    let unbuilt = sequential![Dense::new(2)];
    let err = model_to_dot(&unbuilt, &PlotModelOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not built"), "{err}");
    Ok(())
}
