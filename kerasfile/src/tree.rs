//! The in-memory HDF5 tree: groups holding groups and datasets, each with attributes.
//!
//! This is what [`crate::h5::read`] returns and [`crate::h5::write`] stores. Members and
//! attributes are kept sorted by name (byte order, as HDF5's symbol tables and h5py list them).
//! Paths are `/`-separated (`"layers/dense/vars/0"`), relative to the group they are used on; a
//! leading `/` is allowed.
//!
//! ```
//! use kerasfile::{Array, AttrValue, Group};
//! # fn main() -> kerasfile::Result<()> {
//! let mut root = Group::new();
//! root.insert_dataset("layers/dense/vars/0", Array::from_slice(&[2, 1], &[0.5f32, -1.0])?)?;
//! root.require_group("layers/dense/vars")?.set_attr("name", "dense");
//! assert_eq!(root.dataset("layers/dense/vars/0").unwrap().shape(), &[2, 1]);
//! assert_eq!(root.group("layers/dense/vars").unwrap().attr("name"), Some(&AttrValue::from("dense")));
//! assert_eq!(root.datasets().len(), 1);
//! # Ok(()) }
//! ```

use crate::{Array, Error, Result};
use std::collections::BTreeMap;

/// The value of an attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// A scalar string (h5py's `str` attribute: a variable-length UTF-8 string). Fixed-length
    /// and ASCII strings read as this too.
    String(String),
    /// A one-dimensional array of strings (h5py's list of `str`).
    Strings(Vec<String>),
    /// A numeric scalar or array (h5py's `int`, `float`, numpy values).
    Array(Array),
}

impl AttrValue {
    /// The string, when the value is a scalar string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::String(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for AttrValue {
    fn from(s: &str) -> Self {
        AttrValue::String(s.to_string())
    }
}
impl From<String> for AttrValue {
    fn from(s: String) -> Self {
        AttrValue::String(s)
    }
}
impl From<Vec<String>> for AttrValue {
    fn from(v: Vec<String>) -> Self {
        AttrValue::Strings(v)
    }
}
impl From<Array> for AttrValue {
    fn from(a: Array) -> Self {
        AttrValue::Array(a)
    }
}
impl From<i64> for AttrValue {
    fn from(v: i64) -> Self {
        AttrValue::Array(Array::scalar(v))
    }
}
impl From<f64> for AttrValue {
    fn from(v: f64) -> Self {
        AttrValue::Array(Array::scalar(v))
    }
}

/// Attributes by name.
pub type Attrs = BTreeMap<String, AttrValue>;

/// A dataset: an array with attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The values.
    pub array: Array,
    /// The dataset's attributes (Keras sets `dtype="bfloat16"` on bfloat16 variables).
    pub attrs: Attrs,
}

impl Dataset {
    /// A dataset without attributes.
    pub fn new(array: Array) -> Self {
        Dataset {
            array,
            attrs: Attrs::new(),
        }
    }

    /// The shape of the values.
    pub fn shape(&self) -> &[usize] {
        self.array.shape()
    }
}

/// A member of a group.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A subgroup.
    Group(Group),
    /// A dataset.
    Dataset(Dataset),
}

/// A group: named members and attributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    /// Members by name.
    pub members: BTreeMap<String, Node>,
    /// The group's attributes (Keras sets `name` on every `vars` group).
    pub attrs: Attrs,
}

/// Checks one path component: HDF5 names are non-empty, without `/` or NUL, and not `.`.
pub(crate) fn check_name(name: &str, what: &str) -> Result<()> {
    if name.is_empty() || name == "." || name.contains('/') || name.contains('\0') {
        return Err(Error::Invalid(format!(
            "invalid {what} name {name:?}: HDF5 names are non-empty, not \".\", without '/' or NUL"
        )));
    }
    Ok(())
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

impl Group {
    /// An empty group.
    pub fn new() -> Self {
        Self::default()
    }

    /// The member at `path` (`"a/b/c"`), if any.
    pub fn get(&self, path: &str) -> Option<&Node> {
        let parts = components(path);
        let (last, dirs) = parts.split_last()?;
        let mut g = self;
        for p in dirs {
            match g.members.get(*p)? {
                Node::Group(sub) => g = sub,
                Node::Dataset(_) => return None,
            }
        }
        g.members.get(*last)
    }

    /// The group at `path`; `""` or `"/"` is `self`.
    pub fn group(&self, path: &str) -> Option<&Group> {
        if components(path).is_empty() {
            return Some(self);
        }
        match self.get(path)? {
            Node::Group(g) => Some(g),
            Node::Dataset(_) => None,
        }
    }

    /// The dataset at `path`.
    pub fn dataset(&self, path: &str) -> Option<&Dataset> {
        match self.get(path)? {
            Node::Dataset(d) => Some(d),
            Node::Group(_) => None,
        }
    }

    /// The group at `path`, created (with its parents) if missing; an error if a dataset is in
    /// the way or a name is invalid.
    pub fn require_group(&mut self, path: &str) -> Result<&mut Group> {
        let mut g = self;
        for p in components(path) {
            check_name(p, "group")?;
            let node = g
                .members
                .entry(p.to_string())
                .or_insert_with(|| Node::Group(Group::new()));
            g = match node {
                Node::Group(sub) => sub,
                Node::Dataset(_) => {
                    return Err(Error::Invalid(format!("{path:?}: {p:?} is a dataset, not a group")));
                }
            };
        }
        Ok(g)
    }

    /// Stores `node` at `path`, creating parent groups; replaces what was there.
    pub fn insert(&mut self, path: &str, node: Node) -> Result<()> {
        let parts = components(path);
        let Some((last, dirs)) = parts.split_last() else {
            return Err(Error::Invalid(format!(
                "empty path {path:?}: name the member to insert"
            )));
        };
        check_name(last, "member")?;
        let parent = self.require_group(&dirs.join("/"))?;
        parent.members.insert(last.to_string(), node);
        Ok(())
    }

    /// Stores `array` as a dataset without attributes at `path`, creating parent groups.
    pub fn insert_dataset(&mut self, path: &str, array: Array) -> Result<()> {
        self.insert(path, Node::Dataset(Dataset::new(array)))
    }

    /// The attribute `name`, if set.
    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.get(name)
    }

    /// Sets the attribute `name`.
    pub fn set_attr(&mut self, name: &str, value: impl Into<AttrValue>) {
        self.attrs.insert(name.to_string(), value.into());
    }

    /// Every dataset below this group with its path, depth first in name order.
    pub fn datasets(&self) -> Vec<(String, &Dataset)> {
        let mut out = Vec::new();
        self.walk("", &mut |path, node| {
            if let Node::Dataset(d) = node {
                out.push((path.to_string(), d));
            }
        });
        out
    }

    /// Calls `f` on every member below this group (groups before their members), with its path.
    pub fn walk<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(&str, &'a Node)) {
        for (name, node) in &self.members {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            f(&path, node);
            if let Node::Group(g) = node {
                g.walk(&path, f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_conflicts() {
        let mut g = Group::new();
        g.insert_dataset("/a/b", Array::scalar(1i32)).unwrap();
        assert!(g.dataset("a/b").is_some());
        assert!(g.group("a").is_some());
        assert!(g.group("").is_some());
        assert!(g.get("a/b/c").is_none());
        let err = g.insert_dataset("a/b/c", Array::scalar(1i32)).unwrap_err().to_string();
        assert!(err.contains("is a dataset"), "{err}");
        assert!(g.insert_dataset("", Array::scalar(1i32)).is_err());
        assert!(g.insert_dataset("a/.", Array::scalar(1i32)).is_err());
        assert!(g.insert_dataset("a/x\0y", Array::scalar(1i32)).is_err());
        g.insert_dataset("a/a", Array::scalar(2i32)).unwrap();
        let names: Vec<String> = g.datasets().into_iter().map(|(p, _)| p).collect();
        assert_eq!(names, ["a/a", "a/b"]);
    }
}
