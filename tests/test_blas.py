"""skrnn._kernels.blas.gemm, called from compiled code as the kernels call it,
against NumPy's matrix product."""

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError

from skrnn._kernels.blas import dot, gemm


@njit
def _compiled(A, B, C, beta):
    gemm(A, B, C, beta)


DTYPES = [np.float32, np.float64]


def _operands(dtype, seed=0):
    rng = np.random.RandomState(seed)
    return (rng.normal(size=(5, 30, 12)).astype(dtype), rng.normal(size=(5, 30, 7)).astype(dtype),
            rng.normal(size=(12, 9)).astype(dtype))


def _rtol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta", [0.0, 1.0, 0.5])
def test_a_transposed_block_of_steps_times_its_gradients_is_added_with_beta(dtype, beta):
    # The weight gradients' call: X[t:t_hi] reshaped and transposed (columns
    # contiguous) times dZ[t:t_hi], into dW scaled by beta.
    X, dZ, _ = _operands(dtype)
    A, B = X[1:3].reshape(60, 12).T, dZ[1:3].reshape(60, 7)
    C = np.random.RandomState(1).normal(size=(12, 7)).astype(dtype)
    expected = A.astype(np.float64) @ B + beta * C
    _compiled(A, B, C, beta)
    np.testing.assert_allclose(C, expected, rtol=_rtol(dtype), atol=_rtol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_beta_zero_never_reads_c(dtype):
    X, dZ, _ = _operands(dtype)
    C = np.full((30, 7), np.nan, dtype=dtype)
    _compiled(X[0], dZ[0, :12], C, 0.0)  # (30, 12) @ (12, 7)
    np.testing.assert_allclose(C, X[0] @ dZ[0, :12], rtol=_rtol(dtype), atol=_rtol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_and_columns_apart_in_memory(dtype):
    # A slice of columns (rows apart by the full width), a transposed
    # matrix (as W_hh.T), and a block of rows of the output.
    X, _, W = _operands(dtype)
    A = X[2][:, 3:10]  # (30, 7), row stride 12
    Bt = W[:9, :7].T  # (7, 9), columns contiguous
    out = np.zeros((40, 9), dtype=dtype)
    _compiled(A, Bt, out[5:35], 1.0)
    np.testing.assert_allclose(out[5:35], A @ Bt, rtol=_rtol(dtype), atol=_rtol(dtype))
    assert not out[:5].any() and not out[35:].any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_products(dtype):
    X, _, W = _operands(dtype)
    C = np.ones((0, 4), dtype=dtype)
    _compiled(X[0][:0], W[:12, :4], C, 0.0)  # no rows: nothing to do
    C = np.ones((4, 3), dtype=dtype)
    _compiled(X[0][:4, :0], W[:0, :3], C, 0.5)  # k = 0: C = beta * C
    np.testing.assert_array_equal(C, 0.5)
    _compiled(X[0][:4, :0], W[:0, :3], C, 0.0)
    np.testing.assert_array_equal(C, 0.0)


def test_shapes_that_do_not_match_are_refused():
    X, _, W = _operands(np.float64)
    with pytest.raises(ValueError, match="shapes of A, B and C do not match"):
        _compiled(X[0], W[:7, :3], np.zeros((30, 3)), 0.0)  # (30, 12) @ (7, 3)
    with pytest.raises(ValueError, match="shapes of A, B and C do not match"):
        _compiled(X[0], W[:12, :3], np.zeros((30, 4)), 0.0)


def test_an_operand_with_neither_rows_nor_columns_contiguous_is_refused():
    X, _, W = _operands(np.float64)
    with pytest.raises(ValueError, match="its rows and its columns apart in memory"):
        _compiled(X[0][::2, ::2], W[:6, :3], np.zeros((15, 3)), 0.0)
    with pytest.raises(ValueError, match="its rows and its columns apart in memory"):
        _compiled(X[0][:, :6], W[:6, :3], np.zeros((3, 30)).T, 0.0)


@pytest.mark.parametrize("beta", [0.0, 2.0])
def test_the_python_body_computes_the_same(beta):
    X, dZ, _ = _operands(np.float64)
    A, B = X[1:3].reshape(60, 12).T, dZ[1:3].reshape(60, 7)
    C1 = np.random.RandomState(2).normal(size=(12, 7))
    C2 = C1.copy()
    gemm(A, B, C1, beta)
    _compiled(A, B, C2, beta)
    np.testing.assert_allclose(C1, C2, rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta", [0.0, 1.0])
def test_products_with_one_row_or_one_column(dtype, beta):
    # One sequence's step (a single row) and a head with one output (a
    # single column), computed as matrix-vector products, with the matrix's
    # rows or its columns contiguous; an output that beta = 0 must not read
    # (NaN) or that beta = 1 adds to. A vector whose values lie apart in
    # memory goes through the matrix routine instead: the same products.
    X, _, W = _operands(dtype)
    Wt = np.ascontiguousarray(W.T).T  # W, columns contiguous
    w = np.ascontiguousarray(W[:, :1])  # a column, contiguous
    cases = [(X[0][:1], W, (1, 9)), (X[0][:1], Wt, (1, 9)), (X[0][:12, :1].T, W, (1, 9)),
             (X[0], w, (30, 1)), (np.asfortranarray(X[0]), w, (30, 1)),
             (X[0], W[:, 1:2], (30, 1)), (X[0][:1], w, (1, 1)), (X[0][:1], W[:, :1], (1, 1))]
    for A, B, shape in cases:
        start = np.full(shape, np.nan if beta == 0 else 0.5, dtype=dtype)
        C = start.copy()
        _compiled(A, B, C, beta)
        expected = A.astype(np.float64) @ B + (beta * start if beta else 0.0)
        np.testing.assert_allclose(C, expected, rtol=_rtol(dtype), atol=_rtol(dtype))


@njit
def _compiled_dot(a, b):
    return dot(a, b)


@njit
def _numpy_dot(a, b):
    return np.dot(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_dot_is_compiled_np_dot_to_the_last_bit(dtype, n):
    # The gradient norm of every minibatch: same BLAS call as np.dot's
    # compiled code, so the same clipping and the same models as before.
    a, b = np.random.RandomState(n).normal(size=(2, n)).astype(dtype)
    assert _compiled_dot(a, b) == _numpy_dot(a, b)
    assert _compiled_dot(a, a) == _numpy_dot(a, a)


def test_dot_of_vectors_not_contiguous_is_refused():
    with pytest.raises(TypingError):
        _compiled_dot(np.ones(10)[::2], np.ones(5))
