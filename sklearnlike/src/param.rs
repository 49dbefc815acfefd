//! Hyper-parameter values by scikit-learn name: [`Param`] (one value) and
//! [`Params`] (what `get_params` returns and `set_params` takes).
//!
//! A value converts from the Rust type you would write (`1e-3`, `200`,
//! `true`, `"relu"`, `vec![50, 20]` for `hidden_layer_sizes=(50, 20)`,
//! `(0.0, 1.0)` for `feature_range`, `None::<u64>` for `random_state=None`).
//! Every estimator also accepts text (`Param::Str`) for any parameter, parsed
//! as a command-line flag would be (`"50,20"`, `"auto"`, `"none"`, `"true"`).
//! `Display` prints scikit-learn's repr (`{'alpha': 0.0001, 'hidden_layer_sizes': (100,)}`).
//!
//! ```
//! use sklearnlike::param::{Param, Params};
//! let mut p = Params::new();
//! p.insert("alpha", 1e-4);
//! p.insert("hidden_layer_sizes", vec![50]);
//! p.insert("random_state", None::<u64>);
//! assert_eq!(p.to_string(), "{'alpha': 0.0001, 'hidden_layer_sizes': (50,), 'random_state': None}");
//! assert_eq!(Param::from("relu"), Param::Str("relu".into()));
//! assert_eq!(Param::from(1e-5).to_string(), "1e-05");
//! ```

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One hyper-parameter value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Param {
    /// Python's `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (an option name, or any value as text).
    Str(String),
    /// A tuple of sizes (`hidden_layer_sizes`).
    Sizes(Vec<usize>),
    /// A pair of floats (`feature_range`).
    Pair(f64, f64),
}

macro_rules! from_int {
    ($($t:ty),+) => {$(
        impl From<$t> for Param {
            fn from(v: $t) -> Self {
                Param::Int(v as i64)
            }
        }
    )+};
}
from_int!(i32, i64, u32, u64, usize);

impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Float(v)
    }
}
impl From<f32> for Param {
    fn from(v: f32) -> Self {
        Param::Float(v as f64)
    }
}
impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Str(v.to_string())
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Str(v)
    }
}
impl From<Vec<usize>> for Param {
    fn from(v: Vec<usize>) -> Self {
        Param::Sizes(v)
    }
}
impl From<&[usize]> for Param {
    fn from(v: &[usize]) -> Self {
        Param::Sizes(v.to_vec())
    }
}
impl<const N: usize> From<[usize; N]> for Param {
    fn from(v: [usize; N]) -> Self {
        Param::Sizes(v.to_vec())
    }
}
impl From<(f64, f64)> for Param {
    fn from((a, b): (f64, f64)) -> Self {
        Param::Pair(a, b)
    }
}
impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::None, Into::into)
    }
}

/// Python's `repr` of a float: shortest round-trip digits, scientific
/// notation below 1e-4 and from 1e16 (`1e-05`, `1e+16`), `.0` on integers.
pub(crate) fn py_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{v:e}");
    let (mant, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    if (-4..16).contains(&exp) {
        let s = format!("{v}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

impl fmt::Display for Param {
    /// scikit-learn's repr of the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::None => f.write_str("None"),
            Param::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Param::Int(i) => write!(f, "{i}"),
            Param::Float(v) => f.write_str(&py_float(*v)),
            Param::Str(s) => write!(f, "'{s}'"),
            Param::Sizes(v) if v.len() == 1 => write!(f, "({},)", v[0]),
            Param::Sizes(v) => {
                let parts: Vec<String> = v.iter().map(|s| s.to_string()).collect();
                write!(f, "({})", parts.join(", "))
            }
            Param::Pair(a, b) => write!(f, "({}, {})", py_float(*a), py_float(*b)),
        }
    }
}

fn bad(name: &str, want: &str, got: &Param) -> Error {
    Error::param(format!("the '{name}' parameter must be {want}, got {got}"))
}

impl Param {
    /// The value as a float (from a float, an integer or text).
    pub fn to_f64(&self, name: &str) -> Result<f64> {
        match self {
            Param::Float(v) => Ok(*v),
            Param::Int(i) => Ok(*i as f64),
            Param::Str(s) => s.trim().parse().map_err(|_| bad(name, "a float", self)),
            _ => Err(bad(name, "a float", self)),
        }
    }

    /// The value as a non-negative integer (from an integer, an integral
    /// float or text).
    pub fn to_usize(&self, name: &str) -> Result<usize> {
        match self {
            Param::Int(i) if *i >= 0 => Ok(*i as usize),
            Param::Float(v) if *v >= 0.0 && v.fract() == 0.0 && *v < 9.0e15 => Ok(*v as usize),
            Param::Str(s) => s.trim().parse().map_err(|_| bad(name, "a non-negative integer", self)),
            _ => Err(bad(name, "a non-negative integer", self)),
        }
    }

    /// The value as a boolean (from a bool, 0/1 or text: true/false/yes/no/1/0).
    pub fn to_bool(&self, name: &str) -> Result<bool> {
        match self {
            Param::Bool(b) => Ok(*b),
            Param::Int(0) => Ok(false),
            Param::Int(1) => Ok(true),
            Param::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(bad(name, "True or False", self)),
            },
            _ => Err(bad(name, "True or False", self)),
        }
    }

    /// The value as text (an option name).
    pub fn to_text(&self, name: &str) -> Result<String> {
        match self {
            Param::Str(s) => Ok(s.trim().to_string()),
            _ => Err(bad(name, "a string", self)),
        }
    }

    /// The value as a tuple of sizes: `Sizes`, one integer, or text such as
    /// `"50,20"`, `"(50, 20)"`, `"100"` or `""` / `"()"` for no hidden layer.
    pub fn to_sizes(&self, name: &str) -> Result<Vec<usize>> {
        match self {
            Param::Sizes(v) => Ok(v.clone()),
            Param::Int(i) if *i >= 0 => Ok(vec![*i as usize]),
            Param::Str(s) => s
                .trim()
                .trim_start_matches(['(', '['])
                .trim_end_matches([')', ']'])
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().map_err(|_| bad(name, "a tuple of positive integers", self)))
                .collect(),
            _ => Err(bad(name, "a tuple of positive integers", self)),
        }
    }

    /// The value as an optional non-negative integer (`None`, or text
    /// `"none"`, or an integer).
    pub fn to_opt_u64(&self, name: &str) -> Result<Option<u64>> {
        match self {
            Param::None => Ok(None),
            Param::Str(s) if s.trim().eq_ignore_ascii_case("none") => Ok(None),
            Param::Int(i) if *i >= 0 => Ok(Some(*i as u64)),
            Param::Str(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(name, "None or a non-negative integer", self)),
            _ => Err(bad(name, "None or a non-negative integer", self)),
        }
    }

    /// The value as a pair of floats (`Pair`, or text `"0,1"` / `"(0, 1)"`).
    pub fn to_pair(&self, name: &str) -> Result<(f64, f64)> {
        match self {
            Param::Pair(a, b) => Ok((*a, *b)),
            Param::Str(s) => {
                let parts: Vec<&str> = s
                    .trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .split(',')
                    .map(str::trim)
                    .collect();
                match parts[..] {
                    [a, b] => match (a.parse(), b.parse()) {
                        (Ok(a), Ok(b)) => Ok((a, b)),
                        _ => Err(bad(name, "a pair of floats", self)),
                    },
                    _ => Err(bad(name, "a pair of floats", self)),
                }
            }
            _ => Err(bad(name, "a pair of floats", self)),
        }
    }
}

/// Parameters by name, sorted like scikit-learn's `get_params()`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Params(BTreeMap<String, Param>);

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `name` to `value` (builder style: see [`Params::with`]).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Param>) {
        self.0.insert(name.into(), value.into());
    }
    /// `self` with `name` set to `value`.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Param>) -> Self {
        self.insert(name, value);
        self
    }
    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.0.get(name)
    }
    /// The names and values, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    /// The names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<Param>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Params(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "'{k}': {v}")?;
        }
        f.write_str("}")
    }
}

/// The edit distance between two names, a swap of neighbours counting as
/// one edit (optimal string alignment), for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The closest of `candidates` to `name`, when it is close enough to be a typo.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// scikit-learn's error for an unknown parameter name, listing the valid
/// ones (and the closest, when it looks like a typo).
pub(crate) fn unknown_param(estimator: &str, name: &str, valid: &[&str]) -> Error {
    let hint = did_you_mean(name, valid.iter().copied())
        .map(|c| format!(" Did you mean '{c}'?"))
        .unwrap_or_default();
    let list: Vec<String> = valid.iter().map(|v| format!("'{v}'")).collect();
    Error::param(format!(
        "Invalid parameter '{name}' for estimator {estimator}.{hint} Valid parameters are: [{}].",
        list.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        // repr() in Python 3.11 of each value.
        for (v, want) in [
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (123.5, "123.5"),
            (1e16, "1e+16"),
            (2.5e-7, "2.5e-07"),
            (1e15, "1000000000000000.0"),
        ] {
            assert_eq!(py_float(v), want);
        }
    }

    #[test]
    fn text_converts_to_every_kind() {
        let s = |t: &str| Param::Str(t.into());
        assert_eq!(s("50, 20").to_sizes("h").unwrap(), vec![50, 20]);
        assert_eq!(s("(100,)").to_sizes("h").unwrap(), vec![100]);
        assert!(s("()").to_sizes("h").unwrap().is_empty());
        assert_eq!(s("none").to_opt_u64("r").unwrap(), None);
        assert_eq!(s("7").to_opt_u64("r").unwrap(), Some(7));
        assert_eq!(s("(0, 2)").to_pair("f").unwrap(), (0.0, 2.0));
        assert!(s("yes").to_bool("b").unwrap());
        let e = s("x").to_f64("alpha").unwrap_err().to_string();
        assert!(e.contains("'alpha'") && e.contains("'x'"), "{e}");
        assert!(Param::Int(-1).to_usize("max_iter").is_err());
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let e = unknown_param("MLPClassifier", "alpah", &["activation", "alpha"]).to_string();
        assert!(
            e.contains("Did you mean 'alpha'?") && e.contains("['activation', 'alpha']"),
            "{e}"
        );
        assert_eq!(did_you_mean("zzzzzz", ["alpha"]), None);
        assert_eq!(edit_distance("alpah", "alpha"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
