//! The mutations of [`MutationTest`](super::MutationTest): from one valid
//! file, a deterministic stream of broken ones. Generic mutations work on
//! any bytes (truncations, bit flips, overwritten runs, spliced chunks);
//! structured ones apply where the file is a safetensors file (its header
//! length, shapes whose product overflows or claims terabytes, dtypes,
//! offsets, duplicate names, the JSON metadata and JSON documents inside it)
//! or a JSON document (numbers made huge or negative, types swapped, keys
//! dropped) or text (numbers replaced by `NaN`, `1e400`, empty cells).

use crate::random::Generator;
use serde_json::{Map, Value};

/// One mutated file and what was done to it (for the failure report).
pub(crate) struct Mutant {
    pub bytes: Vec<u8>,
    pub what: String,
}

/// Sizes and values a hostile file would use.
const HUGE: [u64; 8] = [
    1 << 32,
    1 << 34,
    1 << 40,
    1 << 62,
    u64::MAX,
    i64::MAX as u64,
    0,
    17_179_869_184,
];

/// The `i`-th mutant of `valid` (the same for the same `i` and `seed`).
pub(crate) fn mutant(valid: &[u8], i: u64, seed: u64) -> Mutant {
    let mut g = Generator::from_seed(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let structured = safetensors_parts(valid);
    let json: Option<Value> = serde_json::from_slice(valid).ok();
    let text = std::str::from_utf8(valid).ok();
    // A fixed share for each family, so every kind runs thousands of times.
    let pick = g.next_u64() % 10;
    let m = match (pick, &structured, &json, text) {
        (0..=4, Some(parts), _, _) => safetensors_mutant(parts, &mut g),
        (0..=4, None, Some(v), _) => {
            let mut v = v.clone();
            let what = mutate_json(&mut v, &mut g, 0);
            Some(Mutant {
                bytes: v.to_string().into_bytes(),
                what: format!("JSON: {what}"),
            })
        }
        (0..=3, None, None, Some(t)) => Some(text_mutant(t, &mut g)),
        _ => None,
    };
    m.unwrap_or_else(|| generic_mutant(valid, &mut g))
}

fn below(g: &mut Generator, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (g.next_u64() % n as u64) as usize
    }
}

fn generic_mutant(valid: &[u8], g: &mut Generator) -> Mutant {
    let mut b = valid.to_vec();
    let what = match g.next_u64() % 5 {
        0 => {
            let n = match g.next_u64() % 4 {
                0 => [0, 1, 7, 8, 9][below(g, 5)].min(b.len()),
                _ => below(g, b.len()),
            };
            b.truncate(n);
            format!("truncated to {n} bytes")
        }
        1 => {
            let flips = 1 + below(g, 8);
            for _ in 0..flips {
                let i = below(g, b.len());
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << below(g, 8);
                }
            }
            format!("{flips} bit flips")
        }
        2 => {
            let at = below(g, b.len());
            let len = 1 + below(g, 16);
            let v = [0x00, 0xFF, 0x7F, 0x80][below(g, 4)];
            for x in b.iter_mut().skip(at).take(len) {
                *x = v;
            }
            format!("{len} bytes from {at} set to {v:#04x}")
        }
        3 => {
            let at = below(g, b.len());
            let len = below(g, 64).min(b.len() - at.min(b.len()));
            let chunk = b[at..at + len].to_vec();
            let to = below(g, b.len());
            b.splice(to..to, chunk);
            format!("{len} bytes from {at} copied to {to}")
        }
        _ => {
            let at = below(g, b.len());
            let n = 1 + below(g, 64);
            b.splice(at..at, (0..n).map(|_| g.next_u64() as u8));
            format!("{n} random bytes inserted at {at}")
        }
    };
    Mutant { bytes: b, what }
}

/// A safetensors file cut in its header (parsed) and its data.
pub(crate) struct Parts {
    header: Map<String, Value>,
    data: Vec<u8>,
}

fn safetensors_parts(b: &[u8]) -> Option<Parts> {
    let n = u64::from_le_bytes(b.get(..8)?.try_into().ok()?) as usize;
    let header = b.get(8..8usize.checked_add(n)?)?;
    let header: Map<String, Value> = serde_json::from_slice(header).ok()?;
    Some(Parts {
        header,
        data: b[8 + n..].to_vec(),
    })
}

fn assemble(header_text: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header_text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header_text.as_bytes());
    out.extend_from_slice(data);
    out
}

fn safetensors_mutant(p: &Parts, g: &mut Generator) -> Option<Mutant> {
    let mut h = p.header.clone();
    let names: Vec<String> = h.keys().filter(|k| *k != "__metadata__").cloned().collect();
    let name = names.get(below(g, names.len())).cloned();
    let what = match (g.next_u64() % 8, &name) {
        (0, _) => {
            // The header length field itself.
            let text = Value::Object(h).to_string();
            let mut b = assemble(&text, &p.data);
            let v = [HUGE[below(g, HUGE.len())], text.len() as u64 + 1, text.len() as u64 - 1][below(g, 3)];
            b[..8].copy_from_slice(&v.to_le_bytes());
            return Some(Mutant {
                bytes: b,
                what: format!("header length set to {v}"),
            });
        }
        (1, Some(n)) => {
            // A shape whose product overflows, or claims terabytes, with
            // offsets that match it or not.
            let shapes: [&[u64]; 6] = [
                &[1 << 32, 1 << 32],
                &[1 << 62],
                &[0, 1 << 40, 1 << 40],
                &[1 << 38],
                &[1 << 20, 1 << 20, 4],
                &[u64::MAX],
            ];
            let s = shapes[below(g, shapes.len())];
            let t = h[n].as_object_mut()?;
            t.insert("shape".into(), Value::from(s.to_vec()));
            if g.next_u64().is_multiple_of(2) {
                let bytes = s.iter().try_fold(4u64, |a, &d| a.checked_mul(d)).unwrap_or(u64::MAX);
                t.insert("data_offsets".into(), Value::from(vec![0, bytes]));
            }
            format!("tensor {n:?} given shape {s:?}")
        }
        (2, Some(n)) => {
            let dtypes = [
                "I32", "I16", "I8", "U16", "U64", "F8_E4M3", "F8_E5M2", "F4", "BOOL", "C64", "F64", "U8", "XX", "",
            ];
            let d = dtypes[below(g, dtypes.len())];
            h[n].as_object_mut()?.insert("dtype".into(), Value::from(d));
            format!("tensor {n:?} given dtype {d:?}")
        }
        (3, Some(n)) => {
            let a = HUGE[below(g, HUGE.len())];
            let b = [0, a, a.wrapping_add(4), p.data.len() as u64 + 4][below(g, 4)];
            h[n].as_object_mut()?
                .insert("data_offsets".into(), Value::from(vec![a.min(b), b.max(a)]));
            format!("tensor {n:?} given offsets [{}, {}]", a.min(b), b.max(a))
        }
        (4, Some(n)) => {
            // A duplicate name: the same key twice in the header text.
            let entry = format!("{}:{}", Value::from(n.as_str()), h[n]);
            let text = Value::Object(h).to_string();
            let dup = format!("{{{entry},{}", &text[1..]);
            return Some(Mutant {
                bytes: assemble(&dup, &p.data),
                what: format!("tensor {n:?} named twice"),
            });
        }
        (5, Some(n)) => {
            let mut v = h[n].clone();
            let w = mutate_json(&mut v, g, 0);
            h.insert(n.clone(), v);
            format!("tensor {n:?} entry: {w}")
        }
        (6, _) if h.contains_key("__metadata__") => {
            let meta = h.get_mut("__metadata__")?.as_object_mut()?;
            let keys: Vec<String> = meta.keys().cloned().collect();
            let k = keys.get(below(g, keys.len()))?.clone();
            let w = match meta[&k].as_str().map(serde_json::from_str::<Value>) {
                Some(Ok(mut inner)) if !g.next_u64().is_multiple_of(4) => {
                    // JSON inside the metadata (a model config).
                    let w = mutate_json(&mut inner, g, 0);
                    meta.insert(k.clone(), Value::from(inner.to_string()));
                    w
                }
                Some(Ok(inner)) => {
                    let s = inner.to_string();
                    let cut = below(g, s.len());
                    meta.insert(k.clone(), Value::from(&s[..cut]));
                    format!("truncated to {cut} bytes")
                }
                _ => {
                    let mut v = meta[&k].clone();
                    mutate_json(&mut v, g, 0)
                }
            };
            format!("metadata {k:?}: {w}")
        }
        _ => {
            let mut v = Value::Object(h);
            let w = mutate_json(&mut v, g, 0);
            return Some(Mutant {
                bytes: assemble(&v.to_string(), &p.data),
                what: format!("header: {w}"),
            });
        }
    };
    Some(Mutant {
        bytes: assemble(&Value::Object(h).to_string(), &p.data),
        what,
    })
}

/// Mutates one value somewhere in `v` (depth-first, random path).
fn mutate_json(v: &mut Value, g: &mut Generator, depth: usize) -> String {
    let descend = !g.next_u64().is_multiple_of(4) && depth < 12;
    match v {
        Value::Object(m) if descend && !m.is_empty() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = keys[below(g, keys.len())].clone();
            if g.next_u64().is_multiple_of(8) {
                m.remove(&k);
                return format!("key {k:?} removed");
            }
            let w = mutate_json(m.get_mut(&k).expect("listed key"), g, depth + 1);
            format!("{k}.{w}")
        }
        Value::Array(a) if descend && !a.is_empty() => {
            let i = below(g, a.len());
            if g.next_u64().is_multiple_of(8) {
                let x = a[i].clone();
                a.push(x);
                return format!("[{i}] repeated at the end");
            }
            let w = mutate_json(&mut a[i], g, depth + 1);
            format!("[{i}].{w}")
        }
        _ => {
            let huge = HUGE[below(g, HUGE.len())];
            let (new, w) = match g.next_u64() % 9 {
                0 => (Value::from(huge), format!("= {huge}")),
                1 => (Value::from(-1), "= -1".to_string()),
                2 => (Value::from(1e308), "= 1e308".to_string()),
                3 => (Value::from(vec![huge, huge]), format!("= [{huge}, {huge}]")),
                4 => (Value::Null, "= null".to_string()),
                5 => (Value::from("Nope"), "= \"Nope\"".to_string()),
                6 => (Value::from(vec![Value::Null]), "= [null]".to_string()),
                7 => (Value::Object(Map::new()), "= {}".to_string()),
                _ => (Value::from(0.5), "= 0.5".to_string()),
            };
            *v = new;
            w
        }
    }
}

fn text_mutant(t: &str, g: &mut Generator) -> Mutant {
    let cells: Vec<(usize, usize)> = {
        // Byte ranges of the runs of characters between separators.
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in t.char_indices() {
            let sep = matches!(c, ',' | ';' | '\t' | '\n' | '\r');
            match (sep, start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, t.len()));
        }
        out
    };
    let subs = [
        "NaN",
        "inf",
        "-inf",
        "1e400",
        "",
        "-0",
        "1,5",
        "99999999999999999999999999",
        "\u{feff}",
        "\"x\"",
        "a;b",
        "\n",
    ];
    let Some(&(a, b)) = cells.get(below(g, cells.len())) else {
        return Mutant {
            bytes: t.as_bytes().to_vec(),
            what: "unchanged (no cell)".into(),
        };
    };
    let s = subs[below(g, subs.len())];
    let mut out = String::with_capacity(t.len() + 16);
    out.push_str(&t[..a]);
    out.push_str(s);
    out.push_str(&t[b..]);
    Mutant {
        bytes: out.into_bytes(),
        what: format!("cell {:?} at byte {a} replaced by {s:?}", &t[a..b]),
    }
}
