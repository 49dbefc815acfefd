//! The hyper-parameters of `MLPClassifier` / `MLPRegressor`, with
//! scikit-learn's names and defaults.
//!
//! ```
//! use sklearnlike::neural_network::{Activation, MlpOptions, Solver};
//! # fn main() -> sklearnlike::Result<()> {
//! let o = MlpOptions::default()
//!     .hidden_layer_sizes(&[5])
//!     .activation(Activation::Logistic)
//!     .learning_rate_init(0.01)
//!     .batch_size(10)
//!     .max_iter(1000);
//! assert_eq!(o.solver, Solver::Adam);
//! let mut p = MlpOptions::default();
//! p.set_param("activation", "tanh")?;        // as sklearn's set_params / a CLI flag
//! assert_eq!(p.activation, "tanh".parse()?);
//! assert!(p.set_param("solver", "newton").is_err());
//! # Ok(()) }
//! ```

use crate::param::{unknown_param, Param, Params};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use tensorlow::DType;

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $s)] $variant),+
        }
        impl $name {
            /// scikit-learn's name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(Error::param(format!(
                        "unknown {} {s:?}; expected one of {:?}", $what, [$($s),+]
                    ))),
                }
            }
        }
    };
}

named_enum!(
    /// The hidden layers' activation (`activation`).
    Activation, "activation", {
        /// `f(x) = x`.
        Identity = "identity",
        /// `f(x) = 1 / (1 + exp(-x))`.
        Logistic = "logistic",
        /// `f(x) = tanh(x)`.
        Tanh = "tanh",
        /// `f(x) = max(0, x)` (the default).
        Relu = "relu",
    }
);

named_enum!(
    /// The weight optimizer (`solver`).
    Solver, "solver", {
        /// Full-batch L-BFGS (see [`tensorlow::optimize::lbfgs`]).
        Lbfgs = "lbfgs",
        /// Minibatch SGD with (Nesterov) momentum.
        Sgd = "sgd",
        /// Minibatch Adam (the default).
        Adam = "adam",
    }
);

named_enum!(
    /// The step-size schedule of `solver = "sgd"` (`learning_rate`).
    LearningRate, "learning_rate", {
        /// `learning_rate_init` throughout (the default).
        Constant = "constant",
        /// `learning_rate_init / (t + 1)^power_t` after each epoch, `t` = samples seen.
        Invscaling = "invscaling",
        /// Divided by 5 each time `n_iter_no_change` epochs fail to improve by `tol`.
        Adaptive = "adaptive",
    }
);

named_enum!(
    /// The output layer's activation (`out_activation_`).
    OutActivation, "out_activation", {
        /// Regression.
        Identity = "identity",
        /// Binary and multilabel classification.
        Logistic = "logistic",
        /// Multiclass classification.
        Softmax = "softmax",
        /// Regression with `loss="poisson"` (the log link).
        Exp = "exp",
    }
);

named_enum!(
    /// `MLPRegressor`'s `loss` (scikit-learn 1.7+).
    Loss, "loss", {
        /// Half the squared error (the default), identity output.
        SquaredError = "squared_error",
        /// Half the Poisson deviance with an exponential output (`y >= 0`).
        Poisson = "poisson",
    }
);

/// The constructor parameters of `MLPClassifier` and `MLPRegressor`, named
/// and defaulted as in scikit-learn 1.9. Build with `Default` and the
/// builder methods, or set by name with [`MlpOptions::set_param`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpOptions {
    /// Units of each hidden layer (default `[100]`).
    pub hidden_layer_sizes: Vec<usize>,
    /// Hidden activation (default relu).
    pub activation: Activation,
    /// Optimizer (default adam).
    pub solver: Solver,
    /// L2 penalty strength (default 1e-4), divided by the batch size in the loss.
    pub alpha: f64,
    /// Minibatch size; `None` is `"auto"` = `min(200, n_samples)`.
    pub batch_size: Option<usize>,
    /// Step-size schedule for sgd (default constant).
    pub learning_rate: LearningRate,
    /// Initial step size for sgd and adam (default 1e-3).
    pub learning_rate_init: f64,
    /// Exponent of the invscaling schedule (default 0.5).
    pub power_t: f64,
    /// Epochs for sgd/adam, iterations for lbfgs (default 200).
    pub max_iter: usize,
    /// Shuffle the samples each epoch (default true).
    pub shuffle: bool,
    /// Seed for weight init, shuffling and the early-stopping split; `None`
    /// draws fresh entropy (sklearn's `random_state=None`).
    pub random_state: Option<u64>,
    /// Improvement threshold for convergence (default 1e-4); lbfgs's `gtol`.
    pub tol: f64,
    /// Print the loss each epoch.
    pub verbose: bool,
    /// Continue from the previous fit's weights (default false).
    pub warm_start: bool,
    /// SGD momentum (default 0.9).
    pub momentum: f64,
    /// Nesterov momentum for sgd (default true).
    pub nesterovs_momentum: bool,
    /// Hold out `validation_fraction` and stop on its score (default false).
    pub early_stopping: bool,
    /// Held-out share for early stopping (default 0.1).
    pub validation_fraction: f64,
    /// Adam's first-moment decay (default 0.9).
    pub beta_1: f64,
    /// Adam's second-moment decay (default 0.999).
    pub beta_2: f64,
    /// Adam's epsilon (default 1e-8).
    pub epsilon: f64,
    /// Epochs without improvement before stopping (default 10).
    pub n_iter_no_change: usize,
    /// lbfgs's maximum number of loss evaluations (default 15000).
    pub max_fun: usize,
    /// Extension (not in sklearn): the network's float type. `None` picks
    /// `F32` for sgd/adam (fast; sklearn also trains in float32 when given
    /// float32 data) and `F64` for lbfgs, whose line search needs more than
    /// float32's 7 digits to see relative decreases of 1e-9.
    #[serde(default, with = "dtype_serde")]
    pub dtype: Option<DType>,
}

mod dtype_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use tensorlow::DType;
    pub fn serialize<S: Serializer>(d: &Option<DType>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(d.name()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DType>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| super::parse_dtype(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// The name `parse_dtype` reads back.
pub(crate) fn dtype_name(d: DType) -> &'static str {
    match d {
        DType::F64 => "float64",
        _ => "float32",
    }
}

pub(crate) fn parse_dtype(s: &str) -> Result<DType> {
    match s {
        "float32" | "f32" => Ok(DType::F32),
        "float64" | "f64" => Ok(DType::F64),
        _ => Err(Error::param(format!(
            "dtype must be \"float32\" or \"float64\", got {s:?}"
        ))),
    }
}

impl Default for MlpOptions {
    fn default() -> Self {
        MlpOptions {
            hidden_layer_sizes: vec![100],
            activation: Activation::Relu,
            solver: Solver::Adam,
            alpha: 1e-4,
            batch_size: None,
            learning_rate: LearningRate::Constant,
            learning_rate_init: 1e-3,
            power_t: 0.5,
            max_iter: 200,
            shuffle: true,
            random_state: None,
            tol: 1e-4,
            verbose: false,
            warm_start: false,
            momentum: 0.9,
            nesterovs_momentum: true,
            early_stopping: false,
            validation_fraction: 0.1,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            n_iter_no_change: 10,
            max_fun: 15000,
            dtype: None,
        }
    }
}

macro_rules! builders {
    ($($(#[$doc:meta])* $name:ident: $t:ty),+ $(,)?) => {
        $( $(#[$doc])* pub fn $name(mut self, v: $t) -> Self { self.$name = v.into(); self } )+
    };
}

impl MlpOptions {
    builders!(
        /// Sets `activation`.
        activation: Activation,
        /// Sets `solver`.
        solver: Solver,
        /// Sets `alpha`.
        alpha: f64,
        /// Sets `learning_rate` (the schedule).
        learning_rate: LearningRate,
        /// Sets `learning_rate_init`.
        learning_rate_init: f64,
        /// Sets `power_t`.
        power_t: f64,
        /// Sets `max_iter`.
        max_iter: usize,
        /// Sets `shuffle`.
        shuffle: bool,
        /// Sets `tol`.
        tol: f64,
        /// Sets `verbose`.
        verbose: bool,
        /// Sets `warm_start`.
        warm_start: bool,
        /// Sets `momentum`.
        momentum: f64,
        /// Sets `nesterovs_momentum`.
        nesterovs_momentum: bool,
        /// Sets `early_stopping`.
        early_stopping: bool,
        /// Sets `validation_fraction`.
        validation_fraction: f64,
        /// Sets `beta_1`.
        beta_1: f64,
        /// Sets `beta_2`.
        beta_2: f64,
        /// Sets `epsilon`.
        epsilon: f64,
        /// Sets `n_iter_no_change`.
        n_iter_no_change: usize,
        /// Sets `max_fun`.
        max_fun: usize,
    );

    /// Sets `hidden_layer_sizes`.
    pub fn hidden_layer_sizes(mut self, sizes: &[usize]) -> Self {
        self.hidden_layer_sizes = sizes.to_vec();
        self
    }
    /// Sets a fixed `batch_size` (the default `None` is `"auto"`).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n);
        self
    }
    /// Sets `random_state`.
    pub fn random_state(mut self, seed: u64) -> Self {
        self.random_state = Some(seed);
        self
    }
    /// Sets the network's float type (`F32` or `F64`).
    pub fn dtype(mut self, dtype: DType) -> Self {
        self.dtype = Some(dtype);
        self
    }

    /// The float type training uses (see [`MlpOptions::dtype`]).
    pub fn effective_dtype(&self) -> DType {
        self.dtype.unwrap_or(match self.solver {
            Solver::Lbfgs => DType::F64,
            _ => DType::F32,
        })
    }

    /// The parameter names, sorted (`MLPClassifier().get_params().keys()`,
    /// plus this crate's `dtype`).
    pub const PARAM_NAMES: [&'static str; 24] = [
        "activation",
        "alpha",
        "batch_size",
        "beta_1",
        "beta_2",
        "dtype",
        "early_stopping",
        "epsilon",
        "hidden_layer_sizes",
        "learning_rate",
        "learning_rate_init",
        "max_fun",
        "max_iter",
        "momentum",
        "n_iter_no_change",
        "nesterovs_momentum",
        "power_t",
        "random_state",
        "shuffle",
        "solver",
        "tol",
        "validation_fraction",
        "verbose",
        "warm_start",
    ];

    /// Every parameter by scikit-learn name (`get_params()`); `batch_size`
    /// is `'auto'` or an integer, `dtype` is `None` (automatic) or a name.
    pub fn get_params(&self) -> Params {
        let mut p = Params::new();
        p.insert("activation", self.activation.as_str());
        p.insert("alpha", self.alpha);
        p.insert("batch_size", self.batch_size.map_or(Param::from("auto"), Param::from));
        p.insert("beta_1", self.beta_1);
        p.insert("beta_2", self.beta_2);
        p.insert("dtype", self.dtype.map(|d| dtype_name(d).to_string()));
        p.insert("early_stopping", self.early_stopping);
        p.insert("epsilon", self.epsilon);
        p.insert("hidden_layer_sizes", self.hidden_layer_sizes.clone());
        p.insert("learning_rate", self.learning_rate.as_str());
        p.insert("learning_rate_init", self.learning_rate_init);
        p.insert("max_fun", self.max_fun);
        p.insert("max_iter", self.max_iter);
        p.insert("momentum", self.momentum);
        p.insert("n_iter_no_change", self.n_iter_no_change);
        p.insert("nesterovs_momentum", self.nesterovs_momentum);
        p.insert("power_t", self.power_t);
        p.insert("random_state", self.random_state);
        p.insert("shuffle", self.shuffle);
        p.insert("solver", self.solver.as_str());
        p.insert("tol", self.tol);
        p.insert("validation_fraction", self.validation_fraction);
        p.insert("verbose", self.verbose);
        p.insert("warm_start", self.warm_start);
        p
    }

    /// Sets one parameter by its scikit-learn name (`set_params(name=value)`).
    /// `estimator` names the class in the error for an unknown name.
    pub fn set(&mut self, name: &str, value: Param, estimator: &str) -> Result<()> {
        let v = &value;
        match name {
            "hidden_layer_sizes" => self.hidden_layer_sizes = v.to_sizes(name)?,
            "activation" => self.activation = v.to_text(name)?.parse()?,
            "solver" => self.solver = v.to_text(name)?.parse()?,
            "alpha" => self.alpha = v.to_f64(name)?,
            "batch_size" => {
                self.batch_size = match v {
                    Param::Str(s) if s.trim() == "auto" => None,
                    _ => Some(v.to_usize(name)?),
                }
            }
            "learning_rate" => self.learning_rate = v.to_text(name)?.parse()?,
            "learning_rate_init" => self.learning_rate_init = v.to_f64(name)?,
            "power_t" => self.power_t = v.to_f64(name)?,
            "max_iter" => self.max_iter = v.to_usize(name)?,
            "shuffle" => self.shuffle = v.to_bool(name)?,
            "random_state" => self.random_state = v.to_opt_u64(name)?,
            "tol" => self.tol = v.to_f64(name)?,
            "verbose" => self.verbose = v.to_bool(name)?,
            "warm_start" => self.warm_start = v.to_bool(name)?,
            "momentum" => self.momentum = v.to_f64(name)?,
            "nesterovs_momentum" => self.nesterovs_momentum = v.to_bool(name)?,
            "early_stopping" => self.early_stopping = v.to_bool(name)?,
            "validation_fraction" => self.validation_fraction = v.to_f64(name)?,
            "beta_1" => self.beta_1 = v.to_f64(name)?,
            "beta_2" => self.beta_2 = v.to_f64(name)?,
            "epsilon" => self.epsilon = v.to_f64(name)?,
            "n_iter_no_change" => self.n_iter_no_change = v.to_usize(name)?,
            "max_fun" => self.max_fun = v.to_usize(name)?,
            "dtype" => {
                self.dtype = match v {
                    Param::None => None,
                    Param::Str(s) if s.trim().eq_ignore_ascii_case("none") => None,
                    _ => Some(parse_dtype(&v.to_text(name)?)?),
                }
            }
            _ => return Err(unknown_param(estimator, name, &Self::PARAM_NAMES)),
        }
        Ok(())
    }

    /// Sets one parameter by its scikit-learn name from text, like a
    /// command-line flag: `("hidden_layer_sizes", "50,20")`,
    /// `("batch_size", "auto")`, `("random_state", "none")`.
    pub fn set_param(&mut self, name: &str, value: &str) -> Result<()> {
        self.set(name, Param::Str(value.to_string()), "MLPClassifier")
    }

    /// Checks every value's range, as sklearn's parameter validation does.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::param(m));
        if self.hidden_layer_sizes.contains(&0) {
            return bad(format!(
                "hidden_layer_sizes must be > 0, got {:?}",
                self.hidden_layer_sizes
            ));
        }
        let checks: [(&str, f64, bool); 9] = [
            ("alpha", self.alpha, self.alpha >= 0.0),
            (
                "learning_rate_init",
                self.learning_rate_init,
                self.learning_rate_init > 0.0,
            ),
            ("momentum", self.momentum, (0.0..=1.0).contains(&self.momentum)),
            (
                "validation_fraction",
                self.validation_fraction,
                self.validation_fraction > 0.0 && self.validation_fraction < 1.0,
            ),
            ("beta_1", self.beta_1, (0.0..1.0).contains(&self.beta_1)),
            ("beta_2", self.beta_2, (0.0..1.0).contains(&self.beta_2)),
            ("epsilon", self.epsilon, self.epsilon > 0.0),
            ("tol", self.tol, self.tol >= 0.0),
            ("power_t", self.power_t, self.power_t.is_finite()),
        ];
        for (name, v, ok) in checks {
            if !ok || v.is_nan() {
                return bad(format!("{name} = {v} is out of range (see the MlpOptions docs)"));
            }
        }
        for (name, v) in [
            ("max_iter", self.max_iter),
            ("n_iter_no_change", self.n_iter_no_change),
            ("max_fun", self.max_fun),
            ("batch_size", self.batch_size.unwrap_or(1)),
        ] {
            if v == 0 {
                return bad(format!("{name} must be at least 1, got 0"));
            }
        }
        if let Some(d) = self.dtype {
            if d != DType::F32 && d != DType::F64 {
                return bad(format!("dtype must be float32 or float64, got {d:?}"));
            }
        }
        Ok(())
    }
}
