"""standardize=True: a per-feature scaler in front of the network, its inverse behind."""

import warnings

import numpy as np
import pytest
from _helpers import REGRESSORS
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skrnn import LSTMRegressor, RNNRegressor, WindowMLPRegressor, make_windows
from skrnn.datasets import load_airline

SMALL = dict(hidden_layer_sizes=(6,), max_iter=5, random_state=0)


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def levels():
    # Two features on scales far from 1, and two outputs: data nobody scaled.
    rng = np.random.RandomState(0)
    X = np.stack([400 + 60 * rng.normal(size=(80, 9)), 0.01 * rng.normal(size=(80, 9))], axis=2)
    Y = np.c_[3 * X[:, -1, 0] + 50, X[:, -2, 1] * 1e3]
    return X, Y


@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_the_network_sees_each_feature_standardised_over_samples_and_steps(Estimator, levels):
    # Standardising by hand with the model's statistics and fitting with
    # standardize=False trains the very same network.
    X, Y = levels
    sw = np.linspace(0.5, 2.0, len(X))
    model = Estimator(window=6, **SMALL).fit(X, Y, sample_weight=sw)
    steps = X[:, -6:].reshape(-1, 2)
    w = np.repeat(sw, 6)
    np.testing.assert_allclose(model.X_mean_, np.average(steps, axis=0, weights=w), rtol=1e-12)
    np.testing.assert_allclose(
        model.X_scale_, np.sqrt(np.cov(steps.T, aweights=w, bias=True).diagonal()), rtol=1e-12
    )
    np.testing.assert_allclose(model.y_mean_, np.average(Y, axis=0, weights=sw), rtol=1e-12)

    by_hand = Estimator(window=6, standardize=False, **SMALL).fit(
        (X - model.X_mean_) / model.X_scale_, (Y - model.y_mean_) / model.y_scale_,
        sample_weight=sw,
    )
    np.testing.assert_array_equal(model.params_, by_hand.params_)
    pred = by_hand.predict((X - model.X_mean_) / model.X_scale_) * model.y_scale_ + model.y_mean_
    np.testing.assert_allclose(model.predict(X), pred, rtol=1e-12)


@pytest.mark.parametrize("Estimator", REGRESSORS)
def test_units_of_the_data_do_not_change_the_model(Estimator, levels):
    X, Y = levels
    model = Estimator(**SMALL).fit(X, Y)
    rescaled = Estimator(**SMALL).fit(1000 * X - 7, 0.01 * Y + 3)
    np.testing.assert_allclose(rescaled.params_, model.params_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(rescaled.predict(1000 * X - 7), 0.01 * model.predict(X) + 3,
                               rtol=1e-6)


def test_statistics_are_frozen_at_the_first_fit(levels):
    X, Y = levels
    model = RNNRegressor(warm_start=True, **SMALL).fit(X, Y)
    stats = [a.copy() for a in (model.X_mean_, model.X_scale_, model.y_mean_, model.y_scale_)]
    model.fit(2 * X + 1, Y - 5)
    model.partial_fit(X[:10] - 100, Y[:10])
    for before, after in zip(stats, (model.X_mean_, model.X_scale_, model.y_mean_, model.y_scale_)):
        np.testing.assert_array_equal(before, after)
    refit = clone(model).set_params(warm_start=False).fit(2 * X + 1, Y)
    assert not np.allclose(refit.X_mean_, stats[0])


def test_standardize_false_keeps_no_statistics_and_the_data_as_given(levels):
    X, Y = levels
    model = LSTMRegressor(standardize=False, **SMALL).fit(X, Y)
    assert model.X_mean_ is None and model.X_scale_ is None
    assert model.y_mean_ is None and model.y_scale_ is None


def test_zero_weights_and_constant_features(levels):
    X, Y = levels
    X = X.copy()
    X[:, :, 1] = 5.0  # a constant feature is shifted, not divided by zero
    sw = np.ones(len(X))
    sw[:20] = 0.0
    model = WindowMLPRegressor(**SMALL).fit(X, Y, sample_weight=sw)
    kept = WindowMLPRegressor(**SMALL).fit(X[20:], Y[20:])
    np.testing.assert_allclose(model.X_mean_, kept.X_mean_, rtol=1e-12)
    assert model.X_mean_[1] == 5.0 and model.X_scale_[1] == 1.0
    assert np.isfinite(model.predict(X)).all()


def test_switching_standardize_before_a_warm_start_is_an_error(levels):
    X, Y = levels
    model = RNNRegressor(warm_start=True, **SMALL).fit(X, Y)
    params = model.params_.copy()
    model.set_params(standardize=False)
    message = "standardize=False differs from the fitted model's standardize=True"
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y)
    with pytest.raises(ValueError, match=message):
        model.partial_fit(X, Y)
    np.testing.assert_array_equal(model.params_, params)


def test_float32_models_keep_float32_statistics(levels):
    X, Y = levels
    model = LSTMRegressor(**SMALL).fit(X.astype(np.float32), Y)
    assert model.X_mean_.dtype == model.y_scale_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32


def test_a_target_scaler_around_the_model_changes_nothing(levels):
    X, Y = levels
    bare = RNNRegressor(**SMALL).fit(X, Y)
    wrapped = TransformedTargetRegressor(RNNRegressor(**SMALL), transformer=StandardScaler())
    wrapped.fit(X, Y)
    np.testing.assert_allclose(wrapped.predict(X), bare.predict(X), rtol=1e-6)


def test_airline_levels_train_without_a_pipeline():
    # The bare estimator on passenger numbers in the hundreds: standardising
    # inside the estimator is what makes it forecast at all.
    X, y = make_windows(load_airline(), window=24)
    errors = {}
    for standardize in (True, False):
        model = RNNRegressor(standardize=standardize, random_state=0).fit(X[:-24], y[:-24])
        errors[standardize] = np.sqrt(np.mean((model.predict(X[-24:]) - y[-24:]) ** 2))
    assert errors[True] < 100 < 0.25 * errors[False]
