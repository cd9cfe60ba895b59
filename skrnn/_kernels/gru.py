"""GRU layer, gates in PyTorch's order: reset, update, new.

    r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
    z = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
    n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
    h' = (1 - z) * n + z * h  =  n + z * (h - n)

``b_hn`` sits inside ``r * (...)``, so the layer keeps two bias vectors,
``b_ih`` and ``b_hh`` (3H each), and the recurrent and input projections of
the new gate stay apart: the gradient at ``h W_hn`` is ``r`` times that at
``x W_in``. Elementwise loops each write one array, so that they vectorise.
"""

from typing import NamedTuple

from numba import njit

from .activations import sigmoid, tanh
from .blas import gemm_direct
from .config import INLINE, helper, implementation
from .dense import input_product
from .layout import (
    CARRY,
    GRAD,
    SHARED,
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
    output_read,
    recurrent_cell,
    ring_slot,
    start_backward,
    steps_in_cache,
    steps_per_product,
    transpose,
    zero_padding_rows,
)

WEIGHTS = named(
    W_ih=("inputs", 3, "glorot"),
    W_hh=("hidden", 3, "orthogonal"),
    b_ih=(None, 3, "zeros"),
    b_hh=(None, 3, "zeros"),
)

ROWS = cell_rows(
    gates=(STEPS, 3),  # activated r, z and n
    hn=(STEPS, 1),  # h_{t-1} @ W_hn + b_hn, the term r multiplies
    # Gradients at the input projections (and b_ih) and at the recurrent
    # ones (and b_hh): each a ring of its own blocks' steps (see
    # recurrent.ring_slot).
    dz_x=(GRAD, 3),
    dz_h=(GRAD, 3),
    carry=(CARRY, 1),  # gradient reaching h_t from step t + 1
    w_hh_t=(TRANSPOSED, 3),  # W_hh.T (3H, H), for the backward's products
)


@njit(**INLINE)
def gru_step(x, W_ih, W_hh, b_ih, b_hh, h_prev, h, g, hn, rec, direct):
    """One step: activated gates ``g`` (B, 3H), ``hn`` (B, H) and ``h`` from
    ``x`` (B, D) and ``h_prev``; all arrays distinct. The recurrent product
    goes straight into ``g``; rec : (B, 3H) scratch for the input product."""
    gemm_direct(h_prev, W_hh, g, 0.0, direct)
    input_product(x, W_ih, rec)
    gru_cell(g, rec, b_ih, b_hh, h_prev, h, hn)


@helper
def gru_cell(g, xg, b_ih, b_hh, h_prev, h, hn):
    """The elementwise half of a step: ``g`` holds h_prev @ W_hh on entry and
    the activated r, z, n on exit; ``xg`` holds x @ W_ih."""
    B, H = h.shape
    for i in range(B):
        gi, xi, hni = g[i], xg[i], hn[i]
        rz, x_rz = vector(gi, 0, 2 * H), vector(xi, 0, 2 * H)
        bi_rz, bh_rz = vector(b_ih, 0, 2 * H), vector(b_hh, 0, 2 * H)
        for j in range(2 * H):
            rz[j] = sigmoid(rz[j] + bh_rz[j] + x_rz[j] + bi_rz[j])
        n, x_n, r = vector(gi, 2 * H, H), vector(xi, 2 * H, H), vector(gi, 0, H)
        bi_n, bh_n = vector(b_ih, 2 * H, H), vector(b_hh, 2 * H, H)
        for j in range(H):
            hni[j] = n[j] + bh_n[j]
        for j in range(H):
            n[j] = tanh(x_n[j] + bi_n[j] + r[j] * hni[j])
        z, hp, hi = vector(gi, H, H), h_prev[i], h[i]
        for j in range(H):
            hi[j] = n[j] + z[j] * (hp[j] - n[j])


@helper
def gru_cell_backward(g, hn, h_prev, dh, dzx, dzh):
    """The elementwise half of a step's backward, :func:`gru_cell`'s gradients.

    From the activated gates ``g`` (B, 3H), ``hn``, ``h_prev`` and ``dh``,
    the gradient reaching h_t: writes the gradients at the input projections
    ``dzx`` (B, 3H) and at the recurrent ones ``dzh``, and turns ``dh`` into
    the part of the gradient reaching h_{t-1} directly (the caller adds the
    part through W_hh). A helper, so that its arrays are distinct for LLVM
    (see ``config.helper``).
    """
    B, H = dh.shape
    for i in range(B):
        gi, hni, hp, dhi, dxi, dhh = g[i], hn[i], h_prev[i], dh[i], dzx[i], dzh[i]
        r, z, n = vector(gi, 0, H), vector(gi, H, H), vector(gi, 2 * H, H)
        dx_r, dx_z, dx_n = vector(dxi, 0, H), vector(dxi, H, H), vector(dxi, 2 * H, H)
        dh_r, dh_z, dh_n = vector(dhh, 0, H), vector(dhh, H, H), vector(dhh, 2 * H, H)
        for j in range(H):
            dx_n[j] = dhi[j] * (1.0 - z[j]) * (1.0 - n[j] * n[j])
        for j in range(H):
            dh_n[j] = dx_n[j] * r[j]
        for j in range(H):
            dx_r[j] = dx_n[j] * hni[j] * r[j] * (1.0 - r[j])
        for j in range(H):
            dx_z[j] = dhi[j] * (hp[j] - n[j]) * z[j] * (1.0 - z[j])
        for j in range(H):
            dh_r[j] = dx_r[j]
        for j in range(H):
            dh_z[j] = dx_z[j]
        for j in range(H):
            dhi[j] *= z[j]  # the direct path from h_t to h_{t-1}


@implementation
def gru_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The layers over a gathered minibatch ``xb`` (T, b, D), time-major;
    ``recurrent.top_output`` then views the top layer's last output (see
    ``train.network_forward`` and ``recurrent.layer_input``). Without
    ``keep``, one step's gates are kept."""
    for k in range(sizes.shape[0] - 2):
        inp, H, n_states = layer_input(xb, sizes, ws, w_off, keep, k)
        T, b, n_in = inp.shape
        G = 3 * H
        steps = T if keep else 1
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, G)
        W_hh = view2(params, p_off[k, WEIGHTS.W_hh], H, G)
        b_ih = vector(params, p_off[k, WEIGHTS.b_ih], G)
        b_hh = vector(params, p_off[k, WEIGHTS.b_hh], G)
        Hs = view3(ws, w_off[k, ROWS.hs], n_states, b, H)
        Gt = view3(ws, w_off[k, ROWS.gates], steps, b, G)
        HN = view3(ws, w_off[k, ROWS.hn], steps, b, H)
        scratch = view2(ws, s_off[SHARED.rec], b, G)  # x_t @ W_ih
        zero(Hs[0])
        for t in range(T):
            p = first_real_row(lead, t)
            gru_step(rows(inp[t], p), W_ih, W_hh, b_ih, b_hh, rows(Hs[t % n_states], p),
                     rows(Hs[(t + 1) % n_states], p), rows(Gt[t % steps], p),
                     rows(HN[t % steps], p), rows(scratch, p), net.direct)
            zero_padding_rows(Hs[(t + 1) % n_states], lead, t)


@implementation
def gru_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                 lead):
    """Backpropagation through time, top layer first, from ``d_top`` (see
    ``train.network_backward`` and ``recurrent.layer_gradients``)."""
    t_stop = start_backward(xb, bptt_steps, sizes, ws, s_off, d_top)
    L = sizes.shape[0] - 2
    for k in range(L - 1, -1, -1):
        inp, H, dH, dX = layer_gradients(xb, sizes, ws, w_off, s_off, k)
        T, B, n_in = inp.shape
        G = 3 * H
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, G)
        W_hh_T = view2(ws, w_off[k, ROWS.w_hh_t], G, H)
        transpose(view2(params, p_off[k, WEIGHTS.W_hh], H, G), W_hh_T)
        Hs = view3(ws, w_off[k, ROWS.hs], T + 1, B, H)
        Gates = view3(ws, w_off[k, ROWS.gates], T, B, G)
        HN = view3(ws, w_off[k, ROWS.hn], T, B, H)
        dZx = view3(ws, w_off[k, ROWS.dz_x], T, B, G)
        dZh = view3(ws, w_off[k, ROWS.dz_h], T, B, G)
        dh = view2(ws, w_off[k, ROWS.carry], B, H)
        dW_hh = view2(grad, p_off[k, WEIGHTS.W_hh], H, G)
        db_ih = vector(grad, p_off[k, WEIGHTS.b_ih], G)
        db_hh = vector(grad, p_off[k, WEIGHTS.b_hh], G)
        dW_ih = view2(grad, p_off[k, WEIGHTS.W_ih], n_in, G)
        per_product = steps_per_product(B, H, G, dZh.itemsize, net.direct)
        # The input weights' gradients likewise in blocks of steps while
        # dZx is in cache, a block as many steps as the cache holds (one
        # step of the 256/100/8/128 model, every step of a small one): the
        # few rows n_in make a product of one step by the BLAS's direct
        # kernel slower than one over many, but one product over all steps
        # after the loop spent most of its 11 ms a minibatch (float32, one
        # thread, Zen 4) packing dZx (39 MB) from memory. That model's
        # float32 fits took 1,622-1,654 ms against 1,745-1,786 (medians of
        # 7, three interleaved pairs), float64 x1.02; smaller ones the same.
        per_input = steps_in_cache(B, n_in, G, dZx.itemsize)
        zero(dh)
        for t in range(T - 1, t_stop - 1, -1):
            p = first_real_row(lead, t)
            s_h, s_x = ring_slot(t, T, per_product), ring_slot(t, T, per_input)
            if output_read(k, L, t, T):
                add_into(rows(dh, p), rows(dH[t], p))
            gru_cell_backward(rows(Gates[t], p), rows(HN[t], p), rows(Hs[t], p), rows(dh, p),
                              rows(dZx[s_x], p), rows(dZh[s_h], p))
            zero_padding_rows(dZx[s_x], lead, t)
            zero_padding_rows(dZh[s_h], lead, t)
            t_hi = completed_block(t, T, t_stop, per_product)
            if t_hi:
                add_weight_grads(Hs, dZh, t, t_hi, s_h, dW_hh, db_hh, t_hi == T, net.direct)
            t_in = completed_block(t, T, t_stop, per_input)
            if t_in:
                add_weight_grads(inp, dZx, t, t_in, s_x, dW_ih, db_ih, t_in == T, net.direct)
                if k > 0:
                    gradient_below(dZx, s_x, W_ih, dX, t, t_in)
            if t > t_stop:
                # dh += the part through W_hh
                gemm_direct(rows(dZh[s_h], p), W_hh_T, rows(dh, p), 1.0, net.direct)


@recurrent_cell
class GRU(NamedTuple):
    """The GRU cell, as the generic kernels see it (``activation`` unused;
    ``direct``: see ``recurrent.steps_per_product``)."""

    activation: int
    direct: int

    weights = WEIGHTS
    rows = ROWS
    step_scratch = 3  # the input product x_t @ W_ih (b, 3H)
    feature_major = False  # a step's rows are its sequences
    forward = gru_forward
    backward = gru_backward
