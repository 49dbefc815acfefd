//! Names given as strings — dtypes (`"float32"`), devices (`"cuda:0"`),
//! paddings (`"same"`) — and the "did you mean ...?" hint an unknown one
//! gets.
//!
//! [`DType`] and [`Padding`] parse with [`str::parse`] (TensorFlow's and
//! Keras' spellings), [`Device`](crate::Device) with
//! [`Device::parse`](crate::Device::parse). A misspelt name is an error
//! that lists the known ones and suggests the closest:
//!
//! ```
//! use tensorlow::{nn::Padding, DType, Device};
//! assert_eq!("float64".parse::<DType>().unwrap(), DType::F64);
//! assert_eq!("SAME".parse::<Padding>().unwrap(), Padding::Same);
//! let e = "flaot32".parse::<DType>().unwrap_err().to_string();
//! assert!(e.contains("did you mean \"float32\"?"), "{e}");
//! let e = Device::parse("cdua").unwrap_err().to_string();
//! assert!(e.contains("did you mean \"cuda\"?"), "{e}");
//! ```
//!
//! [`closest`] and [`did_you_mean`] are public so that the higher tiers
//! phrase their hints the same way.

use crate::nn::Padding;
use crate::{DType, Error};

/// The Damerau-Levenshtein distance between two names (insertions,
/// deletions, substitutions and swaps of neighbours each cost 1), ignoring
/// ASCII case.
///
/// ```
/// assert_eq!(tensorlow::names::edit_distance("sigmod", "sigmoid"), 1);
/// assert_eq!(tensorlow::names::edit_distance("rleu", "ReLU"), 1); // a swap, any case
/// ```
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows of the dynamic-programming table (a swap looks two back).
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name` when it is close enough to be a typo:
/// at most a third of the longer name's length in edits (at least 1).
/// Ties go to the first candidate.
///
/// ```
/// let known = ["float32", "float64", "int64"];
/// assert_eq!(tensorlow::names::closest("flot64", known), Some("float64"));
/// assert_eq!(tensorlow::names::closest("string", known), None);
/// ```
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean \"x\"?"` for the closest candidate, or `""` when none
/// is close: ready to append to an "unknown name" message.
///
/// ```
/// assert_eq!(tensorlow::names::did_you_mean("vaild", ["valid", "same"]), "; did you mean \"valid\"?");
/// assert_eq!(tensorlow::names::did_you_mean("full", ["valid", "same"]), "");
/// ```
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(name, candidates) {
        Some(c) => format!("; did you mean {c:?}?"),
        None => String::new(),
    }
}

/// Every dtype with TensorFlow's name first, then the short aliases.
const DTYPES: [(&str, &str, DType); 8] = [
    ("float32", "f32", DType::F32),
    ("float64", "f64", DType::F64),
    ("float16", "f16", DType::F16),
    ("bfloat16", "bf16", DType::BF16),
    ("uint8", "u8", DType::U8),
    ("uint32", "u32", DType::U32),
    ("int32", "i32", DType::I32),
    ("int64", "i64", DType::I64),
];

/// TensorFlow's dtype names (`"float32"`, `"int64"`, ...) and Rust's
/// (`"f32"`, `"i64"`, ...); `"double"` and `"half"` as in TensorFlow.
impl std::str::FromStr for DType {
    type Err = Error;
    fn from_str(s: &str) -> crate::Result<DType> {
        let alias = match s {
            "double" => Some(DType::F64),
            "half" => Some(DType::F16),
            _ => None,
        };
        if let Some(d) = alias.or_else(|| DTYPES.iter().find(|(tf, rs, _)| s == *tf || s == *rs).map(|e| e.2)) {
            return Ok(d);
        }
        let names = DTYPES.iter().map(|e| e.0);
        Err(Error::arg(format!(
            "unknown dtype {s:?}{}; expected one of {}",
            did_you_mean(s, DTYPES.iter().flat_map(|e| [e.0, e.1])),
            names.collect::<Vec<_>>().join(", ")
        )))
    }
}

/// `"valid"` or `"same"`, in any case (Keras writes them in lower case,
/// TensorFlow's ops in upper case).
impl std::str::FromStr for Padding {
    type Err = Error;
    fn from_str(s: &str) -> crate::Result<Padding> {
        match s.to_ascii_lowercase().as_str() {
            "valid" => Ok(Padding::Valid),
            "same" => Ok(Padding::Same),
            _ => Err(Error::arg(format!(
                "unknown padding {s:?}{}; expected \"valid\" or \"same\"",
                did_you_mean(s, ["valid", "same"])
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dtype_name_round_trips() {
        for (tf, rs, d) in DTYPES {
            assert_eq!(tf.parse::<DType>().unwrap(), d);
            assert_eq!(rs.parse::<DType>().unwrap(), d);
            assert_eq!(d.name().parse::<DType>().unwrap(), d);
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let e = "string".parse::<DType>().unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown dtype \"string\"; expected one of float32, float64, float16, bfloat16, uint8, uint32, int32, int64"
        );
        let e = "int46".parse::<DType>().unwrap_err().to_string();
        assert!(e.contains("did you mean \"int64\"?"), "{e}");
        let e = "causal".parse::<Padding>().unwrap_err().to_string();
        assert_eq!(e, "unknown padding \"causal\"; expected \"valid\" or \"same\"");
        assert_eq!("Valid".parse::<Padding>().unwrap(), Padding::Valid);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("cdua", "cuda"), 1);
    }
}
