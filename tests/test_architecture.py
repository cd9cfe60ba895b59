"""A fitted model is its recorded architecture, whatever set_params says after fit."""

import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from _helpers import RECURRENT, REGRESSORS, name
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNRegressor, WindowMLPRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 8))
y = X[:, -1] + 0.1 * rng.normal(size=40)
SMALL = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)

# Parameter changes after fit, per estimator: each changes the network a new
# fit would build.
CHANGES = {
    "hidden_layer_sizes": (4,),
    "window": 5,
    "standardize": False,
}
WITH_ACTIVATION = {RNNRegressor: "relu", WindowMLPRegressor: "tanh"}


def _changes(Estimator):
    changes = dict(CHANGES)
    if Estimator in WITH_ACTIVATION:
        changes["activation"] = WITH_ACTIVATION[Estimator]
    return changes


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_set_params_after_fit_changes_no_prediction_not_even_after_a_pickle(Estimator):
    for param, value in _changes(Estimator).items():
        model = Estimator(**SMALL).fit(X, y)
        before = model.predict(X)
        model.set_params(**{param: value})
        np.testing.assert_array_equal(model.predict(X), before, err_msg=param)
        restored = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(restored.predict(X), before, err_msg=param)
        assert restored.get_params()[param] == value


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_continuing_a_changed_network_is_an_error_naming_the_parameter(Estimator, how):
    for param, value in _changes(Estimator).items():
        model = Estimator(warm_start=True, **SMALL).fit(X, y)
        params = model.params_.copy()
        model.set_params(**{param: value})
        message = re.escape(f"{param}={value!r} differs from the fitted model's {param}=")
        with pytest.raises(ValueError, match=message):
            model.fit(X, y) if how == "warm_start" else model.partial_fit(X, y)
        np.testing.assert_array_equal(model.params_, params)
        # Back to the fitted value, training continues.
        model.set_params(**{param: Estimator(**SMALL).get_params()[param]})
        model.fit(X, y) if how == "warm_start" else model.partial_fit(X, y)
        assert not np.array_equal(model.params_, params)


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_a_cold_refit_takes_the_new_parameters(Estimator):
    model = Estimator(**SMALL).fit(X, y)
    model.set_params(hidden_layer_sizes=(4, 3)).fit(X, y)
    assert model.weights_["output.W"].shape == (3, 1)
    np.testing.assert_array_equal(
        model.predict(X), clone(model).fit(X, y).predict(X)
    )


def test_a_window_set_to_the_number_of_timesteps_is_the_same_network():
    # window=None and window=n_timesteps read the same steps: no error.
    model = RNNRegressor(warm_start=True, **SMALL).fit(X, y)
    model.set_params(window=X.shape[1]).fit(X, y)
    assert model.n_iter_ == 6


@pytest.mark.parametrize("Estimator", RECURRENT, ids=name)
def test_the_weights_are_named_by_the_fitted_network(Estimator):
    model = Estimator(**SMALL).fit(X, y)
    names = set(model.weights_)
    model.set_params(hidden_layer_sizes=(2, 2))
    assert set(model.weights_) == names and "layer1.W_hh" not in names


def test_the_package_imports_with_docstrings_stripped():
    # python -OO sets every __doc__ to None, fill_doc's included.
    out = subprocess.run(
        [sys.executable, "-OO", "-c", "import skrnn; print(skrnn.GRURegressor.__doc__)"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == "None"
