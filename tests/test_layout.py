"""The views kernels take of the flat parameter and workspace vectors
(``skrnn._kernels.layout``), built in compiled code without slicing."""

import gc

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError

from skrnn._kernels.layout import vector, view2, view3


@njit
def _views(a, off):
    return vector(a, off, 6), view2(a, off, 2, 3), view3(a, off, 2, 1, 3)


@njit
def _write_through(a, off):
    v = view3(a, off, 2, 2, 2)
    v[1, 0, 1] = -1.0
    view2(a, off, 4, 2)[0, 1] += 10.0


@njit
def _view_of_a_temporary(n):
    # The view outlives the array it was taken of in this function.
    return view2(np.arange(n) * 1.0, 2, 3, 2)


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


def test_writes_to_a_view_reach_the_vector():
    a = np.zeros(12)
    _write_through(a, 3)
    expected = np.zeros(12)
    expected[3 + 5] = -1.0  # [1, 0, 1] of (2, 2, 2)
    expected[3 + 1] = 10.0  # [0, 1] of (4, 2)
    np.testing.assert_array_equal(a, expected)


def test_a_view_keeps_its_vector_alive():
    v = _view_of_a_temporary(10)
    gc.collect()
    np.testing.assert_array_equal(v, np.arange(2.0, 8.0).reshape(3, 2))


def test_a_view_of_an_array_that_is_not_c_contiguous_is_refused():
    # Its values do not lie in order in memory: the view would read others.
    with pytest.raises(TypingError):
        _views(np.arange(40.0)[::2], 0)
