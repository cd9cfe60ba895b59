"""LSTM layer, gates in PyTorch's order: input, forget, cell candidate, output.

    a_t = x_t @ W_ih + h_{t-1} @ W_hh + b          (B, 4H)
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)
"""

import math

import numpy as np
from numba import njit

from .activations import sigmoid
from .rnn import _recurrent_weight_grads


@njit(cache=True, nogil=True)
def lstm_forward(X, W_ih, W_hh, b, Hs, Cs, Gates, TC):
    """Run the layer over a time-major batch.

    X : (T, B, D). Hs, Cs : (T + 1, B, H) hidden and cell states, index 0 the
    initial (zero) state. Gates : (T, B, 4H) gate activations. TC : (T, B, H)
    tanh of the cell state. All outputs are written.
    """
    T, B, D = X.shape
    H = W_hh.shape[0]
    Hs[0] = 0.0
    Cs[0] = 0.0
    np.dot(X.reshape(T * B, D), W_ih, Gates.reshape(T * B, 4 * H))
    rec = np.empty((B, 4 * H), dtype=X.dtype)
    for t in range(T):
        np.dot(Hs[t], W_hh, rec)
        g = Gates[t]
        for i in range(B):
            for j in range(4 * H):
                a = g[i, j] + rec[i, j] + b[j]
                if 2 * H <= j < 3 * H:
                    g[i, j] = math.tanh(a)
                else:
                    g[i, j] = sigmoid(a)
            for j in range(H):
                c = g[i, H + j] * Cs[t, i, j] + g[i, j] * g[i, 2 * H + j]
                Cs[t + 1, i, j] = c
                tc = math.tanh(c)
                TC[t, i, j] = tc
                Hs[t + 1, i, j] = g[i, 3 * H + j] * tc


@njit(cache=True, nogil=True)
def lstm_backward(X, W_ih, W_hh, Hs, Cs, Gates, TC, dH, t_stop, dW_ih, dW_hh, db, dX, need_dX):
    """Backpropagation through time for :func:`lstm_forward`.

    Same contract as :func:`skrnn._kernels.rnn.rnn_backward`: ``dH`` is the
    gradient with respect to each step's hidden output, steps before
    ``t_stop`` are cut from the graph (hidden and cell state alike).
    """
    T, B, D = X.shape
    H = W_hh.shape[0]
    dA = np.zeros((T, B, 4 * H), dtype=X.dtype)
    dh_carry = np.zeros((B, H), dtype=X.dtype)
    dc_carry = np.zeros((B, H), dtype=X.dtype)
    for t in range(T - 1, t_stop - 1, -1):
        g = Gates[t]
        da = dA[t]
        for i in range(B):
            for j in range(H):
                ig = g[i, j]
                fg = g[i, H + j]
                gg = g[i, 2 * H + j]
                og = g[i, 3 * H + j]
                tc = TC[t, i, j]
                dh = dH[t, i, j] + dh_carry[i, j]
                dc = dc_carry[i, j] + dh * og * (1.0 - tc * tc)
                da[i, j] = dc * gg * ig * (1.0 - ig)
                da[i, H + j] = dc * Cs[t, i, j] * fg * (1.0 - fg)
                da[i, 2 * H + j] = dc * ig * (1.0 - gg * gg)
                da[i, 3 * H + j] = dh * tc * og * (1.0 - og)
                dc_carry[i, j] = dc * fg
        if t > t_stop:
            np.dot(da, W_hh.T, dh_carry)
    _recurrent_weight_grads(X, Hs, dA, dW_ih, dW_hh, db)
    if need_dX:
        np.dot(dA.reshape(T * B, 4 * H), W_ih.T, dX.reshape(T * B, D))
