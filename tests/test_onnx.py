"""ONNX export: onnxruntime runs the exported estimators and pipelines and
gives skrnn's predictions to float32 rounding."""

import warnings

import numpy as np
import pytest
from _helpers import CLASSIFIERS, RECURRENT, REGRESSORS, name
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn
from skrnn import LSTMRegressor, RNNRegressor, WindowMLPRegressor

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
import skrnn.onnx  # noqa: E402  (registers the converters)

# Each configuration exercises a part of the graph: the input's rank and
# features, the window's slice, stacked layers, several outputs, the
# standardisation (or its absence, with targets far from unit scale), and a
# model fitted in float32.
CONFIGS = {
    "2-D": dict(shape=(2,)),
    "3-D, two outputs": dict(shape=(3,), outputs=2),
    "window, stacked": dict(shape=(3,), params=dict(window=4, hidden_layer_sizes=(6, 5))),
    "unstandardised": dict(shape=(2,), params=dict(standardize=False), y_scale=1.0),
    "float32, targets in the hundreds": dict(shape=(2,), dtype=np.float32, y_scale=300.0),
}
ACTIVATIONS = {RNNRegressor: ["relu"], WindowMLPRegressor: ["tanh", "logistic", "identity"]}


def _data(config, n=40, T=10):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, T, 3) if config.get("shape") == (3,) else (n, T))
    last = X[:, -1, 0] if X.ndim == 3 else X[:, -1]
    y = np.column_stack([last, -2 * last])[:, : config.get("outputs", 1)]
    y = np.squeeze(y * config.get("y_scale", 1.0) + config.get("y_scale", 0.0))
    return X.astype(config.get("dtype", np.float64)), y


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _onnx_predict(model, X):
    onx = skl2onnx.to_onnx(model, X[:1].astype(np.float32))
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})[0], onx


def _assert_float32_close(onnx_pred, pred):
    # float32 rounding, through T steps of a network, relative to the outputs'
    # scale: differences measured up to 7e-7 on unit-scale outputs.
    pred = pred.reshape(len(pred), -1)
    assert onnx_pred.shape == pred.shape and onnx_pred.dtype == np.float32
    np.testing.assert_allclose(onnx_pred, pred, rtol=1e-5, atol=1e-5 * np.abs(pred).max())


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_onnxruntime_predicts_as_skrnn(Estimator, config):
    X, y = _data(CONFIGS[config])
    model = _fit(Estimator(max_iter=20, random_state=0, **CONFIGS[config].get("params", {})),
                 X, y)
    onnx_pred, onx = _onnx_predict(model, X)
    _assert_float32_close(onnx_pred, model.predict(X))
    if Estimator in RECURRENT:  # ONNX's own recurrent operator, one per layer
        ops = [node.op_type for node in onx.graph.node]
        cell = Estimator.__name__[: -len("Regressor")]
        assert ops.count(cell) == len(model.hidden_layer_sizes), ops


@pytest.mark.parametrize(
    "Estimator, activation",
    [(E, a) for E, acts in ACTIVATIONS.items() for a in acts],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_onnxruntime_predicts_as_skrnn_for_every_activation(Estimator, activation):
    X, y = _data(CONFIGS["3-D, two outputs"])
    model = _fit(Estimator(activation=activation, max_iter=20, random_state=0), X, y)
    _assert_float32_close(_onnx_predict(model, X)[0], model.predict(X))


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_a_pipeline_with_a_scaler_exports_whole(Estimator):
    X, y = _data(CONFIGS["2-D"])
    pipe = _fit(make_pipeline(StandardScaler(), Estimator(max_iter=20, random_state=0)),
                X * 50 + 10, y)
    _assert_float32_close(_onnx_predict(pipe, X * 50 + 10)[0], pipe.predict(X * 50 + 10))


def test_unfitted_and_float64_and_wrong_rank_exports_fail_clearly():
    X, y = _data(CONFIGS["3-D, two outputs"])
    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(LSTMRegressor(), X[:1].astype(np.float32))
    model = _fit(LSTMRegressor(max_iter=2, random_state=0), X, y)
    with pytest.raises(NotImplementedError, match="float32 inputs only"):
        skl2onnx.to_onnx(model, X[:1])
    with pytest.raises(ValueError, match="fitted on 3 features per step"):
        skl2onnx.to_onnx(model, X[:1, :, 0].astype(np.float32))


def _classes_data(kind, n=60, T=10):
    # Labels of each kind of head: binary strings, three int classes, two labels.
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, T))
    last = X[:, -1] + 0.5 * X[:, -2]
    if kind == "binary":
        return X, np.where(last > 0, "up", "down")
    if kind == "multiclass":
        return X, np.digitize(last, [-0.5, 0.5]) * 10
    return X, np.column_stack([last > 0, X[:, -3] > 0]).astype(int)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("Classifier", CLASSIFIERS, ids=name)
def test_onnxruntime_classifies_as_skrnn(Classifier, kind):
    X, y = _classes_data(kind)
    model = _fit(Classifier(hidden_layer_sizes=(6,), max_iter=20, random_state=0), X, y)
    onx = skl2onnx.to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})
    expected = model.predict_proba(X)
    assert proba.dtype == np.float32 and proba.shape == expected.shape
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    # Labels agree wherever float32 rounding cannot flip the decision.
    clear = np.abs(expected - 0.5).min(axis=1) > 1e-4 if kind != "multiclass" else (
        np.diff(np.sort(expected, axis=1)[:, -2:], axis=1)[:, 0] > 1e-4)
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(label[clear], model.predict(X)[clear])


def test_a_classifier_exports_with_zipmap_by_default_and_in_a_pipeline():
    X, y = _classes_data("binary")
    pipe = _fit(make_pipeline(StandardScaler(), skrnn.LSTMClassifier(max_iter=10,
                                                                     random_state=0)), X, y)
    onx = skl2onnx.to_onnx(pipe, X[:1].astype(np.float32))
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})
    assert set(proba[0]) == {"down", "up"}  # ZipMap: a {class: probability} per sequence
    np.testing.assert_allclose([p["up"] for p in proba], pipe.predict_proba(X)[:, 1],
                               atol=1e-5)


def test_float_classes_do_not_export_and_say_why():
    X, y = _classes_data("multiclass")
    model = _fit(skrnn.GRUClassifier(max_iter=2, random_state=0), X, y / 10.0)
    with pytest.raises(NotImplementedError, match="integer, boolean or string classes only"):
        skl2onnx.to_onnx(model, X[:1].astype(np.float32))


@pytest.mark.parametrize("Estimator", RECURRENT, ids=name)
def test_a_model_fitted_on_sequences_of_unequal_length_exports(Estimator):
    # The graph reads arrays of the fitted timesteps (the longest training
    # sequence) without padding, as skrnn does.
    rng = np.random.RandomState(1)
    seqs = [rng.normal(size=(n, 2)) for n in rng.randint(3, 9, size=30)]
    y = np.array([s[:, 0].mean() for s in seqs])
    model = _fit(Estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0), seqs, y)
    X = rng.normal(size=(5, model.n_features_in_, 2))
    onnx_pred, _ = _onnx_predict(model, X)
    _assert_float32_close(onnx_pred, model.predict(X))
