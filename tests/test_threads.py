"""skrnn runs its kernels on one BLAS thread and gives the user's setting back."""

import threading

import numpy as np
import pytest
from _helpers import REGRESSORS, name
from threadpoolctl import threadpool_info, threadpool_limits

from skrnn import LSTMRegressor
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
