"""The vectorisable sigmoid and tanh: accurate, saturating, never overflowing."""

import warnings

import numpy as np
import pytest
from numba import njit
from scipy.special import expit

from skrnn._kernels.activations import sigmoid, tanh
from skrnn._kernels.config import JIT


@njit(**JIT)
def _apply_tanh(x, out):
    for i in range(x.shape[0]):
        out[i] = tanh(x[i])


@njit(**JIT)
def _apply_sigmoid(x, out):
    for i in range(x.shape[0]):
        out[i] = sigmoid(x[i])


FUNCTIONS = {"tanh": (_apply_tanh, np.tanh), "sigmoid": (_apply_sigmoid, expit)}


def _inputs(dtype):
    return np.concatenate(
        [np.linspace(-100, 100, 40001), np.logspace(-30, 2, 500), -np.logspace(-30, 2, 500)]
    ).astype(dtype)


@pytest.mark.parametrize(
    "name, dtype, max_ulp",
    [("sigmoid", np.float64, 4), ("sigmoid", np.float32, 3),
     ("tanh", np.float64, 4), ("tanh", np.float32, 5)],
)
def test_accurate_to_a_few_ulp(name, dtype, max_ulp):
    fast, reference = FUNCTIONS[name]
    x = _inputs(dtype)
    out = np.empty_like(x)
    fast(x, out)
    assert out.dtype == dtype
    exact = reference(x.astype(np.float64)).astype(dtype)
    error = np.abs(out.astype(np.float64) - exact)
    # Results below the smallest normal float (sigmoid(x) for x < -87 in
    # float32) are flushed to zero; everything else is within a few ulp.
    normal = np.abs(exact) >= np.finfo(dtype).tiny
    assert np.all(error[~normal] <= np.finfo(dtype).tiny)
    assert (error[normal] / np.spacing(np.abs(exact[normal]))).max() <= max_ulp


def test_float32_tanh_within_5_ulp_in_every_binade():
    # The float32 tanh is a rational function: check it at every 257th
    # float32 of [0, 9.1] (every binade, down to the subnormals), not only at
    # the test points above, and that it is odd.
    bits = np.arange(1, np.float32(9.1).view(np.int32), 257, dtype=np.int32)
    x = np.concatenate([bits.view(np.float32), -bits.view(np.float32)])
    out = np.empty_like(x)
    _apply_tanh(x, out)
    exact = np.tanh(x.astype(np.float64)).astype(np.float32)  # correctly rounded
    assert (np.abs(out - exact) / np.spacing(np.abs(exact))).max() <= 5
    np.testing.assert_array_equal(out[: bits.size], -out[bits.size :])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_saturate_exactly_without_overflow(dtype):
    x = np.array([1e4, -1e4, 800, -800, np.inf, -np.inf, 0.0, -0.0], dtype=dtype)
    t, s = np.empty_like(x), np.empty_like(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warnings
        _apply_tanh(x, t)
        _apply_sigmoid(x, s)
    np.testing.assert_array_equal(t, [1, -1, 1, -1, 1, -1, 0, 0])
    assert np.signbit(t[-1]) and not np.signbit(t[-2])
    np.testing.assert_array_equal(s, [1, 0, 1, 0, 1, 0, 0.5, 0.5])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nan_propagates(dtype):
    # A NaN must stay visible so that training detects divergence.
    x = np.array([np.nan], dtype=dtype)
    out = np.empty_like(x)
    for fast, _ in FUNCTIONS.values():
        fast(x, out)
        assert np.isnan(out[0])
