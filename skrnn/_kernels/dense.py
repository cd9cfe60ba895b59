"""Dense (fully connected) layer: the window MLP and the output head."""

import numpy as np
from numba import njit

from .activations import activate, derivative_from_output


@njit(cache=True, nogil=True)
def dense_forward(X, W, b, kind, out):
    """out = activation(X @ W + b); X (B, n_in), W (n_in, n_out), out (B, n_out)."""
    np.dot(X, W, out)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = activate(out[i, j] + b[j], kind)


@njit(cache=True, nogil=True)
def dense_backward(X, W, A, dA, kind, dW, db, dX, need_dX):
    """Gradients of a dense layer.

    ``dA`` holds the gradient of the loss with respect to the outputs ``A``
    and is overwritten with the gradient with respect to the pre-activations.
    ``dW`` and ``db`` are written (not accumulated); ``dX`` only when
    ``need_dX``.
    """
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            dA[i, j] *= derivative_from_output(A[i, j], kind)
    np.dot(X.T, dA, dW)
    db[:] = 0.0
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            db[j] += dA[i, j]
    if need_dX:
        np.dot(dA, W.T, dX)
