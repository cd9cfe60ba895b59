"""Vanilla (Elman) recurrent layer: h_t = act(x_t @ W_ih + h_{t-1} @ W_hh + b)."""

from typing import NamedTuple

import numpy as np
from numba import njit

from .activations import TANH, activate_rows
from .config import INLINE, helper, implementation
from .dense import add_input_product
from .layout import CARRY, GRAD, named, vector, view2, view3
from .recurrent import (
    bias_grad,
    cell_rows,
    first_real_row,
    layer_gradients,
    layer_input,
    recurrent_cell,
    start_backward,
    weight_grads,
    zero_padding_rows,
)

WEIGHTS = named(
    W_ih=("inputs", 1, "glorot"),
    W_hh=("hidden", 1, "orthogonal"),
    b=(None, 1, "zeros"),
)

ROWS = cell_rows(
    dz=(GRAD, 1),  # gradient at the pre-activations
    carry=(CARRY, 1),  # gradient reaching h_t from step t + 1
)


@njit(**INLINE)
def rnn_step(x, W_ih, W_hh, b, kind, h_prev, h, rec):
    """One step: h = act(x @ W_ih + h_prev @ W_hh + b), ``h`` distinct from
    ``h_prev``. The recurrent product goes straight into ``h`` and the input
    product is added to it. rec : (B, H) scratch."""
    np.dot(h_prev, W_hh, h)
    add_input_product(x, W_ih, h, rec)
    activate_rows(h, b, kind)


@implementation
def rnn_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The layers over a gathered minibatch ``xb`` (T, b, D), time-major;
    returns the top layer's last output (see ``train.network_forward`` and
    ``recurrent.layer_input``). Writes hs[t + 1] = h_t, hs[0] = 0."""
    for k in range(sizes.shape[0] - 2):
        inp, H, n_states, rec = layer_input(xb, sizes, ws, w_off, s_off, keep, k)
        T, b, n_in = inp.shape
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, H)
        W_hh = view2(params, p_off[k, WEIGHTS.W_hh], H, H)
        bias = vector(params, p_off[k, WEIGHTS.b], H)
        Hs = view3(ws, w_off[k, ROWS.hs], n_states, b, H)
        scratch = rec[: b * H].reshape((b, H))
        Hs[0] = 0.0
        for t in range(T):
            p = first_real_row(lead, t)
            rnn_step(inp[t][p:], W_ih, W_hh, bias, net.activation, Hs[t % n_states][p:],
                     Hs[(t + 1) % n_states][p:], scratch[p:])
            zero_padding_rows(Hs[(t + 1) % n_states], lead, t)
    return Hs[T % n_states]  # the top layer's last output


@implementation
def rnn_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                 lead):
    """Backpropagation through time, top layer first, from ``d_top`` (see
    ``train.network_backward`` and ``recurrent.layer_gradients``)."""
    t_stop = start_backward(xb, bptt_steps, sizes, ws, s_off, d_top)
    for k in range(sizes.shape[0] - 3, -1, -1):
        inp, H, dH, dX = layer_gradients(xb, sizes, ws, w_off, s_off, k)
        T, B, n_in = inp.shape
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, H)
        W_hh = view2(params, p_off[k, WEIGHTS.W_hh], H, H)
        Hs = view3(ws, w_off[k, ROWS.hs], T + 1, B, H)
        dZ = view3(ws, w_off[k, ROWS.dz], T, B, H)
        carry = view2(ws, w_off[k, ROWS.carry], B, H)
        dZ[:t_stop] = 0.0
        carry[:] = 0.0
        for t in range(T - 1, t_stop - 1, -1):
            p = first_real_row(lead, t)
            dz = dZ[t]
            _pre_activation_grad(dH[t][p:], carry[p:], Hs[t + 1][p:], net.activation, dz[p:])
            zero_padding_rows(dz, lead, t)
            if t > t_stop:
                np.dot(dz[p:], W_hh.T, carry[p:])
        weight_grads(inp, Hs, dZ, dZ, view2(grad, p_off[k, WEIGHTS.W_ih], n_in, H),
                     view2(grad, p_off[k, WEIGHTS.W_hh], H, H))
        bias_grad(dZ, vector(grad, p_off[k, WEIGHTS.b], H))
        if k > 0:
            np.dot(dZ.reshape(T * B, H), W_ih.T, dX.reshape(T * B, n_in))


@helper
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


@recurrent_cell
class RNN(NamedTuple):
    """The Elman cell, as the generic kernels see it: ``activation`` is the
    code of tanh or relu."""

    activation: int

    weights = WEIGHTS
    rows = ROWS
    step_scratch = 1  # the input product x_t @ W_ih (b, H)
    forward = rnn_forward
    backward = rnn_backward
