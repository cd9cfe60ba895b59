"""Vanilla (Elman) recurrent layer: h_t = act(x_t @ W_ih + h_{t-1} @ W_hh + b)."""

import numpy as np
from numba import njit

from .activations import activate, derivative_from_output


@njit(cache=True, nogil=True)
def rnn_forward(X, W_ih, W_hh, b, kind, Hs):
    """Run the layer over a time-major batch.

    X : (T, B, D) inputs. Hs : (T + 1, B, H) written with the hidden states;
    ``Hs[0]`` is the initial state (zeros) and ``Hs[t + 1]`` the output of
    step ``t``.
    """
    T, B, D = X.shape
    H = W_hh.shape[0]
    Hs[0] = 0.0
    # Input projection of every timestep in one product, written in place.
    np.dot(X.reshape(T * B, D), W_ih, Hs[1:].reshape(T * B, H))
    rec = np.empty((B, H), dtype=X.dtype)
    for t in range(T):
        np.dot(Hs[t], W_hh, rec)
        h = Hs[t + 1]
        for i in range(B):
            for j in range(H):
                h[i, j] = activate(h[i, j] + rec[i, j] + b[j], kind)


@njit(cache=True, nogil=True)
def rnn_backward(X, W_ih, W_hh, kind, Hs, dH, t_stop, dW_ih, dW_hh, db, dX, need_dX):
    """Backpropagation through time for :func:`rnn_forward`.

    dH : (T, B, H) gradient of the loss with respect to each step's output
    (from the layer above or the head). Steps before ``t_stop`` are cut from
    the graph (truncated BPTT): no gradient reaches them or flows through
    them. Weight gradients are written, not accumulated.
    """
    T, B, D = X.shape
    H = W_hh.shape[0]
    dZ = np.zeros((T, B, H), dtype=X.dtype)
    carry = np.zeros((B, H), dtype=X.dtype)
    for t in range(T - 1, t_stop - 1, -1):
        h = Hs[t + 1]
        dz = dZ[t]
        for i in range(B):
            for j in range(H):
                dz[i, j] = (dH[t, i, j] + carry[i, j]) * derivative_from_output(
                    h[i, j], kind
                )
        if t > t_stop:
            np.dot(dz, W_hh.T, carry)
    _recurrent_weight_grads(X, Hs, dZ, dW_ih, dW_hh, db)
    if need_dX:
        np.dot(dZ.reshape(T * B, dZ.shape[2]), W_ih.T, dX.reshape(T * B, D))


@njit(cache=True, nogil=True)
def _recurrent_weight_grads(X, Hs, dZ, dW_ih, dW_hh, db):
    # Shared by the RNN and the LSTM: all timesteps' weight gradients as two
    # large products after the backward loop, not one small product a step.
    T, B, D = X.shape
    H = Hs.shape[2]
    G = dZ.shape[2]
    dZ2 = dZ.reshape(T * B, G)
    np.dot(X.reshape(T * B, D).T, dZ2, dW_ih)
    np.dot(Hs[:T].reshape(T * B, H).T, dZ2, dW_hh)
    db[:] = 0.0
    for r in range(T * B):
        for j in range(G):
            db[j] += dZ2[r, j]
