"""The views kernels take of the flat parameter and workspace vectors
(``skrnn._kernels.layout``), built in compiled code without slicing."""

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, WindowMLPRegressor
from skrnn._kernels import config, train
from skrnn._kernels.layout import rows, vector, view2, view3, zero


@njit
def _views(a, off):
    return vector(a, off, 6), view2(a, off, 2, 3), view3(a, off, 2, 1, 3)


@njit
def _write_through(a, off):
    v = view3(a, off, 2, 2, 2)
    v[1, 0, 1] = -1.0
    view2(a, off, 4, 2)[0, 1] += 10.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_views_are_the_slices_they_stand_for(dtype):
    a = np.arange(20, dtype=dtype)
    one, two, three = _views(a, 5)
    np.testing.assert_array_equal(one, a[5:11])
    np.testing.assert_array_equal(two, a[5:11].reshape(2, 3))
    np.testing.assert_array_equal(three, a[5:11].reshape(2, 1, 3))
    for v in (one, two, three):
        assert v.dtype == dtype and v.flags.c_contiguous
        assert np.shares_memory(v, a)


@njit
def _rows(a, p):
    return rows(a, p)


@njit
def _zero(a):
    zero(a)


@pytest.mark.parametrize("shape", [(5,), (5, 3), (5, 2, 3)])
def test_rows_is_the_slice_from_a_row_on(shape):
    # The step loops' a[p:] (rows from the first real one), without the
    # slice's bounds code.
    a = np.arange(np.prod(shape), dtype=float).reshape(shape)
    for p in range(6):
        r = _rows(a, p)
        assert r.shape == a[p:].shape
        np.testing.assert_array_equal(r, a[p:])
    _rows(a, 2)[0] = -1.0
    assert (a[2] == -1.0).all() and (a[1] != -1.0).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_fills_the_array_and_nothing_around_it(dtype):
    a = np.arange(1, 31, dtype=dtype).reshape(5, 2, 3)
    before = a.copy()
    _zero(a[1:3])
    assert not a[1:3].any()
    np.testing.assert_array_equal(a[[0, 3, 4]], before[[0, 3, 4]])


def test_rows_and_zero_refuse_what_they_would_read_wrong():
    with pytest.raises(TypingError):
        _rows(np.ones((4, 4))[:, ::2], 1)
    with pytest.raises(TypingError):
        _zero(np.ones((4, 4)).T)
    with pytest.raises(TypingError):
        _zero(np.ones(4, dtype=np.int64))  # memset's zero bytes are 0.0 for floats


def test_writes_to_a_view_reach_the_vector():
    a = np.zeros(12)
    _write_through(a, 3)
    expected = np.zeros(12)
    expected[3 + 5] = -1.0  # [1, 0, 1] of (2, 2, 2)
    expected[3 + 1] = 10.0  # [0, 1] of (4, 2)
    np.testing.assert_array_equal(a, expected)


def test_a_view_holds_no_reference_to_its_vector():
    # Kernels view only their own arguments, which their callers keep alive,
    # and return no view to Python (next test): counting references cost an
    # atomic instruction at each slice of a view, in every step's row loops.
    a = np.arange(20.0)
    assert all(v.base is None for v in _views(a, 5))


def test_no_kernel_returns_an_array_to_python():
    # A view returned from a kernel (which holds no reference) would
    # outlive the workspace it points into.
    X = np.random.RandomState(0).normal(size=(20, 6, 2))
    y = X[:, -1, 0]
    for Estimator in (RNNRegressor, LSTMRegressor, GRURegressor, WindowMLPRegressor):
        Estimator(hidden_layer_sizes=(4,), max_iter=2).fit(X, y).predict(X)
    kernels = (train.train_epoch, train.part_gradient, train.finish_parts, train.predict)
    returned = [kernel.overloads[sig].signature.return_type
                for kernel in kernels for sig in kernel.signatures]
    assert len(returned) >= 2 * 4  # train_epoch and predict, for each network at least
    assert not any(config._holds_an_array(t) for t in returned)


def test_a_view_of_an_array_that_is_not_c_contiguous_is_refused():
    # Its values do not lie in order in memory: the view would read others.
    with pytest.raises(TypingError):
        _views(np.arange(40.0)[::2], 0)
