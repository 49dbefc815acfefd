//! `model.summary()`: Keras 3's table of layers, output shapes and
//! parameter counts, drawn with the same box characters and widths (88
//! columns: cells of 38, 29 and 17) as Keras' `print_summary` renders
//! through `rich`.
//!
//! ```
//! use keraslike::Sequential;
//! let s = Sequential::new(vec![]).with_name("empty").summary();
//! assert!(s.starts_with("Model: \"empty\"\n┏"));
//! assert!(s.contains(" Total params: 0 (0.00 B)\n"));
//! ```

use super::network::{output_shape_of, Network};
use super::Model;
use crate::layers::LayerRef;
use tensorlow::Variable;

/// Cell widths including one space of padding on each side: Keras'
/// sequential-like table (88 columns) and its table with "Connected to"
/// (108 columns), as `rich` renders them.
const WIDTHS_3: [usize; 3] = [38, 29, 17];
const WIDTHS_4: [usize; 4] = [31, 27, 17, 28];

/// `1234567` -> `1,234,567` (Python's `f"{n:,}"`).
pub(crate) fn with_commas(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Keras' `readable_memory_size`: `172.00 B`, `1.50 KB`, ... (powers of 1024).
pub(crate) fn readable_memory_size(mut bytes: f64) -> String {
    for unit in ["B", "KB", "MB", "GB", "TB"] {
        if bytes / 1024.0 < 1.0 {
            return format!("{bytes:.2} {unit}");
        }
        bytes /= 1024.0;
    }
    format!("{bytes:.2} PB")
}

/// The text of a cell split into lines of at most `width` characters,
/// breaking at spaces where possible (as `rich` wraps).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let cur_len = cur.chars().count();
        if cur_len > 0 && cur_len + 1 + word.len() <= width {
            cur.push(' ');
            cur.extend(word.iter());
            continue;
        }
        if cur_len > 0 {
            lines.push(std::mem::take(&mut cur));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        cur = word.into_iter().collect();
    }
    lines.push(cur);
    lines
}

fn border(widths: &[usize], left: char, fill: char, mid: char, right: char) -> String {
    let parts: Vec<String> = widths.iter().map(|&w| fill.to_string().repeat(w)).collect();
    format!("{left}{}{right}\n", parts.join(&mid.to_string()))
}

/// One (possibly multi-line) row; the third column (Param #) is right-aligned.
fn row(widths: &[usize], cells: &[&str], sep: char) -> String {
    let wrapped: Vec<Vec<String>> = cells.iter().zip(widths).map(|(c, w)| wrap(c, w - 2)).collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let mut out = String::new();
    for i in 0..height {
        out.push(sep);
        for (col, (lines, w)) in wrapped.iter().zip(widths).enumerate() {
            let text = lines.get(i).map(String::as_str).unwrap_or("");
            let pad = (w - 2).saturating_sub(text.chars().count());
            let (l, r) = if col == 2 { (pad, 0) } else { (0, pad) };
            out.push_str(&format!(" {}{text}{} {sep}", " ".repeat(l), " ".repeat(r)));
        }
        out.push('\n');
    }
    out
}

/// (trainable count, bytes, non-trainable count, bytes) of weights.
fn count(ws: &[Variable]) -> (usize, f64) {
    ws.iter().fold((0usize, 0f64), |(n, b), w| {
        (
            n + w.elem_count(),
            b + (w.elem_count() * w.dtype().size_in_bytes()) as f64,
        )
    })
}

/// `(None, 3)`, or Keras' list form for several outputs.
fn shapes_str(shapes: &[Vec<usize>]) -> String {
    let one = |s: &Vec<usize>| {
        let dims: Vec<String> = std::iter::once("None".to_string())
            .chain(s.iter().map(|d| d.to_string()))
            .collect();
        format!("({})", dims.join(", "))
    };
    match shapes {
        [s] => one(s),
        _ => format!("[{}]", shapes.iter().map(one).collect::<Vec<_>>().join(", ")),
    }
}

/// One row of the table: a layer, its output shapes (if known) and connections.
struct Row {
    layer: LayerRef,
    shapes: Option<Vec<Vec<usize>>>,
    connected: String,
}

impl Model {
    /// Rows of the table, and whether the model is laid out like a stack.
    fn summary_rows(&self) -> (Vec<Row>, bool) {
        match &self.net {
            Network::Stack(st) => {
                let mut shape = st.input_shape();
                let rows = st
                    .layers
                    .iter()
                    .map(|l| {
                        shape = shape.as_ref().and_then(|sh| output_shape_of(l, sh).ok());
                        Row {
                            layer: l.clone(),
                            shapes: shape.clone().filter(|_| l.built()).map(|s| vec![s]),
                            connected: String::new(),
                        }
                    })
                    .collect();
                (rows, true)
            }
            Network::Graph(g) => {
                let chain = g.is_chain();
                let rows = g
                    .layers()
                    .into_iter()
                    .map(|l| {
                        let nodes: Vec<&super::functional::Step> =
                            g.steps.iter().filter(|s| s.node.layer.same(&l)).collect();
                        let shapes = match nodes.last() {
                            Some(s) => Some(s.node.output_shapes.clone()),
                            None => g
                                .inputs
                                .iter()
                                .find(|(_, il)| il.same(&l))
                                .map(|(spec, _)| vec![spec.shape.clone()]),
                        };
                        let conns: Vec<String> = nodes
                            .iter()
                            .flat_map(|s| s.node.inputs.iter())
                            .map(|t| {
                                let (name, node, index) = t.history();
                                format!("{name}[{node}][{index}]")
                            })
                            .collect();
                        Row {
                            layer: l,
                            shapes,
                            connected: if conns.is_empty() { "-".into() } else { conns.join(", ") },
                        }
                    })
                    .collect::<Vec<_>>();
                if chain {
                    // Keras lays a chain out like a Sequential, input layer included.
                    (rows, true)
                } else {
                    (rows, false)
                }
            }
            Network::Custom(..) => (
                self.layers()
                    .into_iter()
                    .map(|l| Row {
                        layer: l,
                        shapes: None,
                        connected: String::new(),
                    })
                    .collect(),
                true,
            ),
        }
    }

    /// The Keras 3 summary table as a string (`model.summary()`): one row per
    /// layer with its name and class, output shape `(None, ...)` and number
    /// of parameters — plus, for a functional model that is not a chain,
    /// the "Connected to" column — then the total, trainable and
    /// non-trainable counts and their memory size (and the optimizer's,
    /// once it has state). An unbuilt layer shows `?` and `0 (unbuilt)`.
    pub fn summary(&self) -> String {
        let (rows, stack_like) = self.summary_rows();
        let widths: &[usize] = if stack_like { &WIDTHS_3 } else { &WIDTHS_4 };
        let mut s = format!("Model: \"{}\"\n", self.name);
        s.push_str(&border(widths, '┏', '━', '┳', '┓'));
        let header: &[&str] = if stack_like {
            &["Layer (type)", "Output Shape", "Param #"]
        } else {
            &["Layer (type)", "Output Shape", "Param #", "Connected to"]
        };
        s.push_str(&row(widths, header, '┃'));
        s.push_str(&border(widths, '┡', '━', '╇', '┩'));
        for (i, r) in rows.iter().enumerate() {
            let built = r.layer.built();
            let out = match &r.shapes {
                Some(sh) => shapes_str(sh),
                None => "?".to_string(),
            };
            let params = if built {
                with_commas(r.layer.read().weights().iter().map(|w| w.elem_count()).sum())
            } else {
                "0 (unbuilt)".to_string()
            };
            if i > 0 {
                s.push_str(&border(widths, '├', '─', '┼', '┤'));
            }
            let name = format!("{} ({})", r.layer.name(), r.layer.class_name());
            let mut cells = vec![name.as_str(), out.as_str(), params.as_str()];
            if !stack_like {
                cells.push(&r.connected);
            }
            s.push_str(&row(widths, &cells, '│'));
        }
        s.push_str(&border(widths, '└', '─', '┴', '┘'));
        let (t, tb) = count(&self.trainable_weights());
        let (nt, nb) = count(&self.non_trainable_weights());
        let (ot, ob) = count(&self.optimizer().map(|o| o.variables()).unwrap_or_default());
        s.push_str(&format!(
            " Total params: {} ({})\n",
            with_commas(t + nt + ot),
            readable_memory_size(tb + nb + ob)
        ));
        s.push_str(&format!(
            " Trainable params: {} ({})\n",
            with_commas(t),
            readable_memory_size(tb)
        ));
        s.push_str(&format!(
            " Non-trainable params: {} ({})\n",
            with_commas(nt),
            readable_memory_size(nb)
        ));
        if ot > 0 {
            s.push_str(&format!(
                " Optimizer params: {} ({})\n",
                with_commas(ot),
                readable_memory_size(ob)
            ));
        }
        s
    }

    /// Prints [`summary`](Self::summary) to stdout.
    pub fn print_summary(&self) {
        print!("{}", self.summary());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_keras() {
        // Python: f"{13445:,}" -> '13,445'; readable_memory_size(13445 * 4) -> '52.52 KB'
        assert_eq!(with_commas(13445), "13,445");
        assert_eq!(with_commas(100), "100");
        assert_eq!(with_commas(1_000_000), "1,000,000");
        assert_eq!(readable_memory_size(172.0), "172.00 B");
        assert_eq!(readable_memory_size(13445.0 * 4.0), "52.52 KB");
        // A row from Keras 3's rendering of `summary()`:
        assert_eq!(
            row(&WIDTHS_3, &["dense_12 (Dense)", "(None, 64)", "256"], '│'),
            "│ dense_12 (Dense)                     │ (None, 64)                  │             256 │\n"
        );
        assert_eq!(
            border(&WIDTHS_3, '┏', '━', '┳', '┓').chars().count(),
            89 // 88 columns plus the newline
        );
    }
}
