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

use super::sequential::Sequential;
use crate::layers::Layer;

/// Cell widths including one space of padding on each side.
const WIDTHS: [usize; 3] = [38, 29, 17];

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

fn border(left: char, fill: char, mid: char, right: char) -> String {
    let parts: Vec<String> = WIDTHS.iter().map(|&w| fill.to_string().repeat(w)).collect();
    format!("{left}{}{right}\n", parts.join(&mid.to_string()))
}

/// One (possibly multi-line) row; the last column is right-aligned.
fn row(cells: [&str; 3], sep: char) -> String {
    let wrapped: Vec<Vec<String>> = cells.iter().zip(WIDTHS).map(|(c, w)| wrap(c, w - 2)).collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let mut out = String::new();
    for i in 0..height {
        out.push(sep);
        for (col, (lines, w)) in wrapped.iter().zip(WIDTHS).enumerate() {
            let text = lines.get(i).map(String::as_str).unwrap_or("");
            let pad = (w - 2).saturating_sub(text.chars().count());
            let (l, r) = if col == 2 { (pad, 0) } else { (0, pad) };
            out.push_str(&format!(" {}{text}{} {sep}", " ".repeat(l), " ".repeat(r)));
        }
        out.push('\n');
    }
    out
}

fn params_bytes(layer: &dyn Layer) -> (usize, f64, usize, f64) {
    let count = |ws: Vec<tensorlow::Variable>| {
        ws.iter().fold((0usize, 0f64), |(n, b), w| {
            (
                n + w.elem_count(),
                b + (w.elem_count() * w.dtype().size_in_bytes()) as f64,
            )
        })
    };
    let (t, tb) = count(layer.trainable_weights());
    let (n, nb) = count(layer.non_trainable_weights());
    (t, tb, n, nb)
}

impl Sequential {
    /// The Keras 3 summary table as a string (`model.summary()`): one row per
    /// layer with its name and class, output shape `(None, ...)` and number
    /// of parameters, then the total, trainable and non-trainable counts and
    /// their memory size. An unbuilt model shows `?` and `0 (unbuilt)`.
    pub fn summary(&self) -> String {
        let mut s = format!("Model: \"{}\"\n", self.name);
        s.push_str(&border('┏', '━', '┳', '┓'));
        s.push_str(&row(["Layer (type)", "Output Shape", "Param #"], '┃'));
        s.push_str(&border('┡', '━', '╇', '┩'));
        let mut shape = self.input_shape.clone();
        let (mut t, mut tb, mut nt, mut nb) = (0, 0.0, 0, 0.0);
        let mut first = true;
        for l in &self.layers {
            shape = shape.and_then(|sh| l.compute_output_shape(&sh).ok());
            // Keras' Sequential does not list its input layer.
            if l.class_name() == "InputLayer" {
                continue;
            }
            let out = match &shape {
                Some(sh) if l.built() => {
                    let dims: Vec<String> = std::iter::once("None".to_string())
                        .chain(sh.iter().map(|d| d.to_string()))
                        .collect();
                    format!("({})", dims.join(", "))
                }
                _ => "?".to_string(),
            };
            let (lt, ltb, ln, lnb) = params_bytes(l.as_ref());
            (t, tb, nt, nb) = (t + lt, tb + ltb, nt + ln, nb + lnb);
            let params = if l.built() {
                with_commas(lt + ln)
            } else {
                "0 (unbuilt)".to_string()
            };
            if !first {
                s.push_str(&border('├', '─', '┼', '┤'));
            }
            first = false;
            s.push_str(&row(
                [&format!("{} ({})", l.name(), l.class_name()), &out, &params],
                '│',
            ));
        }
        s.push_str(&border('└', '─', '┴', '┘'));
        s.push_str(&format!(
            " Total params: {} ({})\n",
            with_commas(t + nt),
            readable_memory_size(tb + nb)
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
            row(["dense_12 (Dense)", "(None, 64)", "256"], '│'),
            "│ dense_12 (Dense)                     │ (None, 64)                  │             256 │\n"
        );
        assert_eq!(
            border('┏', '━', '┳', '┓').chars().count(),
            89 // 88 columns plus the newline
        );
    }
}
