"""Vanilla (Elman) recurrent layer: h_t = act(x_t @ W_ih + h_{t-1} @ W_hh + b)."""

import numpy as np
from numba import njit

from .activations import INLINE, JIT, TANH, activate_rows
from .dense import add_input_product, column_sums


@njit(**INLINE)
def rnn_step(x, W_ih, W_hh, b, kind, h_prev, h, rec):
    """One step of the layer (the loop over steps is
    :func:`skrnn._kernels.train.recurrent_forward`): h = act(x @ W_ih +
    h_prev @ W_hh + b), ``h`` distinct from ``h_prev``. The recurrent
    product goes straight into ``h`` and the input product is added to it.
    rec : (B, H) scratch."""
    np.dot(h_prev, W_hh, h)
    add_input_product(x, W_ih, h, rec)
    activate_rows(h, b, kind)


@njit(**JIT)
def rnn_backward(X, W_ih, W_hh, kind, Hs, dH, t_stop, dZ, carry, dW_ih, dW_hh, db, dX, need_dX):
    """Backpropagation through time for the steps of :func:`rnn_step`.

    dH : (T, B, H) gradient of the loss with respect to each step's output
    (from the layer above or the head). Steps before ``t_stop`` are cut from
    the graph (truncated BPTT): no gradient reaches them or flows through
    them. dZ : (T, B, H) and carry : (B, H) scratch. Weight gradients are
    written, not accumulated.
    """
    T, B, D = X.shape
    dZ[:t_stop] = 0.0
    carry[:] = 0.0
    for t in range(T - 1, t_stop - 1, -1):
        dz = dZ[t]
        _pre_activation_grad(dH[t], carry, Hs[t + 1], kind, dz)
        if t > t_stop:
            np.dot(dz, W_hh.T, carry)
    recurrent_weight_grads(X, Hs, dZ, dW_ih, dW_hh, db)
    if need_dX:
        np.dot(dZ.reshape(T * B, dZ.shape[2]), W_ih.T, dX.reshape(T * B, D))


@njit(**JIT)
def _pre_activation_grad(dh, carry, h, kind, dz):
    # dz = (dh + carry) * act'(h) for the RNN's activations (tanh, relu), in
    # one vectorised pass instead of three (copy, add, multiply): a tenth of
    # the backward time on the benchmark's models.
    n = dz.size
    g, c, a, d = dh.reshape(n), carry.reshape(n), h.reshape(n), dz.reshape(n)
    if kind == TANH:
        for j in range(n):
            d[j] = (g[j] + c[j]) * (1.0 - a[j] * a[j])
    else:
        for j in range(n):
            d[j] = g[j] + c[j] if a[j] > 0 else 0.0


@njit(**JIT)
def recurrent_weight_grads(X, Hs, dZ, dW_ih, dW_hh, db):
    """All timesteps' weight gradients as two large products after the
    backward loop, not one small product a step; shared with the LSTM."""
    T, B, D = X.shape
    H = Hs.shape[2]
    dZ2 = dZ.reshape(T * B, dZ.shape[2])
    np.dot(X.reshape(T * B, D).T, dZ2, dW_ih)
    np.dot(Hs[:T].reshape(T * B, H).T, dZ2, dW_hh)
    column_sums(dZ2, db)
