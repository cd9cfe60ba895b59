"""The sklearn workflows users run, end to end."""

import json
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from _helpers import REGRESSORS, compiled_in_this_process, name
from joblib import Parallel, delayed, parallel_backend
from scipy.stats import loguniform, randint
from sklearn import clone, config_context
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skrnn import (
    LSTMRegressor,
    RNNRegressor,
    WindowMLPRegressor,
    make_windows,
    recursive_forecast,
)
from skrnn.datasets import load_airline


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def airline_windows():
    series = np.log(load_airline())
    return make_windows(series, window=24)


def _scaled(estimator):
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), estimator), transformer=StandardScaler()
    )


def test_pipeline_with_scaled_target(airline_windows):
    X, y = airline_windows
    model = _scaled(LSTMRegressor(hidden_layer_sizes=(16,), random_state=0))
    model.fit(X[:-24], y[:-24])
    assert model.predict(X[-24:]).shape == (24,)
    assert model.regressor_[-1].n_features_in_ == 24
    assert model.score(X[:-24], y[:-24]) > 0.9
    # The last two years lie above all training values: the model still
    # forecasts them better than the training mean does.
    error = np.abs(model.predict(X[-24:]) - y[-24:]).mean()
    assert error < np.abs(y[:-24].mean() - y[-24:]).mean()


def with_squares(X):
    """2-D windows to 3-D sequences with two features: value and its square."""
    return np.stack([X, X**2], axis=2)


def test_function_transformer_feeds_3d_input(airline_windows):
    X, y = airline_windows
    X = (X - X.mean()) / X.std()
    model = make_pipeline(
        FunctionTransformer(with_squares), RNNRegressor(hidden_layer_sizes=(8,), max_iter=20,
                                                        random_state=0)
    )
    model.fit(X, y - y.mean())
    assert model[-1].n_sequence_features_ == 2
    assert model.predict(X).shape == y.shape


def test_grid_search_with_time_series_split_in_worker_processes(airline_windows):
    X, y = airline_windows
    grid = {
        "regressor__rnn__window": [6, 24],
        "regressor__rnn__hidden_layer_sizes": [(8,)],
        "regressor__rnn__learning_rate_init": [1e-3, 1e-2],
    }
    model = TransformedTargetRegressor(
        Pipeline([("scale", StandardScaler()),
                  ("rnn", RNNRegressor(max_iter=30, random_state=0))]),
        transformer=StandardScaler(),
    )
    search = GridSearchCV(model, grid, cv=TimeSeriesSplit(n_splits=3), n_jobs=2)
    search.fit(X, y)
    assert set(search.best_params_) == set(grid)
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.predict(X[-3:]).shape == (3,)


def test_search_workers_load_the_kernels_from_the_cache(airline_windows):
    X, y = airline_windows
    X, y = (X - X.mean()) / X.std(), (y - y.mean()) / y.std()
    RNNRegressor(max_iter=1).fit(X, y).predict(X)  # fills the cache, if empty
    search = GridSearchCV(RNNRegressor(max_iter=5, random_state=0),
                          {"hidden_layer_sizes": [(4,), (8,)]}, cv=TimeSeriesSplit(2),
                          n_jobs=2).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # joblib keeps its 2 loky worker processes for the next call: ask them.
    reports = joblib.Parallel(n_jobs=2)(
        joblib.delayed(lambda: (os.getpid(), compiled_in_this_process()))() for _ in range(8)
    )
    assert {pid for pid, _ in reports} - {os.getpid()}, "ran in worker processes"
    assert all(compiled == [] for _, compiled in reports), reports


def test_randomized_search_and_cross_validate(airline_windows):
    X, y = airline_windows
    search = RandomizedSearchCV(
        _scaled(WindowMLPRegressor(max_iter=30, random_state=0)),
        {"regressor__windowmlpregressor__window": randint(4, 25),
         "regressor__windowmlpregressor__learning_rate_init": loguniform(1e-4, 1e-1)},
        n_iter=4, cv=TimeSeriesSplit(n_splits=3), random_state=0,
    )
    search.fit(X, y)
    assert 4 <= search.best_params_["regressor__windowmlpregressor__window"] <= 24
    scores = cross_validate(
        _scaled(WindowMLPRegressor(max_iter=30, random_state=0)), X, y,
        cv=TimeSeriesSplit(n_splits=3),
    )
    assert len(scores["test_score"]) == 3 and np.all(np.isfinite(scores["test_score"]))


_LOAD = textwrap.dedent("""
    import pickle, sys, joblib
    with open(sys.argv[1], "rb") as f:
        model = pickle.load(f)
    other = joblib.load(sys.argv[2])
    X = joblib.load(sys.argv[3])
    joblib.dump((model.predict(X), other.predict(X)), sys.argv[4])
""")


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_pickle_and_joblib_round_trip_in_a_fresh_process(Estimator, tmp_path, airline_windows):
    X, y = airline_windows
    X = (X - X.mean()) / X.std()
    model = Estimator(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y - y.mean())
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump(model, f)
    joblib.dump(model, tmp_path / "model.joblib")
    joblib.dump(X, tmp_path / "X.joblib")
    subprocess.run(
        [sys.executable, "-c", _LOAD, *(str(tmp_path / n) for n in
                                        ["model.pkl", "model.joblib", "X.joblib", "out.joblib"])],
        check=True, env=dict(os.environ),
    )
    from_pickle, from_joblib = joblib.load(tmp_path / "out.joblib")
    np.testing.assert_array_equal(from_pickle, model.predict(X))
    np.testing.assert_array_equal(from_joblib, model.predict(X))


def test_pandas_inputs():
    series = load_airline()
    X, y = make_windows(series, window=6)
    frame = pd.DataFrame(X, columns=[f"t-{k}" for k in range(6, 0, -1)])
    model = WindowMLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    model.fit(frame, pd.Series(y))
    assert list(model.feature_names_in_) == list(frame.columns)
    renamed = frame.rename(columns={"t-1": "lag1"})
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(renamed)
    multi = pd.DataFrame({"passengers": series, "month": series.index.month}, index=series.index)
    X3, y3 = make_windows(multi, window=12, target="passengers")
    assert X3.shape == (132, 12, 2) and y3[0] == series.iloc[12]


def test_recursive_forecast_matches_a_hand_rolled_loop(airline_windows):
    X, y = airline_windows
    model = _scaled(RNNRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0))
    model.fit(X, y)
    history = np.log(load_airline().to_numpy())
    forecast = recursive_forecast(model, history, steps=5)
    window = list(history[-24:])
    expected = []
    for _ in range(5):
        expected.append(model.predict(np.array([window[-24:]]))[0])
        window.append(expected[-1])
    np.testing.assert_array_equal(forecast, expected)


def test_recursive_forecast_rejects_bad_input(airline_windows):
    X, y = airline_windows
    model = WindowMLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="needs the last 24"):
        recursive_forecast(model, y[:10], steps=2)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        recursive_forecast(model, y, steps=0)
    with pytest.raises(ValueError, match="1-D series"):
        recursive_forecast(model, X, steps=1)
    two_step = WindowMLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="needs a one-step model"):
        recursive_forecast(two_step, y, steps=1)


def test_explicit_validation_set_is_what_early_stopping_scores(airline_windows):
    X, y = airline_windows
    X, y = (X - X.mean()) / X.std(), (y - y.mean()) / y.std()
    params = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=40, random_state=0)
    n_val = 30
    given = RNNRegressor(**params).fit(X[:-n_val], y[:-n_val], X_val=X[-n_val:], y_val=y[-n_val:])
    # Holding out the same last samples by validation_fraction trains the
    # same model: X_val replaces the split, and the split trains on the rest.
    split = RNNRegressor(validation_fraction=n_val / len(y), **params).fit(X, y)
    np.testing.assert_array_equal(given.params_, split.params_)
    assert given.validation_scores_ == split.validation_scores_
    # The kept (best) weights score best_validation_score_ on X_val.
    assert given.best_validation_score_ == pytest.approx(
        r2_score(y[-n_val:], given.predict(X[-n_val:])), abs=1e-12
    )


def test_sample_weight_val_weights_the_validation_score(airline_windows):
    X, y = airline_windows
    X, y = (X - X.mean()) / X.std(), (y - y.mean()) / y.std()
    params = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=5, random_state=0)
    sw_val = np.linspace(0.1, 2, 30)
    model = RNNRegressor(**params).fit(X[:-30], y[:-30], X_val=X[-30:], y_val=y[-30:],
                                       sample_weight_val=sw_val)
    unweighted = RNNRegressor(**params).fit(X[:-30], y[:-30], X_val=X[-30:], y_val=y[-30:])
    np.testing.assert_array_equal(model.params_, unweighted.params_)  # same training
    last = r2_score(y[-30:], model.predict(X[-30:]), sample_weight=sw_val)
    assert max(model.validation_scores_) == pytest.approx(last, abs=1e-12)
    assert model.validation_scores_ != unweighted.validation_scores_


def test_pipeline_transforms_x_val_with_metadata_routing(airline_windows):
    X, y = airline_windows
    y = (y - y.mean()) / y.std()
    with config_context(enable_metadata_routing=True):
        rnn = RNNRegressor(hidden_layer_sizes=(8,), early_stopping=True, max_iter=20,
                           random_state=0).set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("rnn", rnn)], transform_input=["X_val"])
        pipe.fit(X[:-30], y[:-30], X_val=X[-30:], y_val=y[-30:])
    # Scored on the scaled X_val: the best score is what the pipeline's
    # predictions (which scale X_val the same way) score.
    assert pipe[-1].best_validation_score_ == pytest.approx(
        r2_score(y[-30:], pipe.predict(X[-30:])), abs=1e-12
    )
    unscaled = r2_score(y[-30:], pipe[-1].predict(X[-30:]))
    assert abs(pipe[-1].best_validation_score_ - unscaled) > 0.1


def test_sample_weight_routed_through_grid_search_and_pipeline(airline_windows):
    X, y = airline_windows
    y = (y - y.mean()) / y.std()
    sw = np.linspace(0.2, 3.0, len(y))
    with config_context(enable_metadata_routing=True):
        pipe = Pipeline([
            ("scale", StandardScaler().set_fit_request(sample_weight=False)),
            ("rnn", RNNRegressor(max_iter=20, random_state=0)
             .set_fit_request(sample_weight=True).set_score_request(sample_weight=True)),
        ])
        search = GridSearchCV(pipe, {"rnn__hidden_layer_sizes": [(4,), (8,)]},
                              cv=TimeSeriesSplit(n_splits=3))
        search.fit(X, y, sample_weight=sw)
        assert np.isfinite(search.cv_results_["mean_test_score"]).all()
        # The refit model equals a direct weighted fit, not an unweighted one.
        best = search.best_estimator_[-1]
        Xs = StandardScaler().fit_transform(X)
        weighted = clone(best).fit(Xs, y, sample_weight=sw)
        unweighted = clone(best).fit(Xs, y)
    np.testing.assert_array_equal(best.params_, weighted.params_)
    assert not np.array_equal(best.params_, unweighted.params_)


def test_fits_of_clones_in_threads_equal_sequential_fits(airline_windows):
    X, y = airline_windows
    X, y = (X - X.mean()) / X.std(), (y - y.mean()) / y.std()
    models = [Estimator(hidden_layer_sizes=(8,), max_iter=10, random_state=seed)
              for Estimator in REGRESSORS
              for seed in (0, 1)]
    sequential = [clone(m).fit(X, y) for m in models]
    with parallel_backend("threading", n_jobs=2):
        threaded = Parallel()(delayed(clone(m).fit)(X, y) for m in models)
    for a, b in zip(sequential, threaded):
        np.testing.assert_array_equal(a.params_, b.params_)
        np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_kernel_helpers_called_from_python_run_their_python_body():
    # The kernels' helpers are compiled into the kernels without the wrapper
    # that lets Python call compiled code (a shorter first compile). Called
    # from Python they must run their Python body: a dispatcher compiled
    # without that wrapper would crash the interpreter.
    from numba.core.dispatcher import Dispatcher

    from skrnn._kernels import dense, lstm, recurrent, train

    A = np.arange(6.0).reshape(2, 3)
    sums = np.zeros(3)
    dense.column_sums(A, sums)
    np.testing.assert_array_equal(sums, A.sum(axis=0))
    B = np.ones((2, 3))
    recurrent.add_into(B, A)
    np.testing.assert_array_equal(B, A + 1)
    for helper in [dense.column_sums, recurrent.add_into, lstm.lstm_cell, train._finish_minibatch,
                   recurrent.transpose]:
        assert not isinstance(helper, Dispatcher), helper.__name__


_HELPER_PROBE = """
import json
import pathlib
import re
import numpy as np
from numba import njit
from numba.core import event
from skrnn._kernels import _cache, config, recurrent

@njit(**dict(config.JIT, cache=False))  # a script has no file to cache for
def kernel(a, b):
    recurrent.add_into(a, b)

a, b = np.ones((2, 3)), np.arange(6.0).reshape(2, 3)
with event.install_recorder("numba:compile") as compiles, \
        event.install_recorder("numba:run_pass") as passes:
    kernel(a, b)
skipped = {p._name for p in config._SKIPPED_BY_HELPERS}
ran = {}
for _, e in passes.buffer:
    name = e.data["name"].split(" [")[0]
    if e.is_start and name in skipped:
        ran.setdefault(e.data["qualname"], []).append(name)
helpers = [e.data["dispatcher"] for _, e in compiles.buffer
           if e.is_start and e.data["dispatcher"].py_func is recurrent.add_into]
results = [r for h in helpers for r in h.overloads.values()]
print(json.dumps({
    "sum": a.tolist(),
    "linked_only": [isinstance(r.library, config._LinkedOnlyLibrary) for r in results],
    "distinct": [bool(re.search(r"noalias[^,]*%arg[.]A[.]4\\b", r.library.get_llvm_str()))
                 for r in results],
    "machine_code": [r.library.get_pointer_to_function(r.fndesc.llvm_func_name)
                     for r in results],
    "cached": [str(p) for p in pathlib.Path(_cache.cache_dir()).rglob("*add_into*")],
    "skipped_passes_ran": {k: sorted(v) for k, v in ran.items()},
    "skipped": sorted(skipped),
}))
"""


def test_kernel_helpers_compile_into_their_callers_without_machine_code_or_cache(tmp_path):
    # Helpers stop at LLVM code that the calling kernel optimises and emits
    # (a cold LSTM fit compiles in 7.8 s instead of 10.8 s): no machine
    # code of their own, hence nothing of theirs in the cache, and the
    # kernel that calls one still computes with it. They also skip the
    # passes of config._SKIPPED_BY_HELPERS, which the kernel itself (an
    # ordinary Numba function) still runs: so a Numba that renamed or
    # dropped those passes fails here instead of going unnoticed.
    env = dict(os.environ, SKRNN_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", _HELPER_PROBE], env=env, check=True,
                         capture_output=True, text=True).stdout
    probe = json.loads(out.splitlines()[-1])
    assert probe["sum"] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert probe["linked_only"] == [True]
    assert probe["distinct"] == [True]  # its arrays' data noalias for LLVM
    assert probe["machine_code"] == [0]
    assert probe["cached"] == []
    assert probe["skipped"] == ["inline_closure_likes", "nopython_rewrites"]
    assert probe["skipped_passes_ran"] == {"kernel": probe["skipped"]}


_LIBRARY_PROBE = """
import json
import numpy as np
from numba import njit
from numba.core import codegen
from skrnn._kernels import activations, config, denormals, optim, recurrent, rnn, train

finished = []
finalize = codegen.CPUCodeLibrary.finalize

def recorded(library):
    if not isinstance(library, config._LinkedOnlyLibrary) and library.name != "nrt":
        finished.append(library.name)
    return finalize(library)

codegen.CPUCodeLibrary.finalize = recorded

@njit(**dict(config.JIT, cache=False))
def kernel(a, w, stop, hyper, out):
    state = denormals.flush_denormals()
    grad, params, m, v = a[0, 0], a[0, 1], a[0, 2], a[1, 0]
    train._finish_minibatch(1.0, 0, params, grad, m, v, hyper, 0, out[0], out[1])
    activations.multiply_derivative(a[2], a[3], activations.TANH)
    rnn._pre_activation_grad(a[0], True, a[1], a[2], activations.TANH, a[3])
    recurrent.gradient_below(a[:2], 1, w[0], a[2:], 1, 2)
    recurrent.block_product(a[:2], a[2:], 0, 2, 0, w[1], False, 0)
    denormals.restore(state)
    return optim.stop_requested(stop)

a, w = np.linspace(0.1, 1, 36).reshape(4, 3, 3), np.linspace(-1, 1, 18).reshape(2, 3, 3)
hyper = optim.Hyper(1e-3, 0.9, 0.999, 1e-8, 0.9, True, optim.ADAM, 0.0, 0.0)
stopped = kernel(a, w, np.ones(1, dtype=np.int64), hyper, np.zeros((2, 1)))
print(json.dumps({"finished": finished, "stopped": stopped, "finite": bool(np.isfinite(a).all())}))
"""


def test_the_kernels_helpers_compile_no_library_of_their_own():
    # Every finished library (optimised whole, then emitted as machine
    # code) costs a cold fit its own LLVM work: np.dot, reshape, ``**`` and
    # an @overload's implementation each compiled one, 1.3 to 2.6 s of a
    # cold LSTM fit on the Zen 3 of the README. Compiled into a kernel, the
    # helpers that used them (the minibatch's end, an activation's
    # derivative, the products over blocks of steps, the denormals' switch,
    # the stop flag) leave the kernel's library the only one finished.
    out = subprocess.run([sys.executable, "-c", _LIBRARY_PROBE], check=True,
                         capture_output=True, text=True).stdout
    probe = json.loads(out.splitlines()[-1])
    assert probe["finished"] == ["kernel"]
    assert probe["stopped"] and probe["finite"]


_DISTINCT_PROBE = """
import json
import numpy as np
from numba import njit
from skrnn._kernels import config, recurrent

@njit(**dict(config.JIT, cache=False))
def kernel(a, b):
    recurrent.add_into(a, b)

a = np.arange(12.0).reshape(4, 3)
pairs = [(a[:2], a[2:]), (a[:2], a[1:3]), (a[:, :1], a[:, 1:2]), (a[::2], a[1::2]),
         (a[::-1], a[:1]), (a[:1:-1], a[:2]), (a[:0], a[:0])]
outcomes = []
for first, second in pairs:
    try:
        kernel(first, second)
        outcomes.append("ran")
    except ValueError as error:
        outcomes.append(str(error))
print(json.dumps({"outcomes": outcomes, "checking": config._CHECK_DISTINCT,
                  "in_python": [bool(config._share_memory(*pair)) for pair in pairs]}))
"""


def test_the_distinct_arrays_check_refuses_arrays_sharing_memory():
    # With SKRNN_CHECK_DISTINCT=1 every helper call checks the promise its
    # compiled code makes LLVM (config.helper): no two of its array
    # arguments share memory. Views of one array that do not meet pass,
    # reversed ones included; interleaved rows or columns count as meeting
    # (the check compares the bytes each array spans: a false alarm, never
    # a missed overlap). _share_memory's Python body answers the same.
    env = dict(os.environ, SKRNN_CHECK_DISTINCT="1")
    out = subprocess.run([sys.executable, "-c", _DISTINCT_PROBE], env=env, check=True,
                         capture_output=True, text=True).stdout
    probe = json.loads(out.splitlines()[-1])
    shared = "add_into: A and B share memory"
    assert probe == {"checking": True,
                     "outcomes": ["ran", shared, shared, shared, shared, "ran", "ran"],
                     "in_python": [False, True, True, True, True, False, False]}


_DISTINCT_FITS = """
import numpy as np
import warnings
import skrnn

warnings.filterwarnings("ignore")
rng = np.random.RandomState(0)
X = rng.normal(size=(40, 10, 2))
y = X[:, -1, 0]
ragged = [rng.normal(size=(rng.randint(3, 12), 2)) for _ in range(30)]
y_ragged = rng.normal(size=30)
large = rng.normal(size=(64, 50, 1))  # minibatches computed in two halves
y_large = large[:, -1, 0]
for name in ("RNNRegressor", "LSTMRegressor", "GRURegressor"):
    Estimator = getattr(skrnn, name)
    Estimator(max_iter=2, hidden_layer_sizes=(5, 4), bptt_steps=3, alpha=1e-3,
              random_state=0).fit(X, y, sample_weight=np.abs(y)).predict(X)
    model = Estimator(max_iter=2, solver="sgd", max_grad_norm=0.1, random_state=0)
    model.fit(ragged, y_ragged).partial_fit(ragged, y_ragged).predict(ragged)
    Estimator(max_iter=1, hidden_layer_sizes=(64,), batch_size=64,
              random_state=0).fit(large, y_large).predict(large)
    Estimator(max_iter=2, early_stopping=True, random_state=0).fit(X, y)
skrnn.WindowMLPRegressor(max_iter=2, hidden_layer_sizes=(6, 5), random_state=0).fit(X, y)
skrnn.WindowMLPRegressor(max_iter=1, hidden_layer_sizes=(512, 512), batch_size=64,
                         random_state=0).fit(large, y_large).predict(large)
for name in ("LSTMClassifier", "GRUClassifier", "RNNClassifier", "WindowMLPClassifier"):
    Estimator = getattr(skrnn, name)
    Estimator(max_iter=2, random_state=0).fit(X, y > 0).predict_proba(X)
    Estimator(max_iter=2, random_state=0).fit(X, np.digitize(y, [-0.5, 0.5])).predict_proba(X)
print("distinct")
"""


def test_helpers_get_distinct_arrays_in_fits_of_every_kind(tmp_path):
    # Helpers compile with Numba's noalias flag (config.helper): a call
    # passing two arrays that share memory would compute wrong values
    # silently. Fits and predicts through every kernel and branch (each
    # cell and the window MLP, layers, truncated BPTT, weights, unequal
    # lengths, SGD with clipping, partial_fit, halves of a large minibatch,
    # validation, both losses of a classifier) with every helper call
    # checking; on an empty cache, as the kernels compiled so differ.
    env = dict(os.environ, SKRNN_CHECK_DISTINCT="1", SKRNN_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", _DISTINCT_FITS], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.splitlines()[-1] == "distinct"


_ONCE_PROBE = """
import json
import math
import numpy as np
from numba import njit
from numba.core import event
from skrnn._kernels import activations, blas, config, scalar

@config.helper
def plain(a, b):
    return scalar.larger(a, b) + activations.tanh(a)

@config.helper(forceinline=True)
def inlined(a, b):
    return scalar.larger(a, b) + activations.tanh(b)

@njit(**dict(config.JIT, cache=False))
def kernel(a, b):
    return scalar.larger(a, b) + plain(a, b) + inlined(a, b) + activations.tanh(a)

@njit(**dict(config.JIT, cache=False))
def products(A, B, C, D):
    blas.gemm(A, B, C[0], 0.0)  # layouts C, C
    blas.gemm(A, B.T, C[1], 0.0)  # C, F
    blas.gemm(A, B.T[:4], C[2], 0.0)  # C, A (a slice of rows of an F array)
    blas.gemm_direct(A, B, C[3], 0.0, 1)
    blas.gemm_direct(B.T, A.T.copy(), D, 0.0, 1)  # F, C

def compiled(recorder):
    return [e.data["dispatcher"].py_func.__qualname__ for _, e in recorder.buffer if e.is_start]

with event.install_recorder("numba:compile") as compiles:
    value = kernel(0.5, -2.0)
A, B = np.arange(12.0).reshape(3, 4), np.arange(16.0).reshape(4, 4)
C, D = np.zeros((4, 3, 4)), np.zeros((4, 3))
with event.install_recorder("numba:compile") as product_compiles:
    products(A, B, C, D)
names, product_names = compiled(compiles), compiled(product_compiles)
print(json.dumps({"value": value, "expected": 2.0 * math.tanh(0.5) + math.tanh(-2.0) + 1.5,
                  "larger": names.count("larger"), "tanh": names.count("_tanh.<locals>.impl"),
                  "products": C.tolist(), "expected_products": [A @ B, A @ B.T, A @ B.T, A @ B],
                  "transposed": D.tolist(), "expected_transposed": B.T @ A.T,
                  "gemm": product_names.count("_compiled_gemm"),
                  "gemm_direct": product_names.count("gemm_direct")}, default=lambda a: a.tolist()))
"""


@pytest.fixture(scope="module")
def once_probe():
    out = subprocess.run([sys.executable, "-c", _ONCE_PROBE], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def test_a_helper_compiles_once_per_argument_types_whoever_calls_it(once_probe):
    # Numba keys an overload's compilations by its caller's flags too: min,
    # max, tanh and sigmoid compiled again for each kind of caller (kernel,
    # helper, forceinline helper), 4 to 5 of a cold fit's ~50 compilations.
    # A helper fixes those flags itself, so one compilation serves all.
    assert once_probe["value"] == pytest.approx(once_probe["expected"], rel=1e-15)
    assert (once_probe["larger"], once_probe["tanh"]) == (1, 1)


def test_matrix_products_compile_once_per_dtype_whatever_the_layouts(once_probe):
    # gemm and gemm_direct read only their operands' shapes, strides and
    # data: compiled for any layout ("A"), not once for each.
    np.testing.assert_array_equal(once_probe["products"], once_probe["expected_products"])
    np.testing.assert_array_equal(once_probe["transposed"], once_probe["expected_transposed"])
    assert (once_probe["gemm"], once_probe["gemm_direct"]) == (1, 1)


def test_kernels_release_the_gil():
    # Threads run fits concurrently only if every kernel the estimators call
    # releases the GIL (benchmarks/bench_threads.py measures the speed-up).
    from skrnn._kernels import train

    entry_points = [train.train_epoch, train.predict, train.loss_grad]
    for kernel in entry_points:
        assert kernel.targetoptions.get("nogil"), kernel.py_func.__name__


def test_helpers_count_no_references_and_those_returning_arrays_must_say_so():
    # Helpers compile without Numba's reference counting (less code in every
    # cold fit); a returned array needs it on both sides of the call, which
    # Numba does not check: typing the call does.
    from numba import njit
    from numba.core.errors import TypingError

    from skrnn._kernels import config

    @config.helper
    def silent(a):  # its argument: the one array Numba lets it return
        return a

    @config.helper(returns_arrays=True)
    def declared(a):
        return a[1:]

    @config.helper
    def caller(a):
        return declared(a)[0]

    @config.helper
    def allocates(n):
        return np.zeros(n).sum()

    def kernel_of(function):
        return njit(lambda *args: function(*args), **dict(config.JIT, cache=False))

    a = np.arange(4.0)
    np.testing.assert_array_equal(kernel_of(declared)(a), a[1:])
    with pytest.raises(TypingError, match="silent returns an array: declare it"):
        kernel_of(silent)(a)
    with pytest.raises(TypingError, match="declared returns an array to a caller without"):
        kernel_of(caller)(a)
    with pytest.raises(TypingError):
        kernel_of(allocates)(3)
