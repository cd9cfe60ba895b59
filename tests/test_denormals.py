"""The kernels flush denormals to zero while they run, and only then."""

import platform

import numpy as np
import pytest
from numba import njit

from skrnn import LSTMRegressor
from skrnn._kernels import denormals
from skrnn._kernels.denormals import FTZ_DAZ
from skrnn._network import Network

X86 = platform.machine().lower() in ("x86_64", "amd64")
TINY = np.float32(1e-40)  # a float32 denormal

# The two are helpers, compiled into the kernels that call them: these small
# kernels call them from Python.
flush_denormals = njit(lambda: denormals.flush_denormals())
restore = njit(lambda state: denormals.restore(state))


def _thread_flushes():
    # Whether the calling thread has FTZ and DAZ set, leaving it unchanged.
    state = flush_denormals()
    restore(state)
    return state & FTZ_DAZ == FTZ_DAZ


@pytest.mark.skipif(not X86, reason="the kernels flush denormals on x86-64 only")
def test_flush_and_restore_round_trip_the_callers_setting():
    assert not _thread_flushes()
    state = flush_denormals()
    try:
        assert _thread_flushes()
        assert np.float32(1e-38) * np.float32(0.01) == 0  # computed with FTZ
    finally:
        restore(state)
    assert not _thread_flushes()
    assert np.float32(1e-38) * np.float32(0.01) > 0


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_predict_reads_a_denormal_as_zero_and_leaves_the_thread_as_it_was(kind):
    net = Network(kind, 2, (3,), 1)
    params = np.zeros(net.layout.size, dtype=np.float32)
    net.layout.views(params)["output.b"][:] = TINY  # every prediction is the bias
    X = np.ones((4, 2, 2), dtype=np.float32)
    expected = 0.0 if X86 else TINY
    np.testing.assert_array_equal(net.predict(params, X), expected)
    if X86:
        assert not _thread_flushes()


def test_a_fit_leaves_the_callers_thread_as_it_was():
    X = np.random.RandomState(0).normal(size=(20, 5, 1)).astype(np.float32)
    LSTMRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, X[:, -1, 0]).predict(X)
    assert not _thread_flushes()
