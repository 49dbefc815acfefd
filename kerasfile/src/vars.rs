//! Keras' positional variable groups: `<path>/vars/0`, `<path>/vars/1`, ... with a `name`
//! attribute on `vars` (what `keras.saving.saving_lib.H5IOStore` reads and writes).
//!
//! The members of a group are sorted by name as strings, so `vars/10` comes before `vars/2`;
//! these helpers give and take the variables in Keras' numeric order instead.
//!
//! ```
//! use kerasfile::{Array, Group};
//! # fn main() -> kerasfile::Result<()> {
//! let mut weights = Group::new();
//! let vars: Vec<Array> = (0..12).map(|i| Array::scalar(i as f32)).collect();
//! weights.set_keras_vars("layers/dense", "dense", vars)?;
//! let back = weights.keras_vars("layers/dense")?;
//! assert_eq!(back.len(), 12);
//! assert_eq!(back[10].to_vec::<f32>()?, vec![10.0]);
//! assert_eq!(weights.group("layers/dense/vars").unwrap().attr("name").unwrap().as_str(), Some("dense"));
//! # Ok(()) }
//! ```

use crate::{Array, Error, Group, Node, Result};

fn vars_path(path: &str) -> String {
    let path = path.trim_matches('/');
    if path.is_empty() {
        "vars".to_string()
    } else {
        format!("{path}/vars")
    }
}

impl Group {
    /// The variables saved for the object at `path` (`"layers/dense"`, `"optimizer"`, `""` for
    /// the model itself), in Keras' order: the datasets `0`, `1`, ... of `<path>/vars`. Like
    /// Keras, a missing `vars` group gives no variables; members that are not exactly `0` to
    /// `n - 1` are an error naming them.
    pub fn keras_vars(&self, path: &str) -> Result<Vec<&Array>> {
        let vars = vars_path(path);
        let Some(group) = self.group(&vars) else {
            return Ok(Vec::new());
        };
        let mut found: Vec<Option<&Array>> = vec![None; group.members.len()];
        for (name, node) in &group.members {
            let index = name
                .parse::<usize>()
                .ok()
                .filter(|&i| i < found.len() && *name == i.to_string())
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "{vars}/{name}: Keras names variables 0 to {}; this member is not one of them",
                        found.len().saturating_sub(1)
                    ))
                })?;
            match node {
                Node::Dataset(d) => found[index] = Some(&d.array),
                Node::Group(_) => {
                    return Err(Error::Invalid(format!("{vars}/{name} is a group, not a variable")));
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|a| a.expect("every index from 0 to n - 1 is present"))
            .collect())
    }

    /// Stores `vars` as the variables of the object at `path`: `<path>/vars/0`, `1`, ... with
    /// the `name` attribute Keras writes (the layer's, model's or optimizer's own name),
    /// replacing any variables stored there before.
    pub fn set_keras_vars(&mut self, path: &str, name: &str, vars: Vec<Array>) -> Result<()> {
        let group = self.require_group(&vars_path(path))?;
        group.members.clear();
        group.set_attr("name", name);
        for (i, array) in vars.into_iter().enumerate() {
            group.insert_dataset(&i.to_string(), array)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_variable_names_are_errors() {
        let mut g = Group::new();
        g.insert_dataset("layers/x/vars/0", Array::scalar(1i32)).unwrap();
        g.insert_dataset("layers/x/vars/2", Array::scalar(1i32)).unwrap();
        let e = g.keras_vars("layers/x").unwrap_err().to_string();
        assert!(e.contains("layers/x/vars/2"), "{e}");
        g.insert_dataset("layers/y/vars/01", Array::scalar(1i32)).unwrap();
        assert!(g.keras_vars("layers/y").is_err());
        assert!(g.keras_vars("layers/none").unwrap().is_empty());
        g.set_keras_vars("", "model", vec![Array::scalar(3i64)]).unwrap();
        assert_eq!(g.keras_vars("/").unwrap()[0].to_i64().unwrap(), vec![3]);
    }
}
