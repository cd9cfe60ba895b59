"""Vanilla (Elman) recurrent layer: h_t = act(x_t @ W_ih + h_{t-1} @ W_hh + b),
computed as act([x_t | h_{t-1}] @ [W_ih; W_hh] + b) (one product: stack_step)."""

from typing import NamedTuple

from numba import njit

from .activations import TANH, activate_rows
from .blas import gemm_direct
from .config import INLINE, helper, implementation
from .layout import (
    CARRY,
    GRAD,
    STACKED,
    STEP,
    TRANSPOSED,
    named,
    rows,
    vector,
    view2,
    view3,
    zero,
)
from .recurrent import (
    add_weight_grads,
    block_product,
    cell_rows,
    completed_block,
    first_real_row,
    gradient_below,
    layer_gradients,
    layer_input,
    output_read,
    recurrent_cell,
    stack_step,
    start_backward,
    steps_per_product,
    transpose,
    zero_padding_rows,
)

# W_ih and W_hh adjacent, in this order: the forward views them as one
# matrix [W_ih; W_hh] (n_in + H, H).
WEIGHTS = named(
    W_ih=("inputs", 1, "glorot"),
    W_hh=("hidden", 1, "orthogonal"),
    b=(None, 1, "zeros"),
)

ROWS = cell_rows(
    # [x_t | h_{t-1}], the operand of the step's product: one step's, in
    # cache. The weight gradients read x_t and h_{t-1} where the layer keeps
    # them anyway (its input, ``hs``): kept for every step, it was 28 MB of
    # fresh memory written and read again a minibatch half of the
    # 256/100/8/128 float64 RNN.
    xh=(STEP, STACKED),
    # The gradient at the pre-activations, a row per step: as a ring of the
    # weight-gradient blocks (see gru.ROWS), fits of the 256/100/8/128 RNN
    # measured within the noise (x0.87 to x1.19, 5 pairs): its (b, H) a step
    # is a sixth of the GRU's two (b, 3H).
    dz=(GRAD, 1),
    carry=(CARRY, 1),  # gradient reaching h_t from step t + 1
    w_hh_t=(TRANSPOSED, 1),  # W_hh.T, for the backward's products
)


@njit(**INLINE)
def rnn_step(xh, W, b, kind, h, direct):
    """One step: h = act(xh @ W + b) from ``xh`` = [x_t | h_{t-1}] (B, D +
    H) and W = [W_ih; W_hh] (D + H, H), ``h`` distinct from ``xh``."""
    gemm_direct(xh, W, h, 0.0, direct)
    activate_rows(h, b, kind)


@implementation
def rnn_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The layers over a gathered minibatch ``xb`` (T, b, D), time-major;
    ``recurrent.top_output`` then views the top layer's last output (see
    ``train.network_forward`` and ``recurrent.layer_input``). Writes
    hs[t + 1] = h_t, hs[0] = 0."""
    for k in range(sizes.shape[0] - 2):
        inp, H, n_states = layer_input(xb, sizes, ws, w_off, keep, k)
        T, b, n_in = inp.shape
        W = view2(params, p_off[k, WEIGHTS.W_ih], n_in + H, H)  # W_ih over W_hh
        bias = vector(params, p_off[k, WEIGHTS.b], H)
        Hs = view3(ws, w_off[k, ROWS.hs], n_states, b, H)
        xh = view2(ws, w_off[k, ROWS.xh], b, n_in + H)
        zero(Hs[0])
        for t in range(T):
            p = first_real_row(lead, t)
            stack_step(rows(inp[t], p), rows(Hs[t % n_states], p), rows(xh, p))
            rnn_step(rows(xh, p), W, bias, net.activation, rows(Hs[(t + 1) % n_states], p),
                     net.direct)
            zero_padding_rows(Hs[(t + 1) % n_states], lead, t)


@implementation
def rnn_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                 lead):
    """Backpropagation through time, top layer first, from ``d_top`` (see
    ``train.network_backward`` and ``recurrent.layer_gradients``)."""
    t_stop = start_backward(xb, bptt_steps, sizes, ws, s_off, d_top)
    L = sizes.shape[0] - 2
    for k in range(L - 1, -1, -1):
        inp, H, dH, dX = layer_gradients(xb, sizes, ws, w_off, s_off, k)
        T, B, n_in = inp.shape
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, H)
        W_hh_T = view2(ws, w_off[k, ROWS.w_hh_t], H, H)
        transpose(view2(params, p_off[k, WEIGHTS.W_hh], H, H), W_hh_T)
        Hs = view3(ws, w_off[k, ROWS.hs], T + 1, B, H)
        dZ = view3(ws, w_off[k, ROWS.dz], T, B, H)
        carry = view2(ws, w_off[k, ROWS.carry], B, H)
        dW_ih = view2(grad, p_off[k, WEIGHTS.W_ih], n_in, H)
        dW_hh = view2(grad, p_off[k, WEIGHTS.W_hh], H, H)
        db = vector(grad, p_off[k, WEIGHTS.b], H)
        per_product = steps_per_product(B, n_in + H, H, dZ.itemsize, net.direct)
        zero(carry)
        for t in range(T - 1, t_stop - 1, -1):
            p = first_real_row(lead, t)
            dz = dZ[t]
            _pre_activation_grad(rows(dH[t], p), output_read(k, L, t, T), rows(carry, p),
                                 rows(Hs[t + 1], p), net.activation, rows(dz, p))
            zero_padding_rows(dz, lead, t)
            t_hi = completed_block(t, T, t_stop, per_product)
            if t_hi:  # x_t's and h_{t-1}'s: the steps' input, and hs[t] (h_{t-1})
                block_product(inp, dZ, t, t_hi, t, dW_ih, t_hi == T, net.direct)
                add_weight_grads(Hs, dZ, t, t_hi, t, dW_hh, db, t_hi == T, net.direct)
            if t > t_stop:
                gemm_direct(rows(dz, p), W_hh_T, rows(carry, p), 0.0, net.direct)
        if k > 0:  # one product over the steps (per block, a 2-layer fit took x1.03-1.26)
            gradient_below(dZ, t_stop, W_ih, dX, t_stop, T)


@helper
def _pre_activation_grad(dh, reads_dh, carry, h, kind, dz):
    # dz = (dh + carry) * act'(h) for the RNN's activations (tanh, relu), in
    # one vectorised pass instead of three (copy, add, multiply): a tenth of
    # the backward time on the benchmark's models. Without ``reads_dh``,
    # dz = carry * act'(h): the top layer's dh is zero but at its last step.
    n = dz.size
    g, c, a, d = vector(dh, 0, n), vector(carry, 0, n), vector(h, 0, n), vector(dz, 0, n)
    if kind == TANH and reads_dh:
        for j in range(n):
            d[j] = (g[j] + c[j]) * (1.0 - a[j] * a[j])
    elif kind == TANH:
        for j in range(n):
            d[j] = c[j] * (1.0 - a[j] * a[j])
    elif reads_dh:
        for j in range(n):
            d[j] = g[j] + c[j] if a[j] > 0 else 0.0
    else:
        for j in range(n):
            d[j] = c[j] if a[j] > 0 else 0.0


@recurrent_cell
class RNN(NamedTuple):
    """The Elman cell, as the generic kernels see it: ``activation`` is the
    code of tanh or relu (``direct``: see ``recurrent.steps_per_product``)."""

    activation: int
    direct: int

    weights = WEIGHTS
    rows = ROWS
    step_scratch = 0  # one product a step (stack_step)
    feature_major = False  # a step's rows are its sequences
    forward = rnn_forward
    backward = rnn_backward
