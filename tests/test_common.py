"""scikit-learn's estimator checks, run over every estimator."""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    WindowMLPClassifier,
    WindowMLPRegressor,
)

# The test instances: small and quick, yet trained well enough to pass
# check_regressors_train (R^2 > 0.5) and check_classifiers_train (accuracy
# > 0.83) honestly. The one place where test settings differ from the defaults.
QUICK = dict(max_iter=100, learning_rate_init=1e-2, n_iter_no_change=10)
INSTANCES = [
    RNNRegressor(hidden_layer_sizes=(8,), **QUICK),
    LSTMRegressor(hidden_layer_sizes=(8,), **QUICK),
    GRURegressor(hidden_layer_sizes=(8,), **QUICK),
    WindowMLPRegressor(hidden_layer_sizes=(16,), **QUICK),
    RNNClassifier(hidden_layer_sizes=(8,), **QUICK),
    LSTMClassifier(hidden_layer_sizes=(8,), **QUICK),
    GRUClassifier(hidden_layer_sizes=(8,), **QUICK),
    WindowMLPClassifier(hidden_layer_sizes=(16,), **QUICK),
]

# One check is an expected failure, for every estimator:
# check_estimators_pickle. With the allow_nan tag (NaN is padding: whole
# steps before or after a sequence's real ones) it sets 10 random entries of
# X to NaN, some inside a sequence, which stays an error naming the sample
# and step. Pickling is tested in test_sequences.py and test_estimators.py
# instead, padded and list input included. Everything else passes, the
# classifier checks included; even check_sample_weight_equivalence_on_dense_data,
# which sklearn excuses for its own MLPRegressor, passes: its data fits in
# one minibatch of the 'auto' size, where an integer weight and a repeated
# sample give the same gradient.
EXPECTED_FAILED = {
    "check_estimators_pickle": "its random NaN lands inside sequences, where NaN is not "
    "padding and stays an error; pickling is tested in test_sequences.py",
}


@parametrize_with_checks(INSTANCES, expected_failed_checks=lambda estimator: EXPECTED_FAILED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", INSTANCES, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", INSTANCES, ids=lambda e: type(e).__name__)
def test_dataframe_column_names_consistency(estimator):
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)
