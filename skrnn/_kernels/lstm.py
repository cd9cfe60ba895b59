"""LSTM layer, gates in PyTorch's order: input, forget, cell candidate, output.

    a_t = x_t @ W_ih + h_{t-1} @ W_hh + b          (B, 4H)
        = [x_t | h_{t-1} | 1] @ [W_ih; W_hh; b]  (one product)
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)

The layer keeps its values feature-major: each step's gates, states and
gradients a block (width, b), C-contiguous, sequence i its column i. The
step's products then give the BLAS the weights (forward), or the gate
gradients (weight gradients), as the operand it packs fast: SciPy's
OpenBLAS packs both operands of every product, and with its Haswell
kernels (AVX2) only the row-major product's left operand, rows contiguous,
with a fast copy (``sgemm_oncopy``); batch-major, the weights and the
gate gradients were the right operand, 4H wide, packed at every step by a
generic copy about seven times slower per value (a quarter of the
64/50/1/64 float32 LSTM fit's time on the Zen 3, whose fits then took
0.83 to 0.85 times as long: README, Performance). A step of one sequence
keeps the batch-major product (the same values, no copy of W^T).

Elementwise work is split into loops over contiguous vectors (a step's
whole block), each computing one value per element (which it may write to
two arrays): those vectorise, a fused loop computing several values (a
gate's activation and its use) does not.
"""

from typing import NamedTuple

from numba import njit

from .activations import sigmoid, tanh
from .blas import gemm, gemm_direct
from .config import INLINE, helper, implementation
from .layout import (
    BIASED,
    CARRY,
    KEPT,
    STEPS,
    WEIGHTS_T,
    columns_from,
    named,
    rows,
    vector,
    view2,
    view3,
    zero,
)
from .recurrent import (
    cell_rows,
    first_real_row,
    layer_gradients,
    layer_input,
    output_read,
    recurrent_cell,
    start_backward,
    transpose,
)

# W_ih and W_hh adjacent, in this order: the kernels view them as one
# matrix [W_ih; W_hh] (n_in + H, 4H), and their gradients likewise.
WEIGHTS = named(
    W_ih=("inputs", 4, "glorot"),
    W_hh=("hidden", 4, "orthogonal"),
    b=(None, 4, "forget_gate_one"),
)

# Feature-major (see the module's docstring): each step's block is
# (width, b), C-contiguous, but ``hs``, which the shared helpers read
# batch-major (the layer above's input, the head's).
ROWS = cell_rows(
    cs=(KEPT, 1),  # cell states c_t
    xh=(KEPT, BIASED),  # [x_t ; h_{t-1} ; 1], the operand of step t's product
    gates=(STEPS, 4),  # activated gates i, f, g, o
    tc=(STEPS, 1),  # tanh(c_t)
    # The gradient at a step's gate pre-activations: one step's block, which
    # its products read before the next step overwrites it (kept for every
    # step, it was 26 MB of fresh memory written a minibatch half of the
    # 256/100/8/128 float32 LSTM, whose fits took 1.04 times as long).
    dz=(CARRY, 4),
    carry_h=(CARRY, 1),  # gradient reaching h_t from step t + 1
    carry_c=(CARRY, 1),  # gradient reaching c_t from step t + 1
    xh_rows=(CARRY, BIASED),  # a step's [x ; h ; 1], batch-major: see lstm_backward
    w_t=(WEIGHTS_T, (4, BIASED)),  # [W_ih; W_hh; b].T (4H, n_in + H + 1), then its gradient
)


@helper
def lstm_cell(g, c_prev, c, tc, h):
    """The elementwise half of a step, on its feature-major blocks.

    g : (4H, b) gate pre-activations (the bias included: see ``ROWS.xh``),
    activated in place; then c = f * c_prev + i * g_cand, tc = tanh(c),
    h = o * tc, all (H, b). Each loop runs over whole blocks as one vector.
    """
    n = c.shape[0] * c.shape[1]
    i_f, cand, o = vector(g, 0, 2 * n), vector(g, 2 * n, n), vector(g, 3 * n, n)
    for j in range(2 * n):
        i_f[j] = sigmoid(i_f[j])
    for j in range(n):
        cand[j] = tanh(cand[j])
    for j in range(n):
        o[j] = sigmoid(o[j])
    cp, cs = vector(c_prev, 0, n), vector(c, 0, n)
    for j in range(n):
        cs[j] = i_f[n + j] * cp[j] + i_f[j] * cand[j]
    tcs, hs = vector(tc, 0, n), vector(h, 0, n)
    for j in range(n):
        # tanh(c) and h in one loop: it still vectorises, and a step of the
        # 64/50/1/64 float32 LSTM's predict took 1% less than in two.
        t = tanh(cs[j])
        tcs[j] = t
        hs[j] = o[j] * t


@helper
def lstm_cell_backward(g, tc, c_prev, dh, dc, da):
    """The elementwise half of a step's backward, :func:`lstm_cell`'s gradients.

    From the activated gates ``g`` (4H, b), ``tc`` = tanh(c_t), ``c_prev``
    and ``dh`` (H, b), the gradient reaching h_t: writes ``da`` (4H, b), the
    gradient at the gate pre-activations, and turns ``dc``, the gradient
    reaching c_t from step t + 1, into the one reaching c_{t-1}. Each block
    is one vector. A helper, so that its arrays are distinct for LLVM (see
    ``config.helper``).
    """
    n = dh.shape[0] * dh.shape[1]
    gi, dai, tci, cpi = vector(g, 0, 4 * n), vector(da, 0, 4 * n), vector(tc, 0, n), \
        vector(c_prev, 0, n)
    dhi, dci = vector(dh, 0, n), vector(dc, 0, n)
    # Views indexed from 0: the loops below then vectorise.
    i_g, f_g, g_g, o_g = vector(gi, 0, n), vector(gi, n, n), vector(gi, 2 * n, n), \
        vector(gi, 3 * n, n)
    da_i, da_f, da_g, da_o = vector(dai, 0, n), vector(dai, n, n), vector(dai, 2 * n, n), \
        vector(dai, 3 * n, n)
    for j in range(n):
        dci[j] += dhi[j] * o_g[j] * (1.0 - tci[j] * tci[j])
    for j in range(n):
        da_i[j] = dci[j] * g_g[j] * i_g[j] * (1.0 - i_g[j])
    for j in range(n):
        da_f[j] = dci[j] * cpi[j] * f_g[j] * (1.0 - f_g[j])
    for j in range(n):
        da_g[j] = dci[j] * i_g[j] * (1.0 - g_g[j] * g_g[j])
    for j in range(n):
        da_o[j] = dhi[j] * tci[j] * o_g[j] * (1.0 - o_g[j])
    for j in range(n):
        dci[j] *= f_g[j]


@helper
def zero_padding_columns(A, lead, t, start):
    """Zero the columns ``start`` on of ``A`` (m, b) whose sequence is still
    in its padding at step ``t`` (``t < lead[i]``): :func:`recurrent.
    zero_padding_rows` for a feature-major block."""
    for i in range(start, A.shape[1]):
        if t < lead[i]:
            for j in range(A.shape[0]):
                A[j, i] = 0.0


@helper
def add_transposed(A, B, start):
    """A[:, start:] += B[start:].T, A (m, b), B (b, m): a step's gradient
    reaching h_t from the layer above, batch-major, into the carried one."""
    for i in range(start, B.shape[0]):
        for j in range(B.shape[1]):
            A[j, i] += B[i, j]


@njit(**INLINE)
def weight_grads_by_rows(G, K, b, direct):
    """Whether a step's weight-gradient product dA (G, b) @ [x ; h ; 1]^T
    (K columns) multiplies a batch-major copy of [x ; h ; 1] (b, K): where
    the whole product is within the BLAS's direct size. It sums over the
    sequences, the contiguous axis of both feature-major blocks: OpenBLAS
    computes such a product ("TN") directly only when its result has at
    most 1,200 values, and packs it otherwise; with the copy ("NN") it
    computes it directly. At one thread on the Zen 5 (SkylakeX kernels),
    fits of the 64/50/1/64 LSTM (halves of 32 sequences) x0.97 in float32,
    x0.88 in float64, of the 32/24/1/32 x0.90 and x0.87."""
    return G * K * b <= direct


@implementation
def lstm_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The layers over a gathered minibatch ``xb`` (T, b, D), time-major;
    ``recurrent.top_output`` then views the top layer's last output (see
    ``train.network_forward`` and ``recurrent.layer_input``). Without
    ``keep``, two cell states and one step's gates are kept.

    Each step's product is W^T (4H, K) @ [x_t ; h_{t-1} ; 1] (K, b), K =
    n_in + H + 1, W = [W_ih; W_hh; b], with a copy of W^T made once a
    minibatch (of one sequence, the product [x_t | h_{t-1} | 1] (1, K) @ W,
    the same values): the row of ones adds the bias, so that the gates'
    loops do not, and the backward's weight-gradient products sum its
    gradient (a separate sum over each step's columns took 5% of the
    64/50/1/64 float32 fit). A step
    computes the columns of the sequences past their padding; the padding
    columns of its gates are zeroed, of its states zeroed after it. Its
    input is copied in transposed, its state out (into ``hs``) where the
    layer above or the head reads it: at every step below the top layer,
    at the last one at the top.
    """
    L = sizes.shape[0] - 2
    for k in range(L):
        inp, H, n_states = layer_input(xb, sizes, ws, w_off, keep, k)
        T, b, n_in = inp.shape
        G = 4 * H
        K = n_in + H + 1
        kept = T + 1 if keep else 2
        steps = T if keep else 1
        W = view2(params, p_off[k, WEIGHTS.W_ih], K, G)  # W_ih over W_hh over b
        W_t = view2(ws, w_off[k, ROWS.w_t], G if b > 1 else 0, K)  # one sequence: no row
        if b > 1:
            transpose(W, W_t)
        Hs = view3(ws, w_off[k, ROWS.hs], n_states, b, H)
        Cs = view3(ws, w_off[k, ROWS.cs], kept, H, b)
        XH = view3(ws, w_off[k, ROWS.xh], kept, K, b)
        Gt = view3(ws, w_off[k, ROWS.gates], steps, G, b)
        TCk = view3(ws, w_off[k, ROWS.tc], steps, H, b)
        zero(view2(XH[0], n_in * b, H, b))  # h_0
        zero(Cs[0])
        for s in range(kept):  # the row of ones under each step's [x ; h]
            ones = XH[s, K - 1]
            for i in range(b):
                ones[i] = 1.0
        for t in range(T):
            p = first_real_row(lead, t)
            xh = XH[t % kept]
            h = view2(XH[(t + 1) % kept], n_in * b, H, b)
            g = Gt[t % steps]
            transpose(inp[t], view2(xh, 0, n_in, b))  # x_t, padding columns included
            if b > 1:
                gemm_direct(W_t, columns_from(xh, p), columns_from(g, p), 0.0, net.direct)
            else:  # one sequence (no padding): both layouts are one row, W needs no copy
                gemm_direct(view2(xh, 0, 1, K), W, view2(g, 0, 1, G), 0.0, net.direct)
            zero_padding_columns(g, lead, t, 0)  # the columns before p: not written
            lstm_cell(g, Cs[t % kept], Cs[(t + 1) % kept], TCk[t % steps], h)
            zero_padding_columns(h, lead, t, 0)
            zero_padding_columns(Cs[(t + 1) % kept], lead, t, 0)
            if output_read(k, L, t, T):
                transpose(h, Hs[(t + 1) % n_states])


@implementation
def lstm_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                  lead):
    """Backpropagation through time, top layer first, from ``d_top`` (see
    ``train.network_backward`` and ``recurrent.layer_gradients``), through
    the hidden and the cell state alike, feature-major as the forward.

    Each step's products: its weight gradients dW^T += dA_t (4H, b) @
    [x_t ; h_{t-1} ; 1]^T (the bias's in the last column), added into the
    row of the forward's W^T (whose transpose is then written into
    ``grad``), and the gradient reaching
    h_{t-1}, W_hh (H, 4H) @ dA_t; the layer below's, dA_t^T @ W_ih^T, is
    written batch-major at each step.
    """
    t_stop = start_backward(xb, bptt_steps, sizes, ws, s_off, d_top)
    L = sizes.shape[0] - 2
    for k in range(L - 1, -1, -1):
        inp, H, dH, dX = layer_gradients(xb, sizes, ws, w_off, s_off, k)
        T, B, n_in = inp.shape
        G = 4 * H
        K = n_in + H + 1
        W_ih = view2(params, p_off[k, WEIGHTS.W_ih], n_in, G)
        W_hh = view2(params, p_off[k, WEIGHTS.W_hh], H, G)
        Cs = view3(ws, w_off[k, ROWS.cs], T + 1, H, B)
        XH = view3(ws, w_off[k, ROWS.xh], T + 1, K, B)
        Gates = view3(ws, w_off[k, ROWS.gates], T, G, B)
        TC = view3(ws, w_off[k, ROWS.tc], T, H, B)
        dA = view2(ws, w_off[k, ROWS.dz], G, B)
        dh = view2(ws, w_off[k, ROWS.carry_h], H, B)
        dc = view2(ws, w_off[k, ROWS.carry_c], H, B)
        dW_t = view2(ws, w_off[k, ROWS.w_t], G, K)
        xh_rows = view2(ws, w_off[k, ROWS.xh_rows], B, K)
        transpose(dH[T - 1], dh)  # the carried gradients are zero at the last step
        zero(dc)
        for t in range(T - 1, t_stop - 1, -1):
            p = first_real_row(lead, t)
            if t < T - 1 and output_read(k, L, t, T):  # T - 1: dh's start
                add_transposed(dh, dH[t], p)
            lstm_cell_backward(Gates[t], TC[t], Cs[t], dh, dc, dA)
            zero_padding_columns(dA, lead, t, p)
            da = columns_from(dA, p)
            beta = 0.0 if t == T - 1 else 1.0
            if weight_grads_by_rows(G, K, B - p, net.direct):
                transpose(XH[t], xh_rows)
                gemm(da, rows(xh_rows, p), dW_t, beta)
            else:
                # Whole, not in blocks of the BLAS's direct size: a block
                # re-reads the transposed [x ; h ; 1] (b, K). At one thread on
                # the Zen 5 (SkylakeX kernels), b = 128 of the 256/100/8/128
                # float32 LSTM took 106 us a step whole against 141 in blocks
                # (float64 254 against 292).
                gemm(da, columns_from(XH[t], p).T, dW_t, beta)
            if t > t_stop:
                gemm_direct(W_hh, da, columns_from(dh, p), 0.0, net.direct)
            if k > 0:
                gemm_direct(da.T, W_ih.T, rows(dX[t], p), 0.0, net.direct)
        transpose(dW_t, view2(grad, p_off[k, WEIGHTS.W_ih], K, G))


@recurrent_cell
class LSTM(NamedTuple):
    """The LSTM cell, as the generic kernels see it (``activation`` unused;
    ``direct``: see ``recurrent.steps_per_product``)."""

    activation: int
    direct: int

    weights = WEIGHTS
    rows = ROWS
    step_scratch = 0  # one product a step, into the gates
    feature_major = True  # a step's blocks are (width, b): see the module's docstring
    forward = lstm_forward
    backward = lstm_backward
