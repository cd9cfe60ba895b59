"""Secure persistence with skops: a fitted model, alone, in a Pipeline or in
a fitted grid search, saves with ``skops.io``, asks to trust nothing but
skrnn's estimator classes, and predicts identically after loading."""

import warnings

import numpy as np
import pytest
from _helpers import ESTIMATORS, name
from sklearn.base import ClassifierMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn

sio = pytest.importorskip("skops.io")

# Fits that leave different fitted state behind: every kind of attribute a
# user's model can carry (validation scores, SGD velocities, no scaling
# statistics, a window, float32 weights, several outputs, partial_fit's).
CONFIGS = {
    "defaults": {},
    "early stopping": dict(early_stopping=True),
    "sgd": dict(solver="sgd"),
    "unstandardised, window": dict(standardize=False, window=4),
    "float32, two outputs": dict(),
    "partial_fit": dict(),
}


def _data(config, Estimator):
    # Targets of the estimator's task; "two outputs" is multilabel for a classifier.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8))
    y = X[:, -1] + 0.1 * rng.normal(size=60)
    if config == "float32, two outputs":
        X, y = X.astype(np.float32), np.column_stack([y, -y])
    if issubclass(Estimator, ClassifierMixin):
        y = y > 0 if y.ndim == 2 else np.where(y > 0, "up", "down")
    return X, y


def _fitted(Estimator, config):
    X, y = _data(config, Estimator)
    model = Estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0, **CONFIGS[config])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if config == "partial_fit":
            classes = dict(classes=np.unique(y)) if is_classifier(model) else {}
            model.partial_fit(X, y, **classes).partial_fit(X, y)
        else:
            model.fit(X, y)
    return model, X


def _outputs(model, X):
    """What a user reads from the model: predictions, and probabilities."""
    if is_classifier(model):
        return [model.predict(X), model.predict_proba(X)]
    return [model.predict(X)]


def _round_trip(obj):
    data = sio.dumps(obj)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=untrusted), untrusted


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=name)
def test_skops_trusts_only_the_estimator_class_and_predicts_identically(Estimator, config):
    model, X = _fitted(Estimator, config)
    loaded, untrusted = _round_trip(model)
    # Only the class itself, by its public name: no Numba object, no private
    # helper. A fitted attribute of a type skops cannot read fails here.
    assert untrusted == [f"skrnn.{Estimator.__name__}"]
    for after, before in zip(_outputs(loaded, X), _outputs(model, X)):
        np.testing.assert_array_equal(after, before)
        assert after.dtype == before.dtype
    assert sorted(vars(loaded)) == sorted(vars(model))
    np.testing.assert_array_equal(loaded.params_, model.params_)
    assert loaded.loss_curve_ == model.loss_curve_


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=name)
def test_a_skops_loaded_model_keeps_training_as_the_original(Estimator):
    model, X = _fitted(Estimator, "defaults")
    y = _data("defaults", Estimator)[1]
    loaded, _ = _round_trip(model)
    np.testing.assert_array_equal(loaded.partial_fit(X, y).params_,
                                  model.partial_fit(X, y).params_)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=name)
def test_skops_round_trips_a_pipeline_and_a_fitted_grid_search(Estimator):
    X, y = _data("defaults", Estimator)
    pipe = make_pipeline(StandardScaler(), Estimator(max_iter=3, random_state=0))
    search = GridSearchCV(Estimator(max_iter=3, random_state=0),
                          {"hidden_layer_sizes": [(2,), (4,)]}, cv=TimeSeriesSplit(n_splits=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
        search.fit(X, y)
    for fitted in (pipe, search):
        loaded, untrusted = _round_trip(fitted)
        assert [t for t in untrusted if t.startswith("skrnn")] == [f"skrnn.{Estimator.__name__}"]
        assert not [t for t in untrusted if "numba" in t or "skrnn._" in t]
        for after, before in zip(_outputs(loaded, X), _outputs(fitted, X)):
            np.testing.assert_array_equal(after, before)


def test_skops_refuses_a_model_whose_types_are_not_trusted():
    model, _ = _fitted(skrnn.RNNRegressor, "defaults")
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="RNNRegressor"):
        sio.loads(sio.dumps(model))


def test_a_skops_file_from_another_skrnn_version_warns(monkeypatch):
    model, X = _fitted(skrnn.RNNRegressor, "defaults")
    monkeypatch.setattr("skrnn._base.__version__", "0.0.1")  # the version that saves
    data = sio.dumps(model)
    monkeypatch.undo()
    with pytest.warns(skrnn.InconsistentVersionWarning, match="from skrnn version 0.0.1"):
        loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_mlflow_saves_with_skops_given_the_estimator_class(tmp_path):
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn")
    from mlflow.exceptions import MlflowException

    model, X = _fitted(skrnn.LSTMRegressor, "defaults")
    kwargs = dict(serialization_format="skops", pip_requirements=[])
    with pytest.raises(MlflowException, match="untrusted types"):
        mlflow_sklearn.save_model(model, tmp_path / "refused", **kwargs)
    mlflow_sklearn.save_model(model, tmp_path / "saved", **kwargs,
                              skops_trusted_types=["skrnn.LSTMRegressor"])
    loaded = mlflow_sklearn.load_model(str(tmp_path / "saved"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
