"""Dense (fully connected) layer: the window MLP and the output head."""

import numpy as np
from numba import njit

from .activations import JIT, activate_rows, multiply_derivative


@njit(**JIT)
def dense_forward(X, W, b, kind, out):
    """out = activation(X @ W + b); X (B, n_in), W (n_in, n_out), out (B, n_out)."""
    np.dot(X, W, out)
    activate_rows(out, b, kind)


@njit(**JIT)
def dense_backward(X, W, A, dA, kind, dW, db, dX, need_dX):
    """Gradients of a dense layer.

    ``dA`` holds the gradient of the loss with respect to the outputs ``A``
    and is overwritten with the gradient with respect to the pre-activations.
    ``dW`` and ``db`` are written (not accumulated); ``dX`` only when
    ``need_dX``.
    """
    multiply_derivative(dA, A, kind)
    np.dot(X.T, dA, dW)
    column_sums(dA, db)
    if need_dX:
        np.dot(dA, W.T, dX)


@njit(**JIT)
def column_sums(A, out):
    """out[j] = sum_i A[i, j]: bias gradients."""
    out[:] = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[j] += A[i, j]


@njit(**JIT)
def add_input_product(x, W, out, scratch):
    """out += x @ W. By hand for one input feature (a univariate series),
    where the BLAS call costs more than its multiplications; otherwise
    ``scratch`` (the shape of ``out``) holds the BLAS product."""
    if x.shape[1] != 1:
        np.dot(x, W, scratch)
        out += scratch
        return
    w = W[0]
    for i in range(x.shape[0]):
        xi, oi = x[i, 0], out[i]
        for j in range(oi.shape[0]):
            oi[j] += xi * w[j]
