//! "Did you mean ...?": the closest known name to a misspelt one, by edit
//! distance. Every name resolver in keraslike (losses, metrics, optimizers,
//! activations, initializers, regularizers, schedules, config fields) uses
//! it, so a typo gets the same kind of hint everywhere.
//!
//! ```
//! use keraslike::saving::suggest::{closest, did_you_mean};
//! let known = ["categorical_crossentropy", "mean_squared_error", "hinge"];
//! assert_eq!(closest("categorical_crossentropi", known), Some("categorical_crossentropy"));
//! assert_eq!(did_you_mean("hingee", known), "; did you mean \"hinge\"?");
//! assert_eq!(closest("completely_different", known), None);
//! ```

/// The Damerau-Levenshtein distance (insertions, deletions, substitutions
/// and swaps of neighbours each cost 1), ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows of the dynamic-programming table (the swap looks two back).
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

/// The candidate closest to `name`, if it is close enough to be a likely
/// typo: at most a third of the longer name's length in edits (and at
/// least 1 allowed). Ties go to the first candidate.
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

/// `"; did you mean \"x\"?"` for the closest candidate, or `""` when none is
/// close: ready to append to an "unknown name" message.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(name, candidates) {
        Some(c) => format!("; did you mean {c:?}?"),
        None => String::new(),
    }
}

/// [`did_you_mean`] ending a sentence: `"; did you mean \"x\"?"` or `"."`.
pub fn did_you_mean_or_stop<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let s = did_you_mean(name, candidates);
    if s.is_empty() {
        ".".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("sigmod", "sigmoid"), 1);
        assert_eq!(edit_distance("rleu", "relu"), 1); // a swap
        assert_eq!(edit_distance("Adam", "adam"), 0);
    }

    #[test]
    fn suggestions() {
        let known = ["relu", "sigmoid", "softmax", "selu"];
        assert_eq!(closest("sigmod", known), Some("sigmoid"));
        assert_eq!(closest("rellu", known), Some("relu"));
        assert_eq!(closest("xyz", known), None);
        assert_eq!(did_you_mean("xyz", known), "");
    }
}
