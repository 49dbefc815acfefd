//! [`plot_model`] and [`model_to_dot`]: a model's diagram as Graphviz DOT
//! text, or as an SVG, PNG or PDF picture when Graphviz is installed
//! (`keras.utils.plot_model` / `keras.utils.model_to_dot`).
//!
//! One box per layer — an HTML-like table as Keras draws it: the class (and
//! name with `show_layer_names`), the input and output shapes
//! (`show_shapes`), the output dtype (`show_dtype`), the activation and
//! whether it trains — and one edge per connection. A `Sequential` is a
//! chain of its layers (no input box, as in Keras); a functional model
//! shows its `InputLayer`s and every edge of its graph, several inputs and
//! outputs included; a nested model is one box, or with `expand_nested` a
//! dashed cluster of its own layers with the edges going to the layers
//! inside it. A subclassed model is a single box, as in Keras.
//!
//! [`plot_model`] writes the DOT text itself for a `.dot` or `.gv` path,
//! which needs nothing installed; for `.svg`, `.png` or `.pdf` it runs
//! Graphviz' `dot` program (`dot -Tsvg`, fed the DOT text on stdin), as
//! `keras.utils.plot_model("model.png")` does through pydot. `dot` is looked
//! for as [`PlotModelOptions::dot_program`], else the `DEEPRUST_DOT`
//! environment variable, else `dot` on `PATH`; without it the error says how
//! to install Graphviz (`apt install graphviz`, `brew install graphviz`).
//! The image is written atomically: a failed render writes no file and
//! leaves one already there as it was. The
//! DOT text sets what Keras sets (`rankdir`, `concentrate`, `dpi`,
//! `splines=ortho`, `record` nodes, `penwidth=2` edges), so the picture
//! looks like Keras'.
//!
//! ```
//! use keraslike::layers::{Concatenate, Dense, Input, Layer};
//! use keraslike::utils::{model_to_dot, PlotModelOptions};
//! use keraslike::Model;
//! # fn main() -> keraslike::Result<()> {
//! let a = Input::new(&[4]).name("a");
//! let b = Input::new(&[3]).name("b");
//! let h = Concatenate::new().name("cat").apply([&a.tensor(), &b.tensor()])?;
//! let y = Dense::new(2).name("y").apply(&h)?;
//! let model = Model::functional([&a.tensor(), &b.tensor()], &y)?;
//! let opts = PlotModelOptions { show_shapes: true, show_layer_names: true, ..Default::default() };
//! let dot = model_to_dot(&model, &opts)?;
//! assert!(dot.contains(r#""a" -> "cat" [penwidth=2];"#));
//! assert!(dot.contains(r#""cat" -> "y" [penwidth=2];"#));
//! assert!(dot.contains("Output shape: <b>(None, 7)</b>"));
//! // keraslike::utils::plot_model(&model, "model.dot", &opts)?; // DOT text, no Graphviz needed
//! // keraslike::utils::plot_model(&model, "model.svg", &opts)?; // runs Graphviz' dot -Tsvg
//! # Ok(()) }
//! ```

use crate::layers::{Layer, LayerRef};
use crate::models::{GraphTensor, GraphView, Model, Sequential};
use crate::{Error, Result};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The direction of the diagram (Graphviz' `rankdir`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RankDir {
    /// Top to bottom (`"TB"`, Keras' default).
    #[default]
    TB,
    /// Left to right (`"LR"`).
    LR,
    /// Bottom to top (`"BT"`).
    BT,
    /// Right to left (`"RL"`).
    RL,
}

impl RankDir {
    /// The Graphviz spelling: `"TB"`, `"LR"`, `"BT"` or `"RL"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RankDir::TB => "TB",
            RankDir::LR => "LR",
            RankDir::BT => "BT",
            RankDir::RL => "RL",
        }
    }
}

impl FromStr for RankDir {
    type Err = Error;
    fn from_str(s: &str) -> Result<RankDir> {
        match s.to_ascii_uppercase().as_str() {
            "TB" => Ok(RankDir::TB),
            "LR" => Ok(RankDir::LR),
            "BT" => Ok(RankDir::BT),
            "RL" => Ok(RankDir::RL),
            _ => Err(Error::arg(format!(
                "unknown rankdir {s:?}: expected \"TB\" (top to bottom), \"LR\" (left to right), \"BT\" or \"RL\""
            ))),
        }
    }
}

/// Options of [`plot_model`] / [`model_to_dot`], Keras' arguments and
/// defaults (those of `plot_model`; `model_to_dot` defaults
/// `show_layer_names` to true in Keras).
#[derive(Clone, Debug)]
pub struct PlotModelOptions {
    /// Input and output shapes in each box (default false).
    pub show_shapes: bool,
    /// The output dtype in each box (default false).
    pub show_dtype: bool,
    /// Each box shows the layer's name as well as its class (default false).
    pub show_layer_names: bool,
    /// The diagram's direction (default top to bottom).
    pub rankdir: RankDir,
    /// Nested models drawn as clusters of their layers (default false: one box).
    pub expand_nested: bool,
    /// The image resolution Graphviz renders at (default 200).
    pub dpi: u32,
    /// The activation of the layers that have one (default false).
    pub show_layer_activations: bool,
    /// Whether each layer with weights trains (default false).
    pub show_trainable: bool,
    /// The Graphviz program [`plot_model`] runs for `.svg`, `.png` and
    /// `.pdf` files (not a Keras argument). Default `None`: the
    /// `DEEPRUST_DOT` environment variable if set, else `dot` on `PATH`.
    pub dot_program: Option<PathBuf>,
}

impl Default for PlotModelOptions {
    fn default() -> Self {
        PlotModelOptions {
            show_shapes: false,
            show_dtype: false,
            show_layer_names: false,
            rankdir: RankDir::TB,
            expand_nested: false,
            dpi: 200,
            show_layer_activations: false,
            show_trainable: false,
            dot_program: None,
        }
    }
}

/// Writes the model's diagram ([`model_to_dot`]) to `path`, atomically, in
/// the format its extension names, as `keras.utils.plot_model(model, to_file)`:
///
/// - `.dot` or `.gv`: the Graphviz DOT text; needs nothing installed.
/// - `.svg`, `.png` or `.pdf`: the picture, rendered by Graphviz' `dot`
///   program (`dot -Tsvg` reading the DOT text on stdin) found as
///   [`PlotModelOptions::dot_program`], else `$DEEPRUST_DOT`, else `dot` on
///   `PATH`. Without Graphviz this is an error saying how to install it; if
///   `dot` fails, the error gives its exit status and first lines of
///   stderr. Either way no file is written.
pub fn plot_model(model: &Model, path: impl AsRef<Path>, options: &PlotModelOptions) -> Result<()> {
    let path = path.as_ref();
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("dot" | "gv") => None,
        Some(f @ ("svg" | "png" | "pdf")) => Some(f.to_string()),
        other => {
            let what = match other {
                Some(e) => format!("the extension .{e}"),
                None => "no extension".to_string(),
            };
            return Err(Error::arg(format!(
                "plot_model: {} has {what}; expected .dot or .gv (Graphviz DOT text, no Graphviz needed) or \
                 .svg, .png or .pdf (a picture, rendered by Graphviz' dot program)",
                path.display()
            )));
        }
    };
    let text = model_to_dot(model, options)?;
    let bytes = match format {
        None => text.into_bytes(),
        Some(format) => render(&text, &format, path, options.dot_program.as_deref())?,
    };
    Ok(tensorlow::write_atomic(path, &bytes)?)
}

/// The program that renders DOT: `explicit`, else `$DEEPRUST_DOT` (when
/// not empty), else `dot` (looked up on `PATH`).
fn dot_program(explicit: Option<&Path>) -> OsString {
    if let Some(p) = explicit {
        return p.as_os_str().to_owned();
    }
    match std::env::var_os("DEEPRUST_DOT") {
        Some(p) if !p.is_empty() => p,
        _ => OsString::from("dot"),
    }
}

/// Runs `dot -T<format>` on the DOT text and returns its output (the
/// picture); `path` is the file it is for, named in the errors.
fn render(text: &str, format: &str, path: &Path, explicit: Option<&Path>) -> Result<Vec<u8>> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let program = dot_program(explicit);
    let shown = Path::new(&program).display().to_string();
    let err = |msg: String| Error::File {
        path: path.display().to_string(),
        msg,
    };
    let stem = path.with_extension("dot");
    let spawned = Command::new(&program)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let looked = if explicit.is_some() {
                format!("{shown:?} (PlotModelOptions::dot_program)")
            } else if std::env::var_os("DEEPRUST_DOT").is_some_and(|p| !p.is_empty()) {
                format!("{shown:?} (from DEEPRUST_DOT)")
            } else {
                "\"dot\" on PATH".to_string()
            };
            return Err(err(format!(
                "plot_model needs Graphviz to write a .{format} file, and its dot program was not found \
                 (looked for {looked}). Install Graphviz (Debian/Ubuntu: apt install graphviz; Fedora: dnf \
                 install graphviz; macOS: brew install graphviz; Windows: https://graphviz.org/download/), or \
                 point DEEPRUST_DOT (or PlotModelOptions::dot_program) at its dot program; or write {} instead, which needs no Graphviz, and \
                 render it later with: dot -T{format} {} -o {}",
                stem.display(),
                stem.display(),
                path.display()
            )));
        }
        Err(e) => {
            return Err(err(format!(
                "plot_model could not run Graphviz' dot program {shown:?} to write a .{format} file: {e}; \
                 check that it is an executable Graphviz dot, or write {} instead (no Graphviz needed)",
                stem.display()
            )))
        }
    };
    // Feed stdin from another thread while this one reads stdout and
    // stderr, so a large picture cannot fill a pipe and stall both sides.
    let mut stdin = child.stdin.take();
    let input = text.as_bytes().to_vec();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        if let Some(s) = stdin.as_mut() {
            s.write_all(&input)?;
        }
        Ok(()) // dropping stdin closes it: dot sees the end of the input
    });
    let output = child.wait_with_output().map_err(|e| {
        err(format!(
            "plot_model: waiting for Graphviz' dot program {shown:?} failed: {e}"
        ))
    })?;
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the thread writing to dot stopped")));
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut shown_err = lines.iter().take(8).copied().collect::<Vec<_>>().join("\n");
        if lines.len() > 8 {
            let _ = write!(shown_err, "\n... ({} more lines)", lines.len() - 8);
        }
        if shown_err.is_empty() {
            shown_err = "(nothing on stderr)".into();
        }
        return Err(err(format!(
            "plot_model: Graphviz' dot program {shown:?} failed to render the diagram as {format} ({}); its \
             stderr:\n{shown_err}\nThe DOT text it was given is what model_to_dot returns: write {} to look \
             at it",
            output.status,
            stem.display()
        )));
    }
    if let Err(e) = written {
        return Err(err(format!(
            "plot_model: Graphviz' dot program {shown:?} exited ({}) before reading the whole diagram: {e}",
            output.status
        )));
    }
    if output.stdout.is_empty() {
        return Err(err(format!(
            "plot_model: Graphviz' dot program {shown:?} succeeded but wrote nothing for -T{format}; expected \
             the picture on its stdout. Is {shown:?} Graphviz' dot? Check with: {shown} -V"
        )));
    }
    Ok(output.stdout)
}

/// The model's diagram as Graphviz DOT text (see the [module docs](self)).
/// Errors if the model is not built (its shapes are not known yet), as Keras does.
pub fn model_to_dot(model: &Model, options: &PlotModelOptions) -> Result<String> {
    if !model.built() {
        return Err(Error::arg(format!(
            "plot_model: model {:?} is not built yet; build it first (model.build(input_shape), or fit/predict \
             on a batch), or give its first layer an input_shape",
            model.name()
        )));
    }
    let mut dot = Dot {
        options: options.clone(),
        out: String::new(),
        drawn: Vec::new(),
        edges: Vec::new(),
    };
    let name = model.name().to_string();
    let _ = writeln!(dot.out, "digraph {} {{", quote(&name));
    let _ = writeln!(
        dot.out,
        "  graph [rankdir={}, concentrate=true, dpi={}, splines=ortho];",
        options.rankdir.as_str(),
        options.dpi
    );
    let _ = writeln!(dot.out, "  node [shape=record, fontname=Helvetica];");
    let _ = writeln!(dot.out, "  edge [penwidth=2];");
    match model.graph() {
        Some(view) => dot.network(&Network::of(model.class_name(), view), "", 1),
        None => {
            // A subclassed model: a single box, as Keras draws it.
            let label = dot.label_for(model.name(), model.class_name(), None, None, &[]);
            dot.node(&name, &label, 1);
        }
    }
    let edges = std::mem::take(&mut dot.edges);
    for (src, dst) in edges {
        let _ = writeln!(dot.out, "  {} -> {} [penwidth=2];", quote(&src), quote(&dst));
    }
    dot.out.push_str("}\n");
    Ok(dot.out)
}

/// A model's graph and how to draw it.
struct Network {
    sequential: bool,
    view: GraphView,
}

impl Network {
    fn of(class_name: &str, view: GraphView) -> Network {
        Network {
            sequential: class_name == "Sequential",
            view,
        }
    }

    /// The boxes: a `Sequential`'s layers, or a graph's input layers and
    /// then each layer once, in the order they run.
    fn layers(&self) -> Vec<LayerRef> {
        let mut out: Vec<LayerRef> = Vec::new();
        if !self.sequential {
            out.extend(self.view.inputs.iter().map(|t| t.layer.clone()));
        }
        for n in &self.view.nodes {
            if !out.iter().any(|l| l.same(&n.layer)) {
                out.push(n.layer.clone());
            }
        }
        out
    }
}

/// A nested model behind a layer handle: its name, class and graph.
fn nested(layer: &LayerRef) -> Option<(String, &'static str, Option<GraphView>)> {
    let guard = layer.read();
    let any = guard.as_any();
    let model: &Model = if let Some(m) = any.downcast_ref::<Model>() {
        m
    } else if let Some(s) = any.downcast_ref::<Sequential>() {
        s
    } else if let Some(b) = any.downcast_ref::<Box<dyn Layer>>() {
        let any = b.as_any();
        match any.downcast_ref::<Model>() {
            Some(m) => m,
            None => any.downcast_ref::<Sequential>()?,
        }
    } else {
        return None;
    };
    Some((model.name().to_string(), model.class_name(), model.graph()))
}

/// A layer's input and output shapes.
type Shapes = (Vec<Vec<usize>>, Vec<Vec<usize>>);

struct Dot {
    options: PlotModelOptions,
    out: String,
    /// Layers already drawn and their node ids.
    drawn: Vec<(LayerRef, String)>,
    edges: Vec<(String, String)>,
}

impl Dot {
    /// Whether nested models are drawn as clusters.
    fn expand(&self) -> bool {
        self.options.expand_nested
    }

    /// Draws one network's boxes (clusters for expanded nested models) and
    /// records its edges; `prefix` makes the ids inside a cluster unique.
    fn network(&mut self, net: &Network, prefix: &str, depth: usize) {
        for layer in net.layers() {
            if self.drawn.iter().any(|(l, _)| l.same(&layer)) {
                continue;
            }
            let id = format!("{prefix}{}", layer.name());
            self.drawn.push((layer.clone(), id.clone()));
            match nested(&layer).filter(|_| self.options.expand_nested) {
                Some((name, class, Some(view))) => {
                    let indent = "  ".repeat(depth);
                    let _ = writeln!(self.out, "{indent}subgraph {} {{", quote(&format!("cluster_{id}")));
                    let _ = writeln!(
                        self.out,
                        "{indent}  graph [label={}, labeljust=l, style=dashed];",
                        quote(&name)
                    );
                    self.network(&Network::of(class, view), &format!("{id}/"), depth + 1);
                    let _ = writeln!(self.out, "{indent}}}");
                }
                _ => {
                    let label = self.layer_label(&layer, net);
                    self.node(&id, &label, depth);
                }
            }
        }
        // Edges: a Sequential chains its layers; a graph connects each node
        // to the layers that made its inputs.
        let nodes = &net.view.nodes;
        for (k, node) in nodes.iter().enumerate() {
            if net.sequential && k == 0 {
                continue; // its input box is not drawn
            }
            for (input_index, t) in node.inputs.iter().enumerate() {
                let src = self.resolve_source(&t.layer, t.tensor_index, prefix);
                let dst = self.resolve_destination(&node.layer, input_index, prefix);
                if !self.edges.contains(&(src.clone(), dst.clone())) {
                    self.edges.push((src, dst));
                }
            }
        }
    }

    /// The id of the box an edge from output `tensor_index` of `layer`
    /// starts at: inside an expanded nested model, the layer making that output.
    fn resolve_source(&self, layer: &LayerRef, tensor_index: usize, prefix: &str) -> String {
        let mut layer = layer.clone();
        let mut index = tensor_index;
        let mut prefix = prefix.to_string();
        while self.expand() {
            let Some((_, _, Some(view))) = nested(&layer) else {
                break;
            };
            let Some(out) = view.outputs.get(index) else { break };
            prefix = format!("{prefix}{}/", layer.name());
            index = out.tensor_index;
            layer = out.layer.clone();
        }
        self.id_of(&layer, &prefix)
    }

    /// The id of the box an edge into input `input_index` of `layer` ends
    /// at: inside an expanded nested model, its input layer (functional)
    /// or its first layer (Sequential).
    fn resolve_destination(&self, layer: &LayerRef, input_index: usize, prefix: &str) -> String {
        let mut layer = layer.clone();
        let mut prefix = prefix.to_string();
        while self.expand() {
            let Some((_, class, Some(view))) = nested(&layer) else {
                break;
            };
            let next = if class == "Sequential" {
                view.nodes.first().map(|n| n.layer.clone())
            } else {
                view.inputs.get(input_index).map(|t| t.layer.clone())
            };
            let Some(next) = next else { break };
            prefix = format!("{prefix}{}/", layer.name());
            layer = next;
        }
        self.id_of(&layer, &prefix)
    }

    /// The id a layer was drawn under (a layer shared between models keeps
    /// its first box), else the one it gets under `prefix`.
    fn id_of(&self, layer: &LayerRef, prefix: &str) -> String {
        self.drawn
            .iter()
            .find(|(l, _)| l.same(layer))
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| format!("{prefix}{}", layer.name()))
    }

    fn node(&mut self, id: &str, label: &str, depth: usize) {
        let indent = "  ".repeat(depth);
        let _ = writeln!(
            self.out,
            "{indent}{} [label=<{label}>, fontname=Helvetica, border=0, margin=0];",
            quote(id)
        );
    }

    /// The label of a layer's box, from its first application in `net`.
    fn layer_label(&self, layer: &LayerRef, net: &Network) -> String {
        let view = &net.view;
        let input = view.inputs.iter().find(|t| t.layer.same(layer));
        let node = view.nodes.iter().find(|n| n.layer.same(layer));
        let (in_shapes, out_shapes): (Option<Vec<Vec<usize>>>, Vec<Vec<usize>>) = match (node, input) {
            (Some(n), _) => (
                Some(n.inputs.iter().map(|t| t.shape.clone()).collect()),
                n.output_shapes.clone(),
            ),
            (None, Some(t)) => (None, vec![t.shape.clone()]),
            (None, None) => (None, Vec::new()),
        };
        // Output dtypes: from the tensors of the graph this node made.
        let dtypes: Vec<Option<String>> = match (node, input) {
            (Some(n), _) => (0..n.output_shapes.len())
                .map(|i| {
                    tensors(view)
                        .find(|t| t.layer.same(layer) && t.node_index == n.node_index && t.tensor_index == i)
                        .and_then(|t| t.dtype)
                        .map(|d| d.to_string())
                })
                .collect(),
            (None, Some(t)) => vec![t.dtype.map(|d| d.to_string())],
            (None, None) => Vec::new(),
        };
        let activation = layer.get_config().get("activation").and_then(activation_name);
        let trainable = (!layer.weights().is_empty()).then(|| layer.trainable());
        let shapes = in_shapes
            .map(|s| (s, out_shapes.clone()))
            .or(Some((Vec::new(), out_shapes)));
        let mut label = self.label_for(
            &layer.name(),
            layer.class_name(),
            shapes.as_ref(),
            activation.as_deref(),
            &dtypes,
        );
        if let (true, Some(t)) = (self.options.show_trainable, trainable) {
            let cell = if t {
                r#"<td bgcolor="forestgreen"><font point-size="14" color="white"><b>Trainable</b></font></td>"#
            } else {
                r#"<td bgcolor="firebrick"><font point-size="14" color="white"><b>Non-trainable</b></font></td>"#
            };
            label = label.replace("</table>", &format!("<tr>{cell}</tr></table>"));
        }
        label
    }

    /// Keras' table: a black title row (class, or name and class), then the
    /// shapes and dtype cells.
    fn label_for(
        &self,
        name: &str,
        class: &str,
        shapes: Option<&Shapes>,
        activation: Option<&str>,
        dtypes: &[Option<String>],
    ) -> String {
        let o = &self.options;
        let mut colspan = usize::from(o.show_dtype) + usize::from(o.show_trainable);
        if o.show_shapes {
            colspan += 2;
        }
        let colspan = colspan.max(1);
        let mut t = String::from(r#"<table border="0" cellborder="1" bgcolor="black" cellpadding="10">"#);
        let title = if o.show_layer_names {
            format!("<b>{}</b> ({})", html(name), html(class))
        } else {
            format!("<b>{}</b>", html(class))
        };
        let _ = write!(
            t,
            r#"<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" color="white">{title}</font></td></tr>"#
        );
        if let (true, Some(a)) = (o.show_layer_activations, activation) {
            let _ = write!(
                t,
                r#"<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">Activation: <b>{}</b></font></td></tr>"#,
                html(a)
            );
        }
        let mut cols = String::new();
        if o.show_shapes {
            let (ins, outs) = match shapes {
                Some((i, o)) => (Some(i.as_slice()), Some(o.as_slice())),
                None => (None, None),
            };
            if class != "InputLayer" {
                let s = ins
                    .filter(|s| !s.is_empty())
                    .map(shapes_str)
                    .unwrap_or_else(|| "?".into());
                let _ = write!(
                    cols,
                    r#"<td bgcolor="white"><font point-size="14">Input shape: <b>{}</b></font></td>"#,
                    html(&s)
                );
            }
            let s = outs
                .filter(|s| !s.is_empty())
                .map(shapes_str)
                .unwrap_or_else(|| "?".into());
            let _ = write!(
                cols,
                r#"<td bgcolor="white"><font point-size="14">Output shape: <b>{}</b></font></td>"#,
                html(&s)
            );
        }
        if o.show_dtype {
            let d = match dtypes {
                [] => "?".to_string(),
                [one] => one.clone().unwrap_or_else(|| "?".into()),
                many => format!(
                    "[{}]",
                    many.iter()
                        .map(|d| format!("'{}'", d.as_deref().unwrap_or("?")))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let _ = write!(
                cols,
                r#"<td bgcolor="white"><font point-size="14">Output dtype: <b>{}</b></font></td>"#,
                html(&d)
            );
        }
        if !cols.is_empty() {
            let _ = write!(t, "<tr>{cols}</tr>");
        }
        t.push_str("</table>");
        t
    }
}

/// Every tensor the graph names: its inputs, each node's inputs, its outputs.
fn tensors(view: &GraphView) -> impl Iterator<Item = &GraphTensor> {
    view.inputs
        .iter()
        .chain(view.nodes.iter().flat_map(|n| n.inputs.iter()))
        .chain(view.outputs.iter())
}

/// An activation from a layer config: a name, or a serialized object's class.
fn activation_name(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(m) => m
            .get("config")
            .and_then(|c| c.get("name"))
            .or_else(|| m.get("class_name"))
            .and_then(|s| s.as_str())
            .map(str::to_string),
        _ => None,
    }
}

/// Keras' shape text: `(None, 4)` for one tensor, `[(None, 4), (None, 3)]` for several.
fn shapes_str(shapes: &[Vec<usize>]) -> String {
    let one = |s: &Vec<usize>| {
        let mut parts = vec!["None".to_string()];
        parts.extend(s.iter().map(usize::to_string));
        if parts.len() == 1 {
            "(None,)".to_string()
        } else {
            format!("({})", parts.join(", "))
        }
    };
    match shapes {
        [s] => one(s),
        many => format!("[{}]", many.iter().map(one).collect::<Vec<_>>().join(", ")),
    }
}

/// A DOT id in double quotes.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Text inside an HTML-like label.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
