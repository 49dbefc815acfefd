//! Cross-validation splitters: [`KFold`] and [`StratifiedKFold`], and
//! [`Cv`], the `cv=` argument of `cross_val_score` and `GridSearchCV`.
//!
//! Without shuffling both give exactly scikit-learn's folds (the test
//! folds in order, sizes `n // k` plus one for the first `n % k`;
//! stratified folds allocate each class round-robin over its sorted
//! samples and assign them in blocks, classes numbered by first
//! appearance). With `shuffle` the permutation comes from tensorlow's
//! generator (seeded by `random_state`), not numpy's.
//!
//! ```
//! use sklearnlike::model_selection::{KFold, StratifiedKFold};
//! # fn main() -> sklearnlike::Result<()> {
//! let folds = KFold::new(3).split(7)?;
//! assert_eq!(folds[0], (vec![3, 4, 5, 6], vec![0, 1, 2]));
//! assert_eq!(folds[2].1, vec![5, 6]);
//! let y = [0, 0, 0, 1, 1, 1];
//! let folds = StratifiedKFold::new(3).split(&y)?;
//! assert_eq!(folds[0].1, vec![0, 3]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};
use tensorlow::random::Generator;

/// Train and test row indices of one fold.
pub type Fold = (Vec<usize>, Vec<usize>);

fn check_splits(n_splits: usize, n: usize) -> Result<()> {
    if n_splits < 2 {
        return Err(Error::param(format!(
            "k-fold cross-validation requires at least one train/test split by setting n_splits=2 or more, \
             got n_splits={n_splits}"
        )));
    }
    if n_splits > n {
        return Err(Error::param(format!(
            "Cannot have number of splits n_splits={n_splits} greater than the number of samples: n_samples={n}"
        )));
    }
    Ok(())
}

fn rng(random_state: Option<u64>) -> Generator {
    random_state.map_or_else(Generator::from_entropy, Generator::from_seed)
}

/// Train rows (all not in `test`, ascending) and sorted test rows.
fn fold_from_mask(n: usize, is_test: &[bool]) -> Fold {
    let test = (0..n).filter(|&i| is_test[i]).collect();
    let train = (0..n).filter(|&i| !is_test[i]).collect();
    (train, test)
}

/// `KFold(n_splits, shuffle, random_state)`: consecutive folds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KFold {
    /// Number of folds (at least 2; default 5).
    pub n_splits: usize,
    /// Shuffle the rows before cutting the folds.
    pub shuffle: bool,
    /// The shuffle's seed; `None` draws fresh entropy.
    pub random_state: Option<u64>,
}

impl Default for KFold {
    fn default() -> Self {
        KFold::new(5)
    }
}

impl KFold {
    /// `n_splits` folds without shuffling.
    pub fn new(n_splits: usize) -> Self {
        KFold {
            n_splits,
            shuffle: false,
            random_state: None,
        }
    }

    /// Shuffles with seed `random_state` (builder style).
    pub fn shuffled(mut self, random_state: u64) -> Self {
        self.shuffle = true;
        self.random_state = Some(random_state);
        self
    }

    /// The folds of `n_samples` rows.
    pub fn split(&self, n_samples: usize) -> Result<Vec<Fold>> {
        check_splits(self.n_splits, n_samples)?;
        let mut idx: Vec<usize> = (0..n_samples).collect();
        if self.shuffle {
            rng(self.random_state).shuffle(&mut idx);
        }
        let k = self.n_splits;
        let mut folds = Vec::with_capacity(k);
        let mut start = 0;
        for f in 0..k {
            let size = n_samples / k + usize::from(f < n_samples % k);
            let mut is_test = vec![false; n_samples];
            for &i in &idx[start..start + size] {
                is_test[i] = true;
            }
            folds.push(fold_from_mask(n_samples, &is_test));
            start += size;
        }
        Ok(folds)
    }
}

/// `StratifiedKFold(n_splits, shuffle, random_state)`: folds that keep the
/// class proportions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StratifiedKFold {
    /// Number of folds (at least 2; default 5).
    pub n_splits: usize,
    /// Shuffle each class's fold assignment.
    pub shuffle: bool,
    /// The shuffle's seed; `None` draws fresh entropy.
    pub random_state: Option<u64>,
}

impl Default for StratifiedKFold {
    fn default() -> Self {
        StratifiedKFold::new(5)
    }
}

impl StratifiedKFold {
    /// `n_splits` folds without shuffling.
    pub fn new(n_splits: usize) -> Self {
        StratifiedKFold {
            n_splits,
            shuffle: false,
            random_state: None,
        }
    }

    /// Shuffles with seed `random_state` (builder style).
    pub fn shuffled(mut self, random_state: u64) -> Self {
        self.shuffle = true;
        self.random_state = Some(random_state);
        self
    }

    /// The folds for labels `y` (scikit-learn's `_make_test_folds`).
    pub fn split<L: Ord>(&self, y: &[L]) -> Result<Vec<Fold>> {
        let n = y.len();
        check_splits(self.n_splits, n)?;
        let k = self.n_splits;
        // Classes numbered by first appearance.
        let mut sorted: Vec<&L> = y.iter().collect();
        sorted.sort();
        sorted.dedup();
        let mut first_seen = vec![usize::MAX; sorted.len()];
        let lex: Vec<usize> = y.iter().map(|l| sorted.binary_search(&l).expect("own label")).collect();
        for (i, &c) in lex.iter().enumerate() {
            first_seen[c] = first_seen[c].min(i);
        }
        let mut by_appearance: Vec<usize> = (0..sorted.len()).collect();
        by_appearance.sort_by_key(|&c| first_seen[c]);
        let mut code = vec![0; sorted.len()];
        for (new, &old) in by_appearance.iter().enumerate() {
            code[old] = new;
        }
        let encoded: Vec<usize> = lex.iter().map(|&c| code[c]).collect();
        let n_classes = sorted.len();
        let mut counts = vec![0usize; n_classes];
        for &c in &encoded {
            counts[c] += 1;
        }
        if counts.iter().all(|&c| k > c) {
            return Err(Error::param(format!(
                "n_splits={k} cannot be greater than the number of members in each class ({counts:?})"
            )));
        }
        let least = counts.iter().copied().min().unwrap_or(0);
        if k > least {
            eprintln!(
                "UserWarning: The least populated class in y has only {least} members, which is less than n_splits={k}."
            );
        }
        // allocation[f][c]: samples of class c in test fold f (round robin
        // over the samples sorted by class).
        let mut order = encoded.clone();
        order.sort();
        let mut allocation = vec![vec![0usize; n_classes]; k];
        for (i, &c) in order.iter().enumerate() {
            allocation[i % k][c] += 1;
        }
        let mut g = rng(self.random_state);
        let mut test_fold = vec![0usize; n];
        for c in 0..n_classes {
            let mut folds_for_class: Vec<usize> = allocation
                .iter()
                .enumerate()
                .flat_map(|(f, per_class)| std::iter::repeat_n(f, per_class[c]))
                .collect();
            if self.shuffle {
                g.shuffle(&mut folds_for_class);
            }
            let mut it = folds_for_class.into_iter();
            for (i, &e) in encoded.iter().enumerate() {
                if e == c {
                    test_fold[i] = it.next().expect("one fold per sample of the class");
                }
            }
        }
        Ok((0..k)
            .map(|f| {
                let is_test: Vec<bool> = test_fold.iter().map(|&t| t == f).collect();
                fold_from_mask(n, &is_test)
            })
            .collect())
    }
}

/// The `cv=` argument: a number of folds (stratified for classifiers,
/// plain `KFold` for regressors, as scikit-learn's `cv=int`), a splitter,
/// or explicit `(train, test)` index pairs.
#[derive(Clone, Debug, PartialEq)]
pub enum Cv {
    /// `cv=k`.
    Folds(usize),
    /// A `KFold`.
    KFold(KFold),
    /// A `StratifiedKFold` (classification targets only).
    Stratified(StratifiedKFold),
    /// Explicit folds, e.g. another library's indices.
    Explicit(Vec<Fold>),
}

impl From<usize> for Cv {
    fn from(k: usize) -> Self {
        Cv::Folds(k)
    }
}
impl From<KFold> for Cv {
    fn from(k: KFold) -> Self {
        Cv::KFold(k)
    }
}
impl From<StratifiedKFold> for Cv {
    fn from(k: StratifiedKFold) -> Self {
        Cv::Stratified(k)
    }
}
impl From<Vec<Fold>> for Cv {
    fn from(f: Vec<Fold>) -> Self {
        Cv::Explicit(f)
    }
}

impl Cv {
    /// The folds for `n` samples; `class_codes` are the targets' classes
    /// (`None` for regression targets).
    pub fn folds(&self, n: usize, class_codes: Option<&[usize]>) -> Result<Vec<Fold>> {
        match self {
            Cv::Folds(k) => match class_codes {
                Some(c) => StratifiedKFold::new(*k).split(c),
                None => KFold::new(*k).split(n),
            },
            Cv::KFold(k) => k.split(n),
            Cv::Stratified(s) => {
                let c =
                    class_codes.ok_or_else(|| Error::param("StratifiedKFold needs classification targets (labels)"))?;
                s.split(c)
            }
            Cv::Explicit(folds) => {
                if folds.is_empty() {
                    return Err(Error::param("cv: the list of folds is empty"));
                }
                for (f, (train, test)) in folds.iter().enumerate() {
                    if let Some(&i) = train.iter().chain(test).find(|&&i| i >= n) {
                        return Err(Error::shape(format!(
                            "cv: fold {f} uses row {i} but there are {n} samples"
                        )));
                    }
                    if train.is_empty() || test.is_empty() {
                        return Err(Error::param(format!("cv: fold {f} has an empty train or test part")));
                    }
                }
                Ok(folds.clone())
            }
        }
    }
}
