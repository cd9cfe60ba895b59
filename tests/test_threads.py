"""skrnn runs its kernels on one BLAS thread and gives the user's setting back;
a large fit or predict runs its two parts on two threads, giving the same model."""

import os
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from _helpers import RECURRENT, REGRESSORS, name
from llvmlite import binding as llvm
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from skrnn import GRUClassifier, LSTMRegressor, WindowMLPRegressor, _network, _threads
from skrnn._kernels import train
from skrnn._threads import one_blas_thread


def _blas_threads():
    return sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})


@pytest.fixture
def two_blas_threads():
    # The state a user has by default on a machine with several cores.
    with threadpool_limits(2, user_api="blas"):
        if _blas_threads() != [2]:
            pytest.skip("no BLAS library whose threads threadpoolctl can set")
        yield


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_fit_and_predict_run_their_kernels_on_one_blas_thread(
    Estimator, two_blas_threads, monkeypatch
):
    seen = []

    def recording(kind, kernel):
        def call(*args):
            seen.append((kind, _blas_threads()))
            return kernel(*args)

        return call

    monkeypatch.setattr(train, "train_epoch", recording("fit", train.train_epoch))
    monkeypatch.setattr(train, "part_gradient", recording("fit", train.part_gradient))
    monkeypatch.setattr(train, "predict", recording("predict", train.predict))
    X = np.random.RandomState(0).normal(size=(600, 40))
    model = Estimator(hidden_layer_sizes=(64,), max_iter=2, early_stopping=True).fit(X, X[:, 0])
    model.predict(X)
    assert {kind for kind, _ in seen} == {"fit", "predict"}
    assert all(threads == [1] for _, threads in seen), seen
    assert _blas_threads() == [2]  # the user's setting is back


def test_predicting_a_few_sequences_leaves_the_thread_setting_alone(
    two_blas_threads, monkeypatch
):
    # Products this small never run threaded; setting the count would cost
    # more than predicting one sequence.
    X = np.random.RandomState(0).normal(size=(50, 24))
    model = LSTMRegressor(hidden_layer_sizes=(8,), max_iter=1).fit(X, X[:, 0])
    monkeypatch.setattr("skrnn._threads._set_num_threads", None)  # would raise if called
    model.predict(X[:1])


def test_concurrent_users_restore_the_setting_whatever_order_they_leave_in(two_blas_threads):
    # Thread A enters first and leaves first; B, which entered while A held
    # the limit, leaves last and must be the one that restores 2 threads.
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with one_blas_thread():
            a_inside.set()
            b_inside.wait(10)
            seen["a"] = _blas_threads()
        a_left.set()

    def b():
        a_inside.wait(10)
        with one_blas_thread():
            b_inside.set()
            a_left.wait(10)
            seen["b after a left"] = _blas_threads()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a": [1], "b after a left": [1]}
    assert _blas_threads() == [2]


def test_an_error_in_a_kernel_call_still_restores_the_setting(two_blas_threads):
    with pytest.raises(RuntimeError):
        with one_blas_thread():
            raise RuntimeError
    assert _blas_threads() == [2]


# --- the second core: minibatches and predicts in two parts ------------------

@pytest.fixture
def split_every_minibatch(monkeypatch):
    # The rule splits only minibatches of large networks; the tests' small
    # ones are split too, so that they run the same code in milliseconds.
    monkeypatch.setattr(_network, "_PARTS_ABOVE_WORK", 0)


def _fit(Estimator, X, y, threads, monkeypatch, sample_weight=None, **params):
    monkeypatch.setenv("SKRNN_NUM_THREADS", str(threads))
    params = dict(hidden_layer_sizes=(6,), batch_size=20, max_iter=3, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Estimator(**params).fit(X, y, sample_weight=sample_weight)


def _recording_parts(monkeypatch, caller_delay=0.0):
    # Records, for each run_parts call, whether its parts ran on two threads
    # and which threads ran them. ``caller_delay`` slows the caller's parts,
    # so that the worker thread surely wakes in time to take one (else the
    # caller may take them all, as it should when the worker is late).
    calls = []
    run = _threads.run_parts

    def recording(part, n_parts, parallel):
        threads = []

        def on_thread(i, slot):
            threads.append(threading.current_thread().name)
            if slot == 0:
                time.sleep(caller_delay)
            return part(i, slot)

        calls.append((parallel, threads))
        return run(on_thread, n_parts, parallel)

    monkeypatch.setattr(_network, "run_parts", recording)
    return calls


@pytest.mark.parametrize("Estimator", REGRESSORS + [GRUClassifier], ids=name)
def test_a_fit_in_two_parts_is_the_same_model_on_one_thread_and_on_two(
    Estimator, split_every_minibatch, monkeypatch
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(101, 9))  # a last minibatch of one sequence
    y = X[:, -1] > 0 if Estimator is GRUClassifier else X[:, -1] + X[:, -2]
    calls = _recording_parts(monkeypatch, caller_delay=0.002)
    one = _fit(Estimator, X, y, 1, monkeypatch, alpha=0.01)
    assert calls and not any(parallel for parallel, _ in calls)
    calls.clear()
    two = _fit(Estimator, X, y, 2, monkeypatch, alpha=0.01)
    assert all(parallel for parallel, _ in calls)
    assert any(name.startswith("skrnn-part") for _, threads in calls for name in threads)
    np.testing.assert_array_equal(one.params_, two.params_)
    assert one.loss_curve_ == two.loss_curve_
    assert one.grad_norm_curve_ == two.grad_norm_curve_


@pytest.mark.parametrize("Estimator", RECURRENT, ids=name)
def test_two_parts_train_as_the_whole_minibatch_does_up_to_rounding(Estimator, monkeypatch):
    # Sums in another order: the same model to rounding, padding, sample
    # weights (a minibatch of zero weight skipped) and the penalty included.
    rng = np.random.RandomState(1)
    X = [rng.normal(size=(int(n), 2)) for n in rng.randint(3, 12, size=80)]
    y = np.array([x[-1, 0] - x[0, 1] for x in X])
    sw = rng.uniform(0.5, 2, size=80)
    sw[:20] = 0
    whole = _fit(Estimator, X, y, 2, monkeypatch, sw, alpha=0.1, max_grad_norm=1.0)
    monkeypatch.setattr(_network, "_PARTS_ABOVE_WORK", 0)
    calls = _recording_parts(monkeypatch)
    parts = _fit(Estimator, X, y, 2, monkeypatch, sw, alpha=0.1, max_grad_norm=1.0)
    assert calls
    np.testing.assert_allclose(parts.params_, whole.params_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(parts.loss_curve_, whole.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(parts.grad_norm_curve_, whole.grad_norm_curve_, rtol=1e-9)


def test_a_fit_in_parts_stops_at_a_diverging_minibatch_and_keeps_the_last_good_epoch(
    split_every_minibatch, monkeypatch
):
    X = np.random.RandomState(0).normal(size=(60, 8))
    y = X[:, -1].copy()
    model = _fit(LSTMRegressor, X, y, 2, monkeypatch)
    good = model.params_.copy()
    y[45] = 1e300  # its squared error overflows
    with pytest.warns(ConvergenceWarning, match="Training diverged in epoch 4"):
        model.set_params(warm_start=True, max_iter=1, shuffle=False).fit(X, y)
    np.testing.assert_array_equal(model.params_, good)


def test_the_split_rule_depends_on_the_sizes_not_the_threads():
    # The speed benchmark's rows: its largest splits, its smallest do not;
    # a predict of one sequence never does.
    large = _network.Network("lstm", 8, (128,), 1)
    assert large.training_workspaces(100, 256, np.float32)[0].shape == (2, large.workspace(
        100, 128, np.float32)[0].size)
    assert _network.Network("lstm", 1, (32,), 1).training_workspaces(
        24, 32, np.float64)[0].shape[0] == 1
    assert _network.Network("gru", 1, (16,), 1).training_workspaces(
        200, 32, np.float64)[0].shape[0] == 1
    assert large._parts(1, 10_000, training=False) == 1
    assert large._parts(16, 10_000, training=False) == 2


@pytest.mark.parametrize("Estimator", [LSTMRegressor, WindowMLPRegressor], ids=name)
def test_a_predict_in_two_halves_is_the_same_on_one_thread_and_on_two(
    Estimator, split_every_minibatch, monkeypatch
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 12))
    model = Estimator(hidden_layer_sizes=(5,), max_iter=2, window=10 if Estimator is
                      WindowMLPRegressor else None, random_state=0).fit(X, X[:, -1])
    monkeypatch.setattr(_network, "_PREDICT_WORKSPACE_BYTES", 3000)  # halves in chunks
    calls = _recording_parts(monkeypatch)
    sequences = [rng.normal(size=int(n)) for n in rng.randint(10, 30, size=300)]
    predictions = {}
    for threads in (1, 2):
        monkeypatch.setenv("SKRNN_NUM_THREADS", str(threads))
        calls.clear()
        predictions[threads] = (model.predict(X), model.predict(sequences))
        assert len(calls) == 2 and all(parallel == (threads == 2) for parallel, _ in calls)
    for one, two in zip(predictions[1], predictions[2]):
        np.testing.assert_array_equal(one, two)
    # Each half in its place (the list's halves alternate along the lengths).
    alone = [model.predict(X[i : i + 1])[0] for i in (0, 199)]
    np.testing.assert_allclose(predictions[1][0][[0, 199]], alone, rtol=1e-12)
    alone = [model.predict(sequences[i : i + 1])[0] for i in range(0, 300, 7)]
    np.testing.assert_allclose(predictions[1][1][0:300:7], alone, rtol=1e-12)


def test_two_threads_only_when_the_process_may_use_them(monkeypatch):
    monkeypatch.delenv("SKRNN_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(_threads, "_usable_cores", lambda: 2)
    assert _threads.parallel_parts()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # as joblib's and dask's workers set it
    assert not _threads.parallel_parts()
    monkeypatch.setenv("SKRNN_NUM_THREADS", "2")  # skrnn's own setting comes first
    assert _threads.parallel_parts()
    monkeypatch.setattr(_threads, "_usable_cores", lambda: 1)
    assert not _threads.parallel_parts()


def test_concurrent_fits_leave_the_second_core_to_each_other(monkeypatch):
    monkeypatch.delenv("SKRNN_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(_threads, "_usable_cores", lambda: 2)
    other_inside, done = threading.Event(), threading.Event()

    def other_fit():
        with one_blas_thread():
            other_inside.set()
            done.wait(10)

    thread = threading.Thread(target=other_fit)
    thread.start()
    other_inside.wait(10)
    try:
        with one_blas_thread():
            assert not _threads.parallel_parts()
    finally:
        done.set()
        thread.join()
    with one_blas_thread(), one_blas_thread():  # nested in one thread: one user
        assert _threads.parallel_parts()


@pytest.mark.parametrize("value", ["two", "1.5", "0"])
def test_a_thread_setting_that_is_not_a_number_is_a_clear_error(value, monkeypatch):
    monkeypatch.setenv("SKRNN_NUM_THREADS", value)
    X = np.random.RandomState(0).normal(size=(40, 6))
    with pytest.raises(ValueError, match="SKRNN_NUM_THREADS=.* is not a number of threads"):
        LSTMRegressor(max_iter=1).fit(X, X[:, 0])
    monkeypatch.delenv("SKRNN_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", value)  # OpenMP's variable: ignored, as OpenMP does
    assert _threads.thread_setting() is None


def test_an_error_in_a_part_reaches_the_caller_after_the_other_thread_ended():
    ended = []

    def part(i, slot):
        if slot == 1:
            raise RuntimeError("worker's part")
        time.sleep(0.05)
        ended.append(i)
        return i

    # The worker thread may wake after the caller has taken every part; the
    # caller then takes them all and nothing fails.
    for _ in range(20):
        ended.clear()
        try:
            assert _threads.run_parts(part, 3, True) == [0, 1, 2]
        except RuntimeError as error:
            assert "worker's part" in str(error)
            assert len(ended) in (1, 2)  # the caller's part ended, no part after the error
            return
    pytest.fail("the worker thread never took a part")


def test_both_threads_take_parts_and_each_part_runs_once_in_its_place():
    ran = []

    def part(i, slot):
        time.sleep(0.01)
        ran.append((i, slot))
        return 10 * i

    assert _threads.run_parts(part, 8, True) == [10 * i for i in range(8)]
    assert sorted(i for i, _ in ran) == list(range(8))
    assert {slot for _, slot in ran} == {0, 1}
    ran.clear()
    assert _threads.run_parts(part, 3, False) == [0, 10, 20]
    assert ran == [(0, 0), (1, 0), (2, 0)]


def test_a_part_the_worker_has_not_started_runs_on_the_caller(monkeypatch):
    # The worker thread is busy (here: blocked) when the caller comes free:
    # the caller takes the remaining parts itself instead of waiting.
    release = threading.Event()
    _threads.run_parts(lambda i, slot: None, 2, True)  # the worker thread exists
    blocker = _threads._pool.submit(release.wait, 10)
    ran = []
    try:
        future = threading.Thread(
            target=lambda: ran.extend(_threads.run_parts(lambda i, slot: slot, 4, True)))
        future.start()
        future.join(5)
        assert not future.is_alive()
        assert ran == [0, 0, 0, 0]  # every part in the caller's slot
    finally:
        release.set()
        blocker.result()


def _in_a_new_process(function, **env):
    # What skrnn._threads.<function>() prints in a fresh process with these
    # environment variables: OpenBLAS reads OPENBLAS_CORETYPE as it loads.
    code = f"from skrnn._threads import {function}; print({function}())"
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _kernels_blas_info():
    # threadpoolctl's view of the BLAS the kernels call: SciPy's library
    # where NumPy loads another, else every loaded one.
    import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's library)

    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    return [lib for lib in blas if _threads._in_scipy(lib["filepath"])] or blas


def test_small_products_are_direct_only_with_openblas_kernels_for_avx512():
    # The real library: its core as this machine selects it, then forced to
    # its AVX2 kernels (OPENBLAS_CORETYPE), which copy every product's
    # operands. Another BLAS (MKL, Accelerate) has no direct products here.
    scipys = _kernels_blas_info()
    avx512 = all(lib["internal_api"] == "openblas"
                 and lib["architecture"].lower() in ("skylakex", "cooperlake", "sapphirerapids")
                 for lib in scipys)
    assert _threads.direct_product_size() == (10**6 if avx512 else 0)
    assert int(_in_a_new_process("direct_product_size")) == _threads.direct_product_size()
    if all(lib["internal_api"] == "openblas" for lib in scipys):
        assert int(_in_a_new_process("direct_product_size", OPENBLAS_CORETYPE="Haswell")) == 0


def test_the_user_is_told_of_openblas_avx2_kernels_only_on_a_cpu_with_avx512():
    # The real library, forced to its AVX2 kernels as OpenBLAS 0.3.30 runs
    # them on a Zen 5, then to its AVX-512 ones (on a CPU that has them).
    if not all(lib["internal_api"] == "openblas" for lib in _kernels_blas_info()):
        pytest.skip("OPENBLAS_CORETYPE selects the kernels of OpenBLAS only")
    features = llvm.get_host_cpu_features()
    avx512 = all(features.get(name) for name in _threads._AVX512_FEATURES)
    advice = _in_a_new_process("blas_advice", OPENBLAS_CORETYPE="Haswell")
    if avx512:
        assert "runs its AVX2 kernels (Haswell)" in advice
        assert "OPENBLAS_CORETYPE=SkylakeX" in advice
        assert _in_a_new_process("blas_advice", OPENBLAS_CORETYPE="SkylakeX") == "None"
    else:
        assert advice == "None"


@pytest.mark.parametrize("path, scipys", [
    ("/env/lib/python3.11/site-packages/scipy.libs/libscipy_openblas-6cdc3b4a.so", True),
    ("/env/lib/python3.11/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so", False),
    ("/env/lib/python3.11/site-packages/scipy/.dylibs/libscipy_openblas.dylib", True),
    ("/env/lib/libopenblas.so.0", False),
])
def test_scipys_own_blas_is_told_by_its_folder_not_its_name(path, scipys):
    assert _threads._in_scipy(path) == scipys


@pytest.mark.parametrize("direct", [10**6, 0], ids=["direct products", "none"])
@pytest.mark.parametrize("kind, units, features, rows", [
    ("rnn", 64, 1, 240), ("rnn", 128, 8, 56), ("gru", 64, 1, 80), ("gru", 128, 8, 20),
])
def test_predict_chunks_are_products_the_blas_computes_directly(direct, kind, units, features,
                                                                rows):
    # A batch-major step's rows are its sequences. A 64-unit RNN on one
    # feature multiplies 65 by 64 weights a row: 240 rows to a direct
    # product, a multiple of 4 (the direct kernels' fastest); a 128-unit
    # GRU on 8 features, 128 by 384 (its recurrent product, the larger):
    # 20. Where the BLAS computes none directly, the chunks are larger.
    net = _network.Network(kind, features, (units,), 1)
    net.kernel_net = net.kernel_net._replace(direct=np.int64(direct))
    for dtype in (np.float32, np.float64):
        chunk = net._predict_batch_size(50, 10**6, dtype)
        assert chunk == rows if direct else chunk > rows


@pytest.mark.parametrize("direct", [10**6, 0], ids=["direct products", "none"])
@pytest.mark.parametrize("units, features, rows32, rows64", [(64, 1, 96, 48), (128, 8, 32, 16)])
def test_lstm_predict_chunks_are_whole_vectors_with_the_step_operand_in_l1(direct, units,
                                                                          features, rows32,
                                                                          rows64):
    # The LSTM's step multiplies its weights by [x ; h ; 1] (K, b), a
    # sequence per column: a chunk of b sequences is a multiple of two
    # 512-bit vectors (32 float32 values, 16 float64) that keeps that
    # operand within 32 KB. K = 66: 124 float32 columns fit, of which 96;
    # K = 137: 59, of which 32. Without direct products, the 1 MB budget.
    net = _network.Network("lstm", features, (units,), 1)
    net.kernel_net = net.kernel_net._replace(direct=np.int64(direct))
    for dtype, rows in ((np.float32, rows32), (np.float64, rows64)):
        chunk = net._predict_batch_size(50, 10**6, dtype)
        assert chunk == rows if direct else chunk > 2 * rows
    # K = 2009 (2,000 features): not even a vector pair's columns fit in
    # 32 KB, so one pair (32 float32 columns) of the 42 sequences that the
    # 1 MB budget holds at one step; at 5 steps it holds 18, which it keeps.
    wide = _network.Network("lstm", 2000, (8,), 1)
    wide.kernel_net = wide.kernel_net._replace(direct=np.int64(direct))
    assert wide._predict_batch_size(1, 10**6, np.float32) == (32 if direct else 42)
    assert wide._predict_batch_size(5, 10**6, np.float32) == 18


def test_predict_chunks_count_only_what_each_sequence_adds():
    # The LSTM's workspace holds its weights transposed once, whatever the
    # chunk: a chunk takes as many sequences as their own values fit in the
    # budget (with the weights counted, the 128-unit float64 LSTM's chunks
    # would hold half as many). One sequence's step keeps the batch-major
    # product: its workspace holds no transposed weights.
    net = _network.Network("lstm", 8, (128,), 1)
    net.kernel_net = net.kernel_net._replace(direct=np.int64(0))
    one, two, three = (net._workspace_layout(100, b, False)[0] for b in (1, 2, 3))
    per_sequence = (three - two) * 8
    assert one == three - two
    assert two - 2 * (three - two) >= 4 * 128 * (8 + 128)
    chunk = net._predict_batch_size(100, 10**6, np.float64)
    assert chunk * per_sequence <= _network._PREDICT_WORKSPACE_BYTES < (chunk + 1) * per_sequence


def test_a_split_predict_runs_the_chunks_predict_chunks_reports(split_every_minibatch,
                                                                 monkeypatch):
    # The speed benchmark times these chunks' products as predict's floor.
    X = np.random.RandomState(0).normal(size=(200, 12))
    model = LSTMRegressor(hidden_layer_sizes=(5,), max_iter=1, random_state=0).fit(X, X[:, -1])
    monkeypatch.setattr(_network, "_PREDICT_WORKSPACE_BYTES", 3000)
    split, batch = model._net.predict_chunks(200, 12, np.dtype(np.float64))
    assert split and batch < 25  # at most an eighth of the sequences, as the bytes allow
    sizes, run = [], _network.run_parts

    def recording(part, n_parts, parallel):
        sizes.append(n_parts)
        return run(part, n_parts, parallel)

    monkeypatch.setattr(_network, "run_parts", recording)
    model.predict(X)
    assert sizes == [-(-200 // batch)]
