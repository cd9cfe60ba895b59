"""Numerical faults, interrupts, threads and broken installs lose nothing."""

import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest
from _helpers import REGRESSORS, name, traced_peak
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import skrnn
from skrnn import LSTMRegressor, RNNRegressor, make_windows
from skrnn._network import Network, available_memory
from skrnn.datasets import load_airline


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 12))
    return X, X[:, -3] + 0.1 * rng.normal(size=64)


def _exploding_relu_rnn(**params):
    # A relu RNN trained by plain SGD with a large step: without clipping,
    # its gradients explode within a few epochs.
    return RNNRegressor(
        hidden_layer_sizes=(16,), activation="relu", solver="sgd", momentum=0.0,
        learning_rate_init=3.0, max_iter=30, random_state=0, **params,
    )


def test_divergence_keeps_the_last_finite_epoch_and_warns(data):
    X, y = data
    model = _exploding_relu_rnn()
    with pytest.warns(ConvergenceWarning, match=r"diverged in epoch (\d+).*weights of epoch"):
        model.fit(X, y)
    assert 1 <= model.n_iter_ < 30
    assert np.all(np.isfinite(model.params_))
    assert np.all(np.isfinite(model.predict(X)))
    assert np.all(np.isfinite(model.loss_curve_)) and len(model.loss_curve_) == model.n_iter_


def test_divergence_in_the_first_epoch_is_an_error(data):
    X, y = data
    model = RNNRegressor(hidden_layer_sizes=(16,), activation="relu", solver="sgd",
                         momentum=0.0, learning_rate_init=1e12, batch_size=4, random_state=0)
    with pytest.raises(ValueError, match="diverged in the first epoch"):
        model.fit(X * 1e3, y * 1e3)
    assert not hasattr(model, "params_")


def test_max_grad_norm_keeps_the_same_run_finite(data):
    X, y = data
    model = _exploding_relu_rnn(max_grad_norm=1.0)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*diverged", category=ConvergenceWarning)
        model.fit(X, y)
    assert np.all(np.isfinite(model.params_)) and np.all(np.isfinite(model.loss_curve_))
    # The norms before clipping were far above the clip: clipping did the work.
    assert max(model.grad_norm_curve_) > 5


def test_keyboard_interrupt_keeps_a_usable_model(data, monkeypatch):
    X, y = data
    model = LSTMRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0)
    net_class = Network
    original = net_class.train_epoch
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(net_class, "train_epoch", interrupted)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        model.fit(X, y)
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 2
    assert np.all(np.isfinite(model.predict(X)))


def test_ctrl_c_stops_a_long_epoch_after_the_current_minibatch():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40_000, 24))
    y = X[:, -2] * X[:, -5]
    model = LSTMRegressor(hidden_layer_sizes=(32,), max_iter=5, random_state=0)
    model.fit(X[:64], y[:64])  # compile first: the epoch below takes about a second

    # The compile fit's epoch thread may not have exited yet: wait for a new one.
    before = set(threading.enumerate())

    def press_ctrl_c():
        # As a terminal does: SIGINT to the main thread, once the epoch runs.
        deadline = time.monotonic() + 60
        while not any(t.name == "skrnn-epoch" and t not in before
                      for t in threading.enumerate()):
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(0.2)
        _thread.interrupt_main()

    presser = threading.Thread(target=press_ctrl_c)
    # Python's own handler, as in a terminal: a process started in the
    # background (nohup, `cmd &` in a script) inherits SIGINT ignored, and
    # interrupt_main() then does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        presser.start()
        with pytest.warns(UserWarning, match=r"interrupted by user in epoch 1, after \d+ of 1250"):
            model.fit(X, y)
        presser.join()
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C reached the caller instead of stopping the fit")
    finally:
        signal.signal(signal.SIGINT, previous)
    # Stopped inside the first epoch, after at least one minibatch.
    assert model.n_iter_ == 0 and 0 < model.t_ < len(X)
    assert model.t_ % 32 == 0
    assert np.all(np.isfinite(model.params_))
    assert np.all(np.isfinite(model.predict(X[:100])))


def test_predict_from_four_threads_matches_sequential(data):
    X, y = data
    model = LSTMRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(X, y)
    expected = model.predict(X)
    results = [None] * 4

    def work(k):
        for _ in range(20):
            results[k] = model.predict(X)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_predicts_in_threads_while_a_clone_fits_match_sequential_calls(data):
    X, y = data
    model = LSTMRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(X, y)
    expected = model.predict(X)
    refit = clone(model).set_params(max_iter=40)
    reference = clone(refit).fit(X, y).predict(X)
    predictions = []
    fitter = threading.Thread(target=refit.fit, args=(X, y))
    fitter.start()
    while fitter.is_alive():
        predictions.append(model.predict(X))
    fitter.join()
    assert predictions
    for p in predictions:
        np.testing.assert_array_equal(p, expected)
    np.testing.assert_array_equal(refit.predict(X), reference)


def test_a_second_fit_of_the_same_object_from_another_thread_is_refused(data):
    # One estimator object, two threads: the second fit raises at once and
    # the first one's model is exactly a fit of its own, never a mixture.
    X, y = data
    X_long = np.repeat(X, 20, axis=0)
    y_long = np.repeat(y, 20)
    model = LSTMRegressor(hidden_layer_sizes=(16,), max_iter=8, random_state=0)
    fitter = threading.Thread(target=model.fit, args=(X_long, y_long))
    fitter.start()
    while fitter.is_alive() and id(model) not in skrnn._base._FITTING:
        time.sleep(0.001)
    with pytest.raises(RuntimeError, match="is being fitted in another thread"):
        model.fit(X, y)
    fitter.join()
    alone = clone(model).fit(X_long, y_long)
    np.testing.assert_array_equal(model.params_, alone.params_)
    model.fit(X, y)  # once the first fit is done, the object fits again


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_predict_on_a_million_sequences_uses_bounded_memory(data, Estimator):
    X, y = data
    model = Estimator(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    big = np.random.RandomState(0).normal(size=(1_000_000, X.shape[1]))  # 92 MB
    model.predict(big[:10])  # load the kernel (compiler memory) before measuring
    pred, peak = traced_peak(lambda: model.predict(big))
    extra = peak - pred.nbytes
    # Beyond its 8 MB output, predict needs only its chunk's scratch space
    # (2 MB), not memory in proportion to the 92 MB input.
    assert extra < 4 * 2**20, f"{extra / 2**20:.1f} MB extra"
    assert pred.shape == (1_000_000,) and np.isfinite(pred).all()
    # Chunk boundaries change the results by rounding at most (BLAS may sum
    # in another order for another number of rows).
    np.testing.assert_allclose(pred[-1000:], model.predict(big[-1000:]), rtol=1e-12)


def test_predict_remembers_a_bounded_number_of_workspace_layouts(data):
    # Layouts are remembered (predicting one sequence is then ~35 us, not
    # ~65) but a model predicting many different numbers of sequences must
    # not keep one per number.
    X, y = data
    model = LSTMRegressor(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    first = model._net.workspace(X.shape[1], 1, np.float64, training=False)[1]
    assert model._net.workspace(X.shape[1], 1, np.float64, training=False)[1] is first
    for n in range(1, 150):
        np.testing.assert_allclose(model.predict(X[:n]), model.predict(X)[:n], rtol=1e-12)
    assert 0 < len(model._net._workspace_layouts) <= 64


def test_fit_never_mutates_its_input(data):
    X, y = data
    sw = np.linspace(0.5, 1.5, len(y))
    for Estimator in REGRESSORS:
        before = [a.copy() for a in (X, y, sw)]
        Estimator(hidden_layer_sizes=(4,), max_iter=2, window=6).fit(X, y, sample_weight=sw)
        for a, b in zip((X, y, sw), before):
            np.testing.assert_array_equal(a, b)


def test_float32_training_reaches_the_float64_result():
    # The airline series, log growth rates, one-step forecasts: the float32
    # model's held-out RMSE (in log growth units) is within 10% of float64's.
    growth = np.diff(np.log(load_airline().to_numpy(dtype=float)))
    X, y = make_windows((growth - growth.mean()) / growth.std(), window=12)
    errors = {}
    for dtype in (np.float64, np.float32):
        model = LSTMRegressor(random_state=0, max_iter=100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[:-24].astype(dtype), y[:-24])
        assert model.predict(X[-24:]).dtype == dtype
        errors[dtype] = np.sqrt(np.mean((model.predict(X[-24:]) - y[-24:]) ** 2))
    assert abs(errors[np.float32] - errors[np.float64]) < 0.1 * errors[np.float64]


_SCRIPT = textwrap.dedent("""
    import sys, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    import skrnn
    X = np.random.RandomState(0).normal(size=(8, 5))
    for E in [getattr(skrnn, name) for name in sys.argv[1:]]:
        model = E(hidden_layer_sizes=(3,), max_iter=2, batch_size=4, random_state=0)
        p = model.fit(X, X[:, 0]).predict(X)
        print(*[repr(float(v)) for v in p])
""")


def _run(env_changes, estimators=("LSTMRegressor", "GRURegressor", "RNNRegressor")):
    env = dict(os.environ, **env_changes)
    out = subprocess.run([sys.executable, "-c", _SCRIPT, *estimators], env=env, capture_output=True,
                         text=True, check=True)
    return np.array(out.stdout.split(), dtype=float)


def test_pure_python_mode_gives_the_same_predictions():
    compiled = _run({})  # this session's (fresh) cache: already compiled
    interpreted = _run({"NUMBA_DISABLE_JIT": "1"})
    np.testing.assert_allclose(interpreted, compiled, rtol=1e-10, atol=1e-12)


def test_works_when_the_numba_cache_cannot_be_written(tmp_path):
    # A cache folder below a regular file can be created by nobody, root
    # included (a read-only install behaves the same way).
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # One estimator: the fallback compiles from scratch in the subprocess.
    predictions = _run({"SKRNN_CACHE_DIR": str(blocker / "cache")}, ["RNNRegressor"])
    assert np.all(np.isfinite(predictions))


def test_a_fit_too_large_for_memory_fails_before_allocating_and_says_what_to_reduce():
    # 391 GiB of training workspace (the sequences' gates and states), far
    # beyond any test machine: refused at once, with the figures.
    X = np.zeros((512, 20000), dtype=np.float32)
    model = LSTMRegressor(hidden_layer_sizes=(1024,), batch_size=512, max_iter=1)
    tic = time.perf_counter()
    with pytest.raises(MemoryError, match=r"needs 39\d\.\d GiB of memory.*batch_size \(now "
                       r"512\).*window, now 20000.*hidden_layer_sizes \(now \(1024,\)\)"):
        model.fit(X, X[:, -1])
    assert time.perf_counter() - tic < 60  # refused, not attempted
    assert not hasattr(model, "params_")


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_out_of_memory_leaves_a_fitted_model_as_it_was(data, Estimator, monkeypatch):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Estimator(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    params, pred = model.params_.copy(), model.predict(X)
    monkeypatch.setattr("skrnn._network.available_memory", lambda: 1000)
    monkeypatch.setattr("skrnn._network._CHECKED_ABOVE_BYTES", 0)  # check these small ones too
    with pytest.raises(MemoryError, match="training workspace .* needs .* MiB of memory, "
                       "and 0.0 MiB is available"):
        model.fit(X, y)
    with pytest.raises(MemoryError, match="prediction workspace .* Predict on fewer timesteps"):
        model.predict(X)
    monkeypatch.undo()
    np.testing.assert_array_equal(model.params_, params)
    np.testing.assert_array_equal(model.predict(X), pred)


def test_memory_is_not_checked_where_the_system_does_not_say(data, monkeypatch):
    X, y = data
    monkeypatch.setattr("skrnn._network.available_memory", lambda: None)
    monkeypatch.setattr("skrnn._network._CHECKED_ABOVE_BYTES", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        RNNRegressor(hidden_layer_sizes=(4,), max_iter=1).fit(X, y).predict(X)


@pytest.mark.parametrize("limit, expected", [(2 * 2**30, 1.5 * 2**30), (None, 10 * 2**30)],
                         ids=["container limit", "no limit"])
def test_available_memory_is_the_smaller_of_the_system_and_a_container_limit(
        monkeypatch, limit, expected):
    files = {"/proc/meminfo": 10 * 2**30, "/sys/fs/cgroup/memory.max": limit,
             "/sys/fs/cgroup/memory.current": 2**29}
    monkeypatch.setattr("skrnn._network._read_number", lambda path, *args: files[path])
    assert available_memory() == expected


def test_predict_in_pieces_keeps_nothing_per_piece(data, monkeypatch):
    # Split over two threads, a predict goes in pieces of one chunk each. A
    # small workspace budget makes chunks of 5 sequences: 40,000 sequences
    # are then 8,000 pieces, and anything kept per piece would show (a list
    # of their views took 2.7 MB here, and 4.7 MB for a million sequences
    # of the benchmark's LSTM).
    X, y = data
    monkeypatch.setattr(skrnn._network, "_PREDICT_WORKSPACE_BYTES", 2**11)
    model = RNNRegressor(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    big = np.random.RandomState(0).normal(size=(40_000, X.shape[1]))
    model.predict(big[:10])
    pred, peak = traced_peak(lambda: model.predict(big))
    extra = peak - pred.nbytes
    assert extra < 2**20, f"{extra / 2**20:.2f} MB extra"
    np.testing.assert_allclose(pred[-1000:], model.predict(big[-1000:]), rtol=1e-12)
