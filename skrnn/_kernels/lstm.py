"""LSTM layer, gates in PyTorch's order: input, forget, cell candidate, output.

    a_t = x_t @ W_ih + h_{t-1} @ W_hh + b          (B, 4H)
        = [x_t | h_{t-1}] @ [W_ih; W_hh] + b     (one product: stack_step)
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)

Elementwise work is split into loops over contiguous rows, each computing
one value per element (which it may write to two arrays): those vectorise,
a fused loop computing several values (a gate's activation and its use)
does not.
"""

from typing import NamedTuple

from numba import njit

from .activations import LOGISTIC, TANH, activate_vector, tanh
from .blas import gemm_direct
from .config import INLINE, helper, implementation
from .layout import (
    CARRY,
    GRAD,
    KEPT,
    STACKED,
    STEPS,
    TRANSPOSED,
    named,
    rows,
    vector,
    view2,
    view3,
    zero,
)
from .recurrent import (
    add_into,
    add_weight_grads,
    cell_rows,
    completed_block,
    first_real_row,
    gradient_below,
    layer_gradients,
    layer_input,
    recurrent_cell,
    stack_step,
    start_backward,
    steps_per_product,
    transpose,
    zero_padding_rows,
)

# W_ih and W_hh adjacent, in this order: the kernels view them as one
# matrix [W_ih; W_hh] (n_in + H, 4H), and their gradients likewise.
WEIGHTS = named(
    W_ih=("inputs", 4, "glorot"),
    W_hh=("hidden", 4, "orthogonal"),
    b=(None, 4, "forget_gate_one"),
)

ROWS = cell_rows(
    cs=(KEPT, 1),  # cell states c_t
    xh=(STEPS, STACKED),  # [x_t | h_{t-1}], the operand of the step's product
    gates=(STEPS, 4),  # activated gates i, f, g, o
    tc=(STEPS, 1),  # tanh(c_t)
    dz=(GRAD, 4),  # gradient at the gate pre-activations
    carry_h=(CARRY, 1),  # gradient reaching h_t from step t + 1
    carry_c=(CARRY, 1),  # gradient reaching c_t from step t + 1
    w_hh_t=(TRANSPOSED, 4),  # W_hh.T (4H, H), for the backward's products
)


@njit(**INLINE)
def lstm_step(xh, W, b, h, c_prev, c, g, tc, direct):
    """One step: gates ``g`` (B, 4H), cell state ``c``, tanh(c) ``tc`` and
    ``h`` from ``xh`` = [x_t | h_{t-1}] (B, D + H) and ``c_prev``, all
    arrays distinct: one product with W = [W_ih; W_hh] (D + H, 4H)."""
    gemm_direct(xh, W, g, 0.0, direct)
    lstm_cell(g, b, c_prev, c, tc, h)


@helper
def lstm_cell(g, b, c_prev, c, tc, h):
    """The elementwise half of a step.

    g : (B, 4H) gate pre-activations without the bias, activated in place;
    then c = f * c_prev + i * g_cand, tc = tanh(c), h = o * tc.
    """
    B, H = h.shape
    for i in range(B):
        gi = g[i]
        activate_vector(vector(gi, 0, 2 * H), vector(b, 0, 2 * H), LOGISTIC)  # input, forget
        activate_vector(vector(gi, 2 * H, H), vector(b, 2 * H, H), TANH)  # cell candidate
        activate_vector(vector(gi, 3 * H, H), vector(b, 3 * H, H), LOGISTIC)  # output gate
    for i in range(B):
        gi, cp, ci = g[i], c_prev[i], c[i]
        i_g, f_g, g_g = vector(gi, 0, H), vector(gi, H, H), vector(gi, 2 * H, H)
        for j in range(H):
            ci[j] = f_g[j] * cp[j] + i_g[j] * g_g[j]
    for i in range(B):
        # tanh(c) and h in one loop: it still vectorises, and a step of the
        # 64/50/1/64 float32 LSTM's predict took 1% less than in two.
        o_g, ci, tci, hi = vector(g[i], 3 * H, H), c[i], tc[i], h[i]
        for j in range(H):
            t = tanh(ci[j])
            tci[j] = t
            hi[j] = o_g[j] * t


@helper
def lstm_cell_backward(g, tc, c_prev, dh, dc, da):
    """The elementwise half of a step's backward, :func:`lstm_cell`'s gradients.

    From the activated gates ``g`` (B, 4H), ``tc`` = tanh(c_t), ``c_prev``
    and ``dh``, the gradient reaching h_t: writes ``da`` (B, 4H), the
    gradient at the gate pre-activations, and turns ``dc``, the gradient
    reaching c_t from step t + 1, into the one reaching c_{t-1}. A helper,
    so that its arrays are distinct for LLVM (see ``config.helper``).
    """
    B, H = dh.shape
    for i in range(B):
        # Row views indexed from 0: the loops below then vectorise.
        gi, dai, tci, cpi, dhi, dci = g[i], da[i], tc[i], c_prev[i], dh[i], dc[i]
        i_g, f_g = vector(gi, 0, H), vector(gi, H, H)
        g_g, o_g = vector(gi, 2 * H, H), vector(gi, 3 * H, H)
        da_i, da_f = vector(dai, 0, H), vector(dai, H, H)
        da_g, da_o = vector(dai, 2 * H, H), vector(dai, 3 * H, H)
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


@implementation
def lstm_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The layers over a gathered minibatch ``xb`` (T, b, D), time-major;
    ``recurrent.top_output`` then views the top layer's last output (see
    ``train.network_forward`` and ``recurrent.layer_input``). Without
    ``keep``, two cell states and one step's gates are kept."""
    for k in range(sizes.shape[0] - 2):
        inp, H, n_states = layer_input(xb, sizes, ws, w_off, keep, k)
        T, b, n_in = inp.shape
        G = 4 * H
        kept = T + 1 if keep else 2
        steps = T if keep else 1
        W = view2(params, p_off[k, WEIGHTS.W_ih], n_in + H, G)  # W_ih over W_hh
        bias = vector(params, p_off[k, WEIGHTS.b], G)
        Hs = view3(ws, w_off[k, ROWS.hs], n_states, b, H)
        Cs = view3(ws, w_off[k, ROWS.cs], kept, b, H)
        XH = view3(ws, w_off[k, ROWS.xh], steps, b, n_in + H)
        Gt = view3(ws, w_off[k, ROWS.gates], steps, b, G)
        TCk = view3(ws, w_off[k, ROWS.tc], steps, b, H)
        zero(Hs[0])
        zero(Cs[0])
        for t in range(T):
            p = first_real_row(lead, t)
            # Every row, padding included: the weight gradients read them all.
            stack_step(inp[t], Hs[t % n_states], XH[t % steps])
            lstm_step(rows(XH[t % steps], p), W, bias, rows(Hs[(t + 1) % n_states], p),
                      rows(Cs[t % kept], p), rows(Cs[(t + 1) % kept], p),
                      rows(Gt[t % steps], p), rows(TCk[t % steps], p), net.direct)
            zero_padding_rows(Hs[(t + 1) % n_states], lead, t)
            zero_padding_rows(Cs[(t + 1) % kept], lead, t)


@implementation
def lstm_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                  lead):
    """Backpropagation through time, top layer first, from ``d_top`` (see
    ``train.network_backward`` and ``recurrent.layer_gradients``), through
    the hidden and the cell state alike."""
    t_stop = start_backward(xb, bptt_steps, sizes, ws, s_off, d_top)
    for k in range(sizes.shape[0] - 3, -1, -1):
        inp, H, dH, dX = layer_gradients(xb, sizes, ws, w_off, s_off, k)
        T, B, n_in = inp.shape
        G = 4 * H
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, G)
        W_hh_T = view2(ws, w_off[k, ROWS.w_hh_t], G, H)
        transpose(view2(params, p_off[k, WEIGHTS.W_hh], H, G), W_hh_T)
        Cs = view3(ws, w_off[k, ROWS.cs], T + 1, B, H)
        Gates = view3(ws, w_off[k, ROWS.gates], T, B, G)
        TC = view3(ws, w_off[k, ROWS.tc], T, B, H)
        dA = view3(ws, w_off[k, ROWS.dz], T, B, G)
        dh = view2(ws, w_off[k, ROWS.carry_h], B, H)
        dc = view2(ws, w_off[k, ROWS.carry_c], B, H)
        XH = view3(ws, w_off[k, ROWS.xh], T, B, n_in + H)
        dW = view2(grad, p_off[k, WEIGHTS.W_ih], n_in + H, G)  # [dW_ih; dW_hh]
        db = vector(grad, p_off[k, WEIGHTS.b], G)
        per_product = steps_per_product(B, n_in + H, G, dA.itemsize, net.direct)
        zero(dh)
        zero(dc)
        for t in range(T - 1, t_stop - 1, -1):
            p = first_real_row(lead, t)
            add_into(rows(dh, p), rows(dH[t], p))
            lstm_cell_backward(rows(Gates[t], p), rows(TC[t], p), rows(Cs[t], p), rows(dh, p),
                               rows(dc, p), rows(dA[t], p))
            zero_padding_rows(dA[t], lead, t)
            t_hi = completed_block(t, T, t_stop, per_product)
            if t_hi:
                add_weight_grads(XH, dA, t, t_hi, dW, db, t_hi == T, net.direct)
            if t > t_stop:
                gemm_direct(rows(dA[t], p), W_hh_T, rows(dh, p), 0.0, net.direct)
        if k > 0:
            gradient_below(dA, W_ih, dX, t_stop)


@recurrent_cell
class LSTM(NamedTuple):
    """The LSTM cell, as the generic kernels see it (``activation`` unused;
    ``direct``: see ``recurrent.steps_per_product``)."""

    activation: int
    direct: int

    weights = WEIGHTS
    rows = ROWS
    step_scratch = 0  # one product a step, into the gates (stack_step)
    forward = lstm_forward
    backward = lstm_backward
