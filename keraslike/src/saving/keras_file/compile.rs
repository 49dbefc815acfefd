//! Keras 3's `compile_config` (the optimizer, losses, loss weights and metrics a model was
//! compiled with), both ways.

use crate::models::{CompileOptions, Losses, Model};
use crate::{Error, Result};
use serde_json::{json, Value};

/// The model's compile configuration as Keras writes it in `config.json`.
pub(super) fn keras_compile_config(model: &Model) -> Result<Value> {
    let c = model
        .compiled
        .as_ref()
        .ok_or_else(|| Error::NotReady("the model is not compiled".into()))?;
    let losses: Vec<Value> = c
        .outputs
        .iter()
        .map(|o| match &o.loss {
            Some(l) => crate::losses::serialize(l.as_ref()),
            None => Value::Null,
        })
        .collect();
    let st = c.state();
    let metrics: Vec<Vec<String>> = st
        .metrics
        .iter()
        .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
        .collect();
    let single = c.outputs.len() == 1;
    let weights: Vec<f64> = c.outputs.iter().map(|o| o.weight).collect();
    Ok(json!({
        "optimizer": crate::optimizers::serialize(c.optimizer.as_ref()),
        "loss": if single { losses[0].clone() } else { json!(losses) },
        "loss_weights": if weights.iter().all(|w| *w == 1.0) { Value::Null } else { json!(weights) },
        "metrics": if single { json!(metrics[0]) } else { json!(metrics) },
        "weighted_metrics": null,
        "run_eagerly": false,
        "steps_per_execution": 1,
        "jit_compile": false,
    }))
}

/// One serialized loss: a name, a Keras object or `null` (the output is not trained).
fn loss_of(v: &Value) -> Result<Option<Box<dyn crate::losses::Loss>>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => crate::losses::get(s).map(Some),
        v => crate::losses::deserialize(v).map(Some),
    }
}

/// Compiles `model` as Keras' `compile_from_config` does. Options keraslike does not implement
/// (`weighted_metrics`, metric objects for several outputs) are errors naming them.
pub(super) fn compile_from_keras(model: &mut Model, c: &Value) -> Result<()> {
    let bad = |key: &str, v: &Value, why: &str| {
        Err(Error::arg(format!(
            "compile_config: {key} = {v} is not supported: {why}"
        )))
    };
    for (k, v) in c.as_object().into_iter().flatten() {
        match k.as_str() {
            "optimizer" | "loss" | "loss_weights" | "metrics" => {}
            // Execution settings: keraslike always runs eagerly on its own kernels.
            "run_eagerly" | "steps_per_execution" | "jit_compile" | "auto_scale_loss" => {}
            "weighted_metrics" if v.is_null() || v.as_array().is_some_and(Vec::is_empty) => {}
            "weighted_metrics" => return bad(k, v, "keraslike has no weighted metrics; compile without them"),
            other => return bad(other, v, "keraslike does not know this compile option"),
        }
    }
    let optimizer = match &c["optimizer"] {
        Value::String(s) => crate::optimizers::get(s)?,
        v => crate::optimizers::deserialize(v)?,
    };
    let names = model.output_names();
    let losses = match &c["loss"] {
        Value::Array(a) => Losses::List(a.iter().map(loss_of).collect::<Result<_>>()?),
        Value::Object(o) if !o.contains_key("class_name") => Losses::ByName(
            o.iter()
                .filter_map(|(k, v)| loss_of(v).transpose().map(|l| l.map(|l| (k.clone(), l))))
                .collect::<Result<_>>()?,
        ),
        v => match loss_of(v)? {
            Some(l) => Losses::All(l),
            None => return bad("loss", v, "a compiled model needs a loss"),
        },
    };
    let mut options = CompileOptions::default();
    match &c["loss_weights"] {
        Value::Null => {}
        Value::Array(a) => {
            let w: Option<Vec<f64>> = a.iter().map(Value::as_f64).collect();
            match w {
                Some(w) => options = options.loss_weights(w),
                None => return bad("loss_weights", &c["loss_weights"], "expected numbers"),
            }
        }
        Value::Object(o) => {
            let w: Option<Vec<f64>> = names
                .iter()
                .map(|n| o.get(n).map_or(Some(1.0), Value::as_f64))
                .collect();
            match w {
                Some(w) => options = options.loss_weights(w),
                None => return bad("loss_weights", &c["loss_weights"], "expected numbers"),
            }
        }
        v => return bad("loss_weights", v, "expected a list or an object of numbers"),
    }
    let metrics = &c["metrics"];
    match metrics {
        Value::Null => model.compile_with(optimizer, losses, &[] as &[&str], options),
        Value::Array(a) if a.iter().all(|m| !m.is_array()) => {
            model.compile_with(optimizer, losses, a.as_slice(), options)
        }
        Value::Array(a) => {
            let lists: Option<Vec<Vec<&str>>> = a
                .iter()
                .map(|l| match l {
                    Value::Null => Some(Vec::new()),
                    Value::Array(ms) => ms.iter().map(Value::as_str).collect(),
                    _ => None,
                })
                .collect();
            let Some(lists) = lists else {
                return bad("metrics", metrics, "per-output metrics must be lists of metric names");
            };
            let slices: Vec<&[&str]> = lists.iter().map(Vec::as_slice).collect();
            model.compile_with(optimizer, losses, slices.as_slice(), options)
        }
        v => bad(
            "metrics",
            v,
            "expected a list of metrics (one list per output for several outputs)",
        ),
    }
}
