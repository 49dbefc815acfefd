//! scikit-learn's `MLPClassifier` and `MLPRegressor` (placeholder: filled by the estimator work).
