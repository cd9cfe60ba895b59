"""LSTM layer, gates in PyTorch's order: input, forget, cell candidate, output.

    a_t = x_t @ W_ih + h_{t-1} @ W_hh + b          (B, 4H)
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)

Elementwise work is split into loops that each write one array: those
vectorise, a fused loop writing several arrays does not.
"""

import numpy as np
from numba import njit

from .activations import INLINE, JIT, LOGISTIC, TANH, activate_columns, tanh_into
from .dense import add_input_product
from .rnn import recurrent_weight_grads


@njit(**INLINE)
def lstm_step(x, W_ih, W_hh, b, h_prev, h, c_prev, c, g, tc, rec):
    """One step of the layer (the loop over steps is
    :func:`skrnn._kernels.train.recurrent_forward`): gates ``g`` (B, 4H),
    cell state ``c``, tanh(c) ``tc`` and ``h`` from ``x`` (B, D), ``h_prev``
    and ``c_prev``; all arrays distinct. The recurrent product goes straight
    into ``g`` and the input product is added to it (one pass fewer than
    adding two products: a fifth of float32 predict). rec : (B, 4H) scratch."""
    np.dot(h_prev, W_hh, g)
    add_input_product(x, W_ih, g, rec)
    lstm_cell(g, b, c_prev, c, tc, h)


@njit(**JIT)
def lstm_cell(g, b, c_prev, c, tc, h):
    """The elementwise half of a step.

    g : (B, 4H) gate pre-activations without the bias, activated in place;
    then c = f * c_prev + i * g_cand, tc = tanh(c), h = o * tc.
    """
    B, H = h.shape
    activate_columns(g, b, 0, 2 * H, LOGISTIC)  # input and forget gates
    activate_columns(g, b, 2 * H, 3 * H, TANH)  # cell candidate
    activate_columns(g, b, 3 * H, 4 * H, LOGISTIC)  # output gate
    for i in range(B):
        gi, cp, ci = g[i], c_prev[i], c[i]
        i_g, f_g, g_g = gi[:H], gi[H : 2 * H], gi[2 * H : 3 * H]
        for j in range(H):
            ci[j] = f_g[j] * cp[j] + i_g[j] * g_g[j]
    tanh_into(c, tc)
    for i in range(B):
        o_g, tci, hi = g[i, 3 * H :], tc[i], h[i]
        for j in range(H):
            hi[j] = o_g[j] * tci[j]


@njit(**JIT)
def lstm_backward(
    X, W_ih, W_hh, Hs, Cs, Gates, TC, dH, t_stop, dA, dh, dc, dW_ih, dW_hh, db, dX, need_dX
):
    """Backpropagation through time for the steps of :func:`lstm_step`.

    Same contract as :func:`skrnn._kernels.rnn.rnn_backward`: ``dH`` is the
    gradient with respect to each step's hidden output, steps before
    ``t_stop`` are cut from the graph (hidden and cell state alike).
    dA : (T, B, 4H), dh and dc : (B, H) scratch.
    """
    T, B, D = X.shape
    H = W_hh.shape[0]
    dA[:t_stop] = 0.0
    dh[:] = 0.0  # gradient reaching h_t from step t + 1
    dc[:] = 0.0  # gradient reaching c_t from step t + 1
    for t in range(T - 1, t_stop - 1, -1):
        dh += dH[t]
        for i in range(B):
            # Row views indexed from 0: the loops below then vectorise.
            gi, dai, tci, cpi, dhi, dci = Gates[t, i], dA[t, i], TC[t, i], Cs[t, i], dh[i], dc[i]
            i_g, f_g, g_g, o_g = gi[:H], gi[H : 2 * H], gi[2 * H : 3 * H], gi[3 * H :]
            da_i, da_f, da_g, da_o = dai[:H], dai[H : 2 * H], dai[2 * H : 3 * H], dai[3 * H :]
            for j in range(H):
                dci[j] += dhi[j] * o_g[j] * (1.0 - tci[j] * tci[j])
            for j in range(H):
                da_i[j] = dci[j] * g_g[j] * i_g[j] * (1.0 - i_g[j])
            for j in range(H):
                da_f[j] = dci[j] * cpi[j] * f_g[j] * (1.0 - f_g[j])
            for j in range(H):
                da_g[j] = dci[j] * i_g[j] * (1.0 - g_g[j] * g_g[j])
            for j in range(H):
                da_o[j] = dhi[j] * tci[j] * o_g[j] * (1.0 - o_g[j])
            for j in range(H):
                dci[j] *= f_g[j]
        if t > t_stop:
            np.dot(dA[t], W_hh.T, dh)
    recurrent_weight_grads(X, Hs, dA, dW_ih, dW_hh, db)
    if need_dX:
        np.dot(dA.reshape(T * B, 4 * H), W_ih.T, dX.reshape(T * B, D))
