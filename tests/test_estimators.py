"""Behaviour of the estimators: training loop, attributes, persistence."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from _helpers import REGRESSORS
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

import skrnn
from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, WindowMLPRegressor, make_windows
from skrnn._kernels import train

SMALL = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    series = np.sin(np.arange(200) / 4) + 0.1 * rng.normal(size=200)
    return make_windows(series, window=10)


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module", params=REGRESSORS, ids=lambda c: c.__name__)
def fitted(request, data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return request.param(**SMALL).fit(X, y)


def test_same_random_state_gives_identical_models(fitted, data):
    X, y = data
    again = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(again.params_, fitted.params_)
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    other = clone(fitted).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(other.params_, fitted.params_)


def test_pickle_round_trip_predicts_identically(fitted, data):
    X, _ = data
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert restored.loss_curve_ == fitted.loss_curve_


def test_pickle_from_another_version_warns(fitted):
    state = fitted.__getstate__()
    state["_skrnn_version"] = "0.0.1"
    blank = type(fitted).__new__(type(fitted))
    with pytest.warns(skrnn.InconsistentVersionWarning, match="from skrnn version 0.0.1"):
        blank.__setstate__(state)


def test_pickles_name_the_public_class_and_those_naming_the_private_module_load(
        fitted, data, monkeypatch):
    X, _ = data
    blob = pickle.dumps(fitted)
    assert b"skrnn._" not in blob  # no private class or module anywhere in it
    # Pickles written before the classes carried their public path.
    private = {"RNNRegressor": "skrnn._rnn", "LSTMRegressor": "skrnn._lstm",
               "GRURegressor": "skrnn._gru", "WindowMLPRegressor": "skrnn._mlp"}
    monkeypatch.setattr(type(fitted), "__module__", private[type(fitted).__name__])
    old = pickle.dumps(fitted)
    monkeypatch.undo()
    assert private[type(fitted).__name__].encode() in old
    np.testing.assert_array_equal(pickle.loads(old).predict(X), fitted.predict(X))


def test_fitted_attributes(fitted, data):
    X, y = data
    n_iter = fitted.n_iter_
    assert 1 <= n_iter <= 20
    assert len(fitted.loss_curve_) == len(fitted.grad_norm_curve_) == n_iter
    assert fitted.t_ == n_iter * len(X)
    assert fitted.loss_ == fitted.loss_curve_[-1]
    assert fitted.best_loss_ == min(fitted.loss_curve_)
    assert fitted.validation_scores_ is None and fitted.best_validation_score_ is None
    assert np.all(np.isfinite(fitted.grad_norm_curve_)) and min(fitted.grad_norm_curve_) > 0
    assert fitted.n_features_in_ == 10 and fitted.n_sequence_features_ == 1
    assert fitted.n_outputs_ == 1
    weights = fitted.weights_
    assert sum(w.size for w in weights.values()) == fitted.params_.size
    assert weights["output.W"].shape == (8, 1)
    assert np.shares_memory(weights["output.W"], fitted.params_)


def test_lstm_weights_follow_the_documented_layout(data):
    X, y = data
    model = LSTMRegressor(hidden_layer_sizes=(8, 4), max_iter=1, random_state=0).fit(X, y)
    w = model.weights_
    assert w["layer0.W_ih"].shape == (1, 32) and w["layer0.W_hh"].shape == (8, 32)
    assert w["layer1.W_ih"].shape == (8, 16) and w["layer1.b"].shape == (16,)
    # The forget-gate bias (the second block of 4) starts at 1, the other
    # biases at 0; one short epoch moves them only a little.
    b = w["layer1.b"]
    assert np.all(np.abs(b[4:8] - 1) < 0.1) and np.all(np.abs(b[:4]) < 0.1)


def test_gru_weights_follow_the_documented_layout(data):
    X, y = data
    model = GRURegressor(hidden_layer_sizes=(8, 4), max_iter=1, random_state=0).fit(X, y)
    w = model.weights_
    assert w["layer0.W_ih"].shape == (1, 24) and w["layer0.W_hh"].shape == (8, 24)
    assert w["layer1.W_ih"].shape == (8, 12) and w["layer1.W_hh"].shape == (4, 12)
    # Two bias vectors, as in PyTorch (b_hn acts inside the reset product),
    # both starting at zero; one short epoch moves them only a little.
    assert w["layer1.b_ih"].shape == w["layer1.b_hh"].shape == (12,)
    assert "layer1.b" not in w
    assert np.all(np.abs(w["layer1.b_ih"]) < 0.1) and np.all(np.abs(w["layer1.b_hh"]) < 0.1)
    unfitted = GRURegressor(hidden_layer_sizes=(8, 4), max_iter=1, learning_rate_init=1e-12,
                            random_state=0).fit(X, y).weights_
    # Recurrent weights start orthogonal: W_hh (H, 3H) has orthonormal rows.
    W_hh = unfitted["layer0.W_hh"]
    np.testing.assert_allclose(W_hh @ W_hh.T, np.eye(8), atol=1e-9)


def test_predict_shape_follows_y(data):
    X, y = data
    Y2 = np.column_stack([y, 2 * y])
    for target, shape in [(y, (len(y),)), (y[:, None], (len(y), 1)), (Y2, (len(y), 2))]:
        model = RNNRegressor(**SMALL).fit(X, target)
        assert model.predict(X).shape == shape
        assert model.n_outputs_ == (1 if target.ndim == 1 else target.shape[1])


def test_float32_input_stays_float32_inside(data):
    X, y = data
    model = LSTMRegressor(**SMALL).fit(X.astype(np.float32), y)
    assert model.params_.dtype == np.float32
    assert model.predict(X).dtype == np.float32
    # The float32 specialisation of the LSTM's training kernel was compiled and used.
    assert any("LSTM" in str(sig) and "float32" in str(sig) for sig in train.train_epoch.signatures)
    model64 = LSTMRegressor(**SMALL).fit(X, y)
    assert model64.params_.dtype == np.float64
    np.testing.assert_allclose(model.predict(X), model64.predict(X), atol=2e-3)


def test_window_uses_only_the_last_steps(data):
    X, y = data
    for Estimator in REGRESSORS:
        windowed = Estimator(window=4, **SMALL).fit(X, y)
        cut = Estimator(**SMALL).fit(X[:, -4:], y)
        np.testing.assert_array_equal(windowed.params_, cut.params_)
        np.testing.assert_array_equal(windowed.predict(X), cut.predict(X[:, -4:]))


def test_window_changed_after_fit_does_not_change_predictions(data):
    X, y = data
    model = RNNRegressor(window=4, **SMALL).fit(X, y)
    before = model.predict(X)
    model.set_params(window=None)
    np.testing.assert_array_equal(model.predict(X), before)


def test_3d_input_and_dataframe_input(data):
    X, y = data
    X3 = np.stack([X, X**2], axis=2)
    model = LSTMRegressor(**SMALL).fit(X3, y)
    assert model.n_sequence_features_ == 2 and model.n_features_in_ == 10
    assert model.predict(X3).shape == y.shape
    frame = pd.DataFrame(X, columns=[f"lag{k}" for k in range(10, 0, -1)])
    model = RNNRegressor(**SMALL).fit(frame, pd.Series(y))
    assert list(model.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = model.predict(X)
    np.testing.assert_array_equal(model.predict(frame), from_array)


def test_bptt_steps_at_least_the_sequence_length_is_full_bptt(data):
    X, y = data
    full = RNNRegressor(**SMALL).fit(X, y)
    long = RNNRegressor(bptt_steps=10, **SMALL).fit(X, y)
    short = RNNRegressor(bptt_steps=2, **SMALL).fit(X, y)
    np.testing.assert_array_equal(full.params_, long.params_)
    assert not np.array_equal(full.params_, short.params_)


def test_max_grad_norm_clips_the_update():
    # Plain SGD without momentum moves the weights by exactly lr * gradient,
    # so after clipping the step has norm lr * max_grad_norm.
    rng = np.random.RandomState(0)
    X, y = 10 * rng.normal(size=(16, 6)), 10 * rng.normal(size=16)
    kw = dict(solver="sgd", momentum=0.0, learning_rate_init=0.01, batch_size=16,
              hidden_layer_sizes=(4,), random_state=0)
    start = RNNRegressor(max_iter=1, **kw).fit(X, y)
    model = RNNRegressor(max_grad_norm=0.5, **kw)
    model.partial_fit(X, y)
    step = np.linalg.norm(model.params_ - RNNRegressor(**kw).partial_fit(X, y).params_)
    assert step > 0
    init = model.params_.copy()
    model.partial_fit(X, y)
    assert model.grad_norm_curve_[-1] > 0.5
    assert np.linalg.norm(model.params_ - init) == pytest.approx(0.01 * 0.5, rel=1e-6)
    assert start.grad_norm_curve_[0] > 0.5


def test_alpha_shrinks_the_weights(data):
    X, y = data
    plain = RNNRegressor(**SMALL).fit(X, y)
    ridge = RNNRegressor(alpha=10.0, **SMALL).fit(X, y)
    assert np.linalg.norm(ridge.weights_["layer0.W_hh"]) < np.linalg.norm(
        plain.weights_["layer0.W_hh"]
    )


def test_sgd_and_nesterov_train(data):
    X, y = data
    for nesterov in [True, False]:
        model = WindowMLPRegressor(
            solver="sgd", nesterovs_momentum=nesterov, learning_rate_init=0.01,
            hidden_layer_sizes=(16,), max_iter=50, random_state=0,
        ).fit(X, y)
        assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]


def test_early_stopping_validates_on_the_last_samples(data):
    X, y = data
    model = RNNRegressor(early_stopping=True, validation_fraction=0.2, **SMALL).fit(X, y)
    n_val = int(np.ceil(0.2 * len(X)))
    assert model.best_loss_ is None
    assert len(model.validation_scores_) == model.n_iter_
    # The best epoch's weights are kept, and its score is the score on the
    # LAST 20% of the samples, not on a random subset.
    best = max(model.validation_scores_)
    assert model.best_validation_score_ == best
    assert r2_score(y[-n_val:], model.predict(X[-n_val:])) == pytest.approx(best, rel=1e-12)
    # The validation samples took no part in training.
    assert model.t_ == model.n_iter_ * (len(X) - n_val)


def test_early_stopping_stops_before_max_iter(data):
    X, y = data
    model = WindowMLPRegressor(
        early_stopping=True, n_iter_no_change=2, tol=10.0, max_iter=100, random_state=0
    ).fit(X, y)
    # sklearn's rule: stop once more than n_iter_no_change epochs in a row
    # failed to improve on the best by tol (the first epoch sets the best).
    assert model.n_iter_ == 4


def test_training_loss_plateau_stops(data):
    X, y = data
    model = WindowMLPRegressor(n_iter_no_change=2, tol=10.0, max_iter=100, random_state=0)
    model.fit(X, y)
    assert model.n_iter_ == 4


def test_max_iter_reached_warns(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\) reached"):
        RNNRegressor(hidden_layer_sizes=(4,), max_iter=2, tol=0.0).fit(X, y)


def test_verbose_prints_one_line_per_epoch(data, capsys):
    X, y = data
    RNNRegressor(hidden_layer_sizes=(4,), max_iter=3, verbose=True, early_stopping=True,
                 tol=0.0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    pattern = (r"Iteration \d+, loss = [\d.]+, validation score = -?[\d.]+, "
               r"grad norm = [\d.e+-]+, [\d.]+s")
    assert all(re.fullmatch(pattern, line) for line in lines), lines


def test_warm_start_continues_training(data):
    X, y = data
    model = RNNRegressor(warm_start=True, **SMALL).fit(X, y)
    first = model.params_.copy()
    model.fit(X, y)
    assert model.n_iter_ == 40 and len(model.loss_curve_) == 40
    assert not np.array_equal(first, model.params_)
    cold = RNNRegressor(**SMALL).fit(X, y).fit(X, y)
    assert cold.n_iter_ == 20


def test_partial_fit_runs_one_epoch_each_call(data):
    X, y = data
    model = LSTMRegressor(hidden_layer_sizes=(4,), random_state=0)
    for k in range(3):
        model.partial_fit(X, y)
        assert model.n_iter_ == k + 1 and model.t_ == (k + 1) * len(X)
    with pytest.raises(ValueError, match="early_stopping"):
        LSTMRegressor(early_stopping=True).partial_fit(X, y)


def test_sample_weight_zero_equals_dropping_the_sample(data):
    # With a single minibatch, a zero weight is exactly a removed sample.
    X, y = data
    sw = np.ones(len(X))
    sw[::3] = 0
    kw = dict(SMALL, batch_size=len(X), shuffle=False)
    weighted = LSTMRegressor(**kw).fit(X, y, sample_weight=sw)
    dropped = LSTMRegressor(**dict(kw, batch_size=int(sw.sum()))).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_allclose(weighted.params_, dropped.params_, rtol=1e-9, atol=1e-12)


def test_fast_and_validated_predict_paths_agree(fitted, data):
    # An exact float64 C-contiguous array skips validate_data; a list, a
    # Fortran array or a read-only array take the validated path.
    X, _ = data
    fast = fitted.predict(X)
    readonly = X.copy()
    readonly.flags.writeable = False
    for other in (X.tolist(), np.asfortranarray(X), readonly):
        np.testing.assert_array_equal(fitted.predict(other), fast)
    # float32 input is cast to the model's float64: only the input rounding differs.
    np.testing.assert_allclose(fitted.predict(X.astype(np.float32)), fast, atol=1e-5)


def test_one_feature_sequences_skip_validation_in_2d_and_3d(fitted, data, monkeypatch):
    # Fitted on 2-D X, a ready (n, T) or (n, T, 1) array predicts without
    # validate_data (~1 ms for 2,000 sequences) and equals the validated result.
    X, _ = data
    expected = fitted.predict(X.tolist())

    def fail(*args, **kwargs):
        raise AssertionError("predict validated an array that was ready for the kernels")

    monkeypatch.setattr(skrnn._validation, "validate_data", fail)
    np.testing.assert_array_equal(fitted.predict(X), expected)
    np.testing.assert_array_equal(fitted.predict(X[:, :, np.newaxis]), expected)


def test_pickle_holds_no_network_object_and_leaves_the_model_intact(fitted, data):
    X, _ = data
    state = fitted.__getstate__()
    assert "_net" not in state and hasattr(fitted, "_net")
    assert {type(v).__name__ for v in state.values()} <= {
        "ndarray", "list", "dict", "tuple", "int", "float", "str", "bool", "NoneType",
        "RandomState", "float64", "int64",
    }
    np.testing.assert_array_equal(fitted.predict(X), pickle.loads(pickle.dumps(fitted)).predict(X))
