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

// One implementation for the whole project: tensorlow's (dtype and padding
// names use it too).
pub use tensorlow::names::{closest, did_you_mean, edit_distance};

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
