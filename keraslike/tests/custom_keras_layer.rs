//! A user's layer class in `.keras` files: a type that implements `Layer`
//! and `FromConfig`, with its Keras options declared beside it
//! (`FromConfig::KERAS_OPTIONS`) and registered with
//! `keraslike::layers::register::<L>()`, saves to and loads from a `.keras`
//! archive like a built-in layer. Before it is registered the file is
//! refused naming the class; an option the class does not declare is
//! refused naming it.

use keraslike::layers::{register, BuildContext, Dense, FromConfig, KerasOption, KerasOptions, Layer};
use keraslike::models::load_model;
use keraslike::prelude::*;
use keraslike::saving::keras_file::{check_model, layer_classes};
use serde_json::{json, Value};
use tensorlow::{Tensor, Variable};

/// y = x * scale + shift, one learned scale per feature, `shift` a config
/// option.
struct Scale {
    name: String,
    shift: f64,
    scale: Option<Variable>,
}

impl Layer for Scale {
    fn name(&self) -> &str {
        &self.name
    }
    fn class_name(&self) -> &'static str {
        "Scale"
    }
    fn built(&self) -> bool {
        self.scale.is_some()
    }
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> keraslike::Result<()> {
        let d = *input_shape.last().unwrap_or(&1);
        let ones = Tensor::ones(&[d], ctx.dtype, &ctx.device)?;
        self.scale = Some(Variable::new(format!("{}/scale", self.name), ones));
        Ok(())
    }
    fn call(&self, x: &Tensor, _training: bool) -> keraslike::Result<Tensor> {
        Ok(x.mul(self.scale.as_ref().expect("built"))?.affine(1.0, self.shift)?)
    }
    fn compute_output_shape(&self, input_shape: &[usize]) -> keraslike::Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }
    fn trainable_weights(&self) -> Vec<Variable> {
        self.scale.iter().cloned().collect()
    }
    fn get_config(&self) -> Value {
        json!({"name": self.name, "shift": self.shift})
    }
}

impl FromConfig for Scale {
    const CLASS_NAME: &'static str = "Scale";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(&[("shift", KerasOption::Used)]));
    fn from_config(c: &Value) -> keraslike::Result<Self> {
        Ok(Scale {
            name: c["name"].as_str().unwrap_or("scale").to_string(),
            shift: c["shift"].as_f64().unwrap_or(0.0),
            scale: None,
        })
    }
}

#[test]
fn a_registered_user_layer_round_trips_through_a_keras_file() {
    let model = sequential![
        Dense::new(2).input_shape(&[3]).name("d"),
        Scale {
            name: "s".into(),
            shift: 0.5,
            scale: None
        }
    ];
    let mut values: Vec<Tensor> = model.get_weights().unwrap();
    values[2] = Tensor::new(&[2.0f32, -3.0], &[2]).unwrap();
    model.set_weights(&values).unwrap();
    let x = Tensor::new(&[0.5f32, -1.0, 2.0, 1.0, 0.0, -0.5], &[2, 3]).unwrap();
    let want = model.predict(&x, Default::default()).unwrap().to_vec::<f32>().unwrap();
    // By hand: Dense, then * [2, -3] + 0.5.
    let (k, b) = (values[0].to_vec::<f32>().unwrap(), values[1].to_vec::<f32>().unwrap());
    let xs = x.to_vec::<f32>().unwrap();
    for r in 0..2 {
        for j in 0..2 {
            let dense: f32 = (0..3).map(|i| xs[r * 3 + i] * k[i * 2 + j]).sum::<f32>() + b[j];
            let s = [2.0f32, -3.0][j];
            assert!((want[r * 2 + j] - (dense * s + 0.5)).abs() < 1e-5);
        }
    }

    let dir = std::env::temp_dir().join(format!("kl_custom_keras_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("scaled.keras");
    model.save(&path).unwrap();

    // Not registered yet: refused, naming the class.
    let Err(e) = load_model(&path) else {
        panic!("an unregistered class is refused")
    };
    let e = e.to_string();
    assert!(e.contains("Scale") && e.contains("cannot load this layer class"), "{e}");
    assert!(!layer_classes().contains(&"Scale".to_string()));

    register::<Scale>();
    assert!(layer_classes().contains(&"Scale".to_string()));
    let back = load_model(&path).unwrap();
    let got = back.predict(&x, Default::default()).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(got, want);

    // An option the class does not declare is refused, naming it.
    let config = |extra: Value| {
        let mut scale = json!({"name": "s", "shift": 1.0});
        if let Value::Object(o) = extra {
            scale.as_object_mut().unwrap().extend(o);
        }
        json!({"class_name": "Sequential", "config": {"name": "m", "layers": [
            {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 3]}},
            {"class_name": "Scale", "config": scale}
        ]}})
    };
    check_model(&config(json!({}))).unwrap();
    let e = check_model(&config(json!({"factor": 3}))).unwrap_err().to_string();
    assert!(e.contains("\"factor\"") && e.contains("Scale"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
