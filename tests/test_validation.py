"""Bad input gets a clear error, and a failed call changes nothing."""

import warnings

import numpy as np
import pytest
from _helpers import REGRESSORS
from sklearn.exceptions import ConvergenceWarning

from skrnn import LSTMRegressor, RNNRegressor, WindowMLPRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(20, 6))
y = rng.normal(size=20)


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _with(value, where=(3, 2)):
    bad = X.copy()
    bad[where] = value
    return bad


MID_NAN = "has a step of padding between its real steps at step 2"

BAD_FIT_INPUT = {
    "nan in X": (dict(X=_with(np.nan)), ValueError, "Sample 3 of X " + MID_NAN),
    "nan in a feature": (dict(X=np.stack([X, _with(np.nan)], axis=2)), ValueError,
                         "Sample 3 of X has NaN in some of its features at step 2"),
    "no real step": (dict(X=_with(np.nan, where=3)), ValueError,
                     "Sample 3 of X has no real step"),
    "inf in X": (dict(X=_with(np.inf)), ValueError, "Input X contains infinity"),
    "nan in y": (dict(y=np.r_[y[:-1], np.nan]), ValueError, "Input y contains NaN"),
    "1-D X": (dict(X=X[:, 0]), ValueError, "Expected 2D array, got 1D array"),
    "4-D X": (dict(X=X.reshape(20, 3, 2, 1)), ValueError, "got an array with 4 dimensions"),
    "window too long": (dict(window=7), ValueError, r"window=7 is longer than the sequences"),
    "mismatched lengths": (dict(y=y[:-1]), ValueError, "inconsistent numbers of samples"),
    "no samples": (dict(X=X[:0], y=y[:0]), ValueError, "0 sample"),
    "no timesteps": (dict(X=X[:, :0]), ValueError, "0 feature"),
    "no features per step": (dict(X=X[:, :, None][:, :, :0]), ValueError,
                             "0 features per timestep"),
    "strings in X": (dict(X=np.full((20, 6), "a")), ValueError, "could not convert string"),
    "complex X": (dict(X=X + 1j), ValueError, "Complex data not supported"),
    "negative sample_weight": (dict(sample_weight=-np.ones(20)), ValueError, "Negative values"),
    "zero sample_weight": (dict(sample_weight=np.zeros(20)), ValueError, "at least one non-zero"),
    "bad layer sizes": (dict(hidden_layer_sizes=(4, 0)), ValueError, "hidden_layer_sizes must"),
    "bad window type": (dict(window=2.5), ValueError, "The 'window' parameter"),
}


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("case", BAD_FIT_INPUT, ids=str)
def test_bad_fit_input_raises_a_clear_error(Estimator, case):
    args, error, message = BAD_FIT_INPUT[case]
    data = dict(X=X, y=y, sample_weight=None)
    params = {k: args[k] for k in ("window", "hidden_layer_sizes") if k in args}
    data.update({k: v for k, v in args.items() if k in data})
    with pytest.raises(error, match=message):
        Estimator(max_iter=2, **params).fit(data["X"], data["y"], data["sample_weight"])


BAD_VALIDATION_SET = {
    "X_val alone": (dict(X_val=X), "X_val is provided, but y_val was not provided"),
    "y_val alone": (dict(y_val=y), "y_val is provided, but X_val was not provided"),
    "sample_weight_val alone": (dict(sample_weight_val=y), "sample_weight_val is given without"),
    "no early stopping": (dict(X_val=X, y_val=y, early_stopping=False),
                          "X_val and y_val are passed to fit while early_stopping is False"),
    "other timesteps": (dict(X_val=X[:, :4], y_val=y), "X has 4 features, but"),
    "other features per step": (dict(X_val=np.stack([X, X], axis=2), y_val=y),
                                "2 features per timestep"),
    "2-D y_val": (dict(X_val=X, y_val=np.c_[y, y]), "y_val must be 1-D"),
    "one sample": (dict(X_val=X[:1], y_val=y[:1]), "needs at least 2"),
    "nan in X_val": (dict(X_val=_with(np.nan), y_val=y), "Sample 3 of X_val " + MID_NAN),
    "short sample_weight_val": (dict(X_val=X, y_val=y, sample_weight_val=y[:3]),
                                "sample_weight.shape"),
}


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("case", BAD_VALIDATION_SET, ids=str)
def test_bad_validation_set_raises_as_histgradientboosting_does(Estimator, case):
    args, message = BAD_VALIDATION_SET[case]
    args = dict(args)
    model = Estimator(max_iter=2, early_stopping=args.pop("early_stopping", True))
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, **args)


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=lambda c: c.__name__)
def test_predict_with_other_shapes_raises(Estimator):
    model = Estimator(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but .* is expecting 6.* "
                       "features of X are its timesteps .* sequences of 6 timesteps"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError, match="3 features per timestep, but .* fitted with 1"):
        model.predict(np.repeat(X[:, :, None], 3, axis=2))
    with pytest.raises(ValueError, match="Sample 3 of X " + MID_NAN):
        model.predict(_with(np.nan))
    model3 = Estimator(hidden_layer_sizes=(4,), max_iter=2).fit(np.stack([X, X], axis=2), y)
    with pytest.raises(ValueError, match="1 features per timestep, but .* fitted with 2"):
        model3.predict(X)


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "call",
    ["refit nan", "refit window", "warm start wrong shape", "partial_fit wrong shape",
     "partial_fit more outputs", "refit bad X_val"],
)
def test_failed_call_leaves_the_fitted_model_unchanged(Estimator, call):
    model = Estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(model).items()}
    pred = model.predict(X)
    with pytest.raises(ValueError):
        if call == "refit nan":
            model.fit(_with(np.nan), y)
        elif call == "refit window":
            model.set_params(window=50).fit(X, y)
        elif call == "warm start wrong shape":
            model.set_params(warm_start=True).fit(X[:, :4], y)
        elif call == "partial_fit wrong shape":
            model.partial_fit(X[:, :4], y)
        elif call == "refit bad X_val":  # fails after X and y passed validation
            model.set_params(early_stopping=True).fit(X, y, X_val=X[:, :4], y_val=y)
        else:
            model.partial_fit(X, np.column_stack([y, y]))
    model.set_params(window=None, warm_start=False, early_stopping=False)
    after = vars(model)
    assert after.keys() == before.keys()
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[key], value)
        elif key != "_rng":
            assert after[key] == value, key
    np.testing.assert_array_equal(model.predict(X), pred)


def test_fit_does_not_modify_its_input():
    X_in, y_in = X.copy(), y.copy()
    X_in.flags.writeable = False
    y_in.flags.writeable = False
    for Estimator in REGRESSORS:
        Estimator(hidden_layer_sizes=(4,), max_iter=2).fit(X_in, y_in)
    np.testing.assert_array_equal(X_in, X)
    np.testing.assert_array_equal(y_in, y)


def test_integer_object_and_fortran_input_are_cast_to_float():
    model = RNNRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    ref = model.fit(X.round(), y).predict(X.round())
    for variant in [X.round().astype(int), X.round().astype(object), np.asfortranarray(X.round())]:
        np.testing.assert_array_equal(model.fit(variant, y).predict(variant), ref)


def test_minibatches_of_zero_weight_are_skipped():
    # Most weights zero: some minibatches carry no weight at all, and must
    # not divide by their zero weight sum.
    sw = np.zeros(20)
    sw[[0, 7]] = 1.0
    model = LSTMRegressor(hidden_layer_sizes=(4,), batch_size=2, max_iter=3, random_state=0)
    model.fit(X, y, sample_weight=sw)
    assert np.all(np.isfinite(model.params_)) and np.all(np.isfinite(model.loss_curve_))
    assert model.t_ == 60


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_predictions_that_overflow_are_an_error_not_nan():
    model = WindowMLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="predictions overflowed"):
        model.predict(np.full((2, 6), 1.7e308))


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("n", [2, 20_000])  # flags, or the sum (see all_finite)
def test_finite_values_whose_sum_overflows_are_finite_and_warn_nothing(n):
    # Validation looks for NaN and infinity without a temporary the size of
    # X; finite values near the dtype's limit must neither raise nor print
    # NumPy's overflow warning.
    model = RNNRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0).fit(
        X.astype(np.float32), y)
    big = np.full((n, 6), 3e38, dtype=np.float32)
    assert model.predict(big).shape == (n,)
