"""``smaller`` and ``larger`` (``skrnn._kernels.scalar``), which the kernels
use instead of ``min`` and ``max``, give the builtins' results."""

import itertools
import math

import numpy as np
from numba import njit

from skrnn._kernels.scalar import larger, smaller


@njit
def _both(a, b):
    return smaller(a, b), larger(a, b), min(a, b), max(a, b)


def _same(x, y):
    # Equal, with the same sign of zero, or both NaN.
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1, x) == math.copysign(1, y)


def test_they_are_min_and_max_including_nan_and_signed_zeros():
    values = [-np.inf, -2.5, -0.0, 0.0, 1.0, np.inf, np.nan]
    for a, b in itertools.product(values, repeat=2):
        small, large, expected_small, expected_large = _both(a, b)
        assert _same(small, min(a, b)) and _same(small, expected_small), (a, b)
        assert _same(large, max(a, b)) and _same(large, expected_large), (a, b)


def test_integers():
    for a, b in itertools.product([-3, 0, 7], repeat=2):
        assert _both(a, b) == (min(a, b), max(a, b), min(a, b), max(a, b))
