//! A JSON description of a [`Group`] tree in the format of `tests/fixtures/make_fixtures.py`'s
//! `describe_h5` (what h5py sees), so trees read by kerasfile compare with h5py's view.
//!
//! Objects are keyed by path (`"/"` for the root, `"layers/dense"` below it): groups with their
//! sorted member names, datasets with numpy's dtype name, shape and flat values, both with
//! attributes (strings as JSON strings, numbers as `{"dtype", "value"}` for scalars and
//! `{"dtype", "shape", "values"}` for arrays, string lists as dtype `"object"`).

use kerasfile::{Array, AttrValue, Attrs, Dtype, Group, Node};
use serde_json::{json, Map, Value};

fn values(a: &Array) -> Vec<Value> {
    match a.dtype() {
        Dtype::Bool => a.to_vec::<bool>().unwrap().into_iter().map(Value::from).collect(),
        Dtype::U64 => a.to_vec::<u64>().unwrap().into_iter().map(Value::from).collect(),
        d if d.is_float() => a.to_f64().unwrap().into_iter().map(Value::from).collect(),
        _ => a.to_i64().unwrap().into_iter().map(Value::from).collect(),
    }
}

fn attrs(attrs: &Attrs) -> Value {
    let mut m = Map::new();
    for (name, v) in attrs {
        let v = match v {
            AttrValue::String(s) => json!(s),
            AttrValue::Strings(v) => json!({"dtype": "object", "shape": [v.len()], "values": v}),
            AttrValue::Array(a) if a.shape().is_empty() => json!({"dtype": a.dtype().name(), "value": values(a)[0]}),
            AttrValue::Array(a) => json!({"dtype": a.dtype().name(), "shape": a.shape(), "values": values(a)}),
        };
        m.insert(name.clone(), v);
    }
    Value::Object(m)
}

fn group(g: &Group) -> Value {
    json!({"kind": "group", "children": g.members.keys().collect::<Vec<_>>(), "attrs": attrs(&g.attrs)})
}

/// The description of `root` and everything below it.
pub fn describe(root: &Group) -> Value {
    let mut objects = Map::new();
    objects.insert("/".into(), group(root));
    root.walk("", &mut |path, node| {
        let v = match node {
            Node::Group(g) => group(g),
            Node::Dataset(d) => json!({
                "kind": "dataset",
                "dtype": d.array.dtype().name(),
                "shape": d.array.shape(),
                "values": values(&d.array),
                "attrs": attrs(&d.attrs),
            }),
        };
        objects.insert(path.to_string(), v);
    });
    Value::Object(objects)
}
