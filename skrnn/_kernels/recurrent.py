"""Stacked recurrent layers of one cell kind (RNN, LSTM, GRU), any cell.

The network runs its layers one after the other over the whole sequence:
layer ``k`` reads the outputs of layer ``k - 1`` at every step (the
gathered input for ``k = 0``) and the head reads the top layer's last
output. Each cell module (``rnn``, ``lstm``, ``gru``) writes the loop over
the layers and, inside it, its own loop over time, with the signatures of
``network_forward`` and ``network_backward`` (``train``): the helpers
:func:`layer_input`, :func:`start_backward` and :func:`layer_gradients`
hold what the layers share; the forward returns its top layer's last
output, the head's input. The backward writes (not accumulates) each
layer's weight gradients into ``grad``; steps before ``t_stop`` are cut
from the graph (truncated BPTT: no gradient reaches or crosses them);
padding steps (``lead``) get no gradient and pass none on. A cell
declares its weights and workspace with :func:`cell_rows`, names them, the
width of its step's scratch (``step_scratch``, in multiples of H), whether
its step's blocks hold a sequence per column (``feature_major``: predict
sizes its chunks by it, see ``skrnn._network``) and its two functions
(``forward``, ``backward``) on its NamedTuple class and decorates that
class with :func:`recurrent_cell`.

Both loops sit in one function per cell, not a generic layer loop calling
the cell's time loop, and the forward returns the top layer's state itself:
Numba compiles each called function into a module of its own, and LLVM
optimises and emits the callee again inside every caller, so each level
of the call tree and each helper costs a cold compile time. Measured on
a first fit of about 11 s: the level less took 0.4 to 0.6 s off the LSTM
and GRU (not the RNN, whose gain the helpers took), returning the state
without a helper another 0.2 to 0.4 s off the RNN and LSTM.
"""

from numba import njit

from .blas import direct_rows, gemm, gemm_direct
from .config import INLINE, helper, implementation
from .layout import OUTPUTS, SHARED, columns, named, view2, view3, zero
from .scalar import larger, smaller


@helper
def zero_padding_rows(A, lead, t):
    """Zero the rows of ``A`` (b, m) whose sequence is still in its padding
    at step ``t`` (``t < lead[i]``): its state, or the gradient at it. A
    padded sequence then runs from zero state from its first real step on,
    as if it had no padding, while the batch's products stay whole."""
    for i in range(A.shape[0]):
        if t < lead[i]:
            for j in range(A.shape[1]):
                A[i, j] = 0.0


@helper
def add_into(A, B):
    """A += B for arrays (b, m), written as a loop: ``A[p:] += B[p:]``
    assigns a slice from an array, whose shape check compiles Numba's
    string formatting for its error message (1.5 s of a cold compile)."""
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            A[i, j] += B[i, j]


@helper
def transpose(W, WT):
    """WT = W.T, WT C-contiguous (a workspace row of length ``TRANSPOSED``):
    the operand of each step's backward product with the recurrent weights,
    ``dz @ W_hh.T``, copied once per minibatch so that the BLAS reads both
    operands by rows. OpenBLAS's kernels for AVX-512 compute a small product
    of such operands as they lie (under about a million multiply-adds), and
    copy them first otherwise: at one thread on the Zen 4, the 64/50/1/64
    LSTM's product of a half minibatch (32 rows) took 9.1 us so against
    15.3 us with the transposed view in float32, 18 against 28 us in
    float64; no product measured took longer so."""
    for i in range(WT.shape[0]):
        for j in range(WT.shape[1]):
            WT[i, j] = W[j, i]


@njit(**INLINE)
def output_read(k, L, t, T):
    """Whether anything reads layer ``k``'s output at step ``t`` (of ``L``
    layers, ``T`` steps): the layer above at every step, the head at the
    top layer's last step only. The forward passes copy out, and the
    backward passes add in the gradient at, only the outputs read."""
    return k < L - 1 or t == T - 1


@njit(**INLINE)
def first_real_row(lead, t):
    """How many leading rows of a minibatch are still in their padding at
    step ``t``: a step computes only the rows after them. The kernels order
    each minibatch's sequences shortest first (lead descending), so these
    are all of its padding rows and a step costs its real rows only, as a
    packed sequence in PyTorch; with any other order, fewer rows are
    skipped and :func:`zero_padding_rows` zeroes the rest."""
    p = 0
    while p < lead.shape[0] and lead[p] > t:
        p += 1
    return p


def recurrent_cell(cls):
    """Class decorator of a cell's NamedTuple: its network is stacked layers of
    that cell, reading time-major minibatches (the generic kernels find
    ``gather``, ``network_forward`` and ``network_backward`` on the class:
    the last two are the cell's ``forward`` and ``backward``)."""
    cls.gather = gather_time_major
    cls.network_forward = cls.forward
    cls.network_top = top_output
    cls.network_backward = cls.backward
    return cls


@implementation
def top_output(net, xb, sizes, ws, w_off, keep):
    """The top layer's last output (b, H) after a forward pass over ``xb``
    (T, b, D): its states' slot T of T + 1, or of 2 without ``keep`` (see
    :func:`layer_input`)."""
    T, b, _ = xb.shape
    L = sizes.shape[0] - 2
    H = sizes[L]
    n_states = T + 1 if keep else 2
    return view2(ws, w_off[L - 1, HS] + T % n_states * b * H, b, H)


def cell_rows(**specs):
    """A cell's workspace rows (see ``layout.named``), its hidden states first."""
    return named(hs=(OUTPUTS, 1), **specs)


#: Every cell's hidden states are its first row.
HS = columns("hs").hs


@implementation
def gather_time_major(net, X, t0, spans, scaling, rows, ws, s_off, lead):
    """The minibatch, time-major and contiguous in the shared ``xb`` row;
    returns it (Tb, b, D): Tb the most real steps any of its sequences
    gives, at most T = X.shape[1] - t0.

    Sequence ``r`` holds its real steps at ``spans[r, 0]`` up to (not
    including) ``spans[r, 1]`` of X; its last T of them are right-aligned in
    ``xb[:, i]``, standardised (``scaling`` (2, D): each feature's shift and
    scale), after zeros at the ``lead[i]`` steps it does not fill. A
    rectangular X (spans ``[0, X.shape[1]]``) gives xb[t, i] = X[r, t0 + t].
    ``spans`` of one row serves every sequence (no array the size of X)."""
    b, T, D = rows.shape[0], X.shape[1] - t0, X.shape[2]
    if spans.shape[0] > 1:  # a minibatch of short sequences runs fewer steps
        longest = 0
        for i in range(b):
            longest = larger(longest, spans[rows[i], 1] - spans[rows[i], 0])
        T = smaller(T, longest)
    xb = view3(ws, s_off[SHARED.xb], T, b, D)
    shift, scale = scaling[0], scaling[1]
    for i in range(b):
        r = rows[i]
        s = r if spans.shape[0] > 1 else 0
        end = spans[s, 1]
        start = larger(spans[s, 0], end - T)
        pad = T - (end - start)
        lead[i] = pad
        for t in range(pad):
            for d in range(D):
                xb[t, i, d] = 0.0
        for t in range(pad, T):
            for d in range(D):
                xb[t, i, d] = (X[r, start + t - pad, d] - shift[d]) / scale[d]
    return xb


@njit(**INLINE)
def layer_input(xb, sizes, ws, w_off, keep, k):
    """What layer ``k`` of a forward pass reads and where it writes.

    Returns its input (T, b, n_in): the gathered minibatch ``xb`` for
    ``k = 0``, else the hidden states of layer ``k - 1``; its width H; the
    slots ``n_states`` of its ``hs`` row (T + 1, or 2 for the top layer of
    predict, whose states nobody reads back: with ``keep`` (training) every
    step's states stay for BPTT, and without it a one-layer network's memory
    is independent of T, so that predict runs large chunks whose state stays
    in cache). Inlined, as :func:`layer_gradients`.
    """
    T, b, _ = xb.shape
    L = sizes.shape[0] - 2
    n_in, H = sizes[k], sizes[k + 1]
    n_states = T + 1 if keep or k < L - 1 else 2
    if k == 0:
        return xb, H, n_states
    return view3(ws, w_off[k - 1, HS] + b * n_in, T, b, n_in), H, n_states  # hs[1:]


@njit(**INLINE)
def start_backward(xb, bptt_steps, sizes, ws, s_off, d_top):
    """Seed the gradient at the top layer's outputs with ``d_top`` (b, H),
    the loss's gradient at its last output; return the first step BPTT
    reaches (``bptt_steps`` <= 0: full BPTT, step 0). Only the last step's
    row is written: the head reads the top layer's last output alone, so
    the cells' backward passes read the top layer's gradient at its last
    step only (zeroing and adding the others cost the float32 RNN 2.5% of
    its 256/100/8/128 fit and 5% of its 64/50/1/64 one, at one thread on
    the Zen 3). Inlined, not a helper: ``d_top`` is part of ``ws``
    (see ``config.helper``)."""
    T, b, _ = xb.shape
    L = sizes.shape[0] - 2
    dH = view3(ws, s_off[SHARED.dh_a], T, b, sizes[L])
    last = dH[T - 1]
    for i in range(b):  # a loop: an array assignment compiles a shape check's message
        for j in range(sizes[L]):
            last[i, j] = d_top[i, j]
    return larger(0, T - bptt_steps) if bptt_steps > 0 else 0


@njit(**INLINE)
def layer_gradients(xb, sizes, ws, w_off, s_off, k):
    """What layer ``k`` of a backward pass (top layer first) reads and writes.

    Returns its input (as :func:`layer_input`), its width H, ``dH`` (T, b,
    H), the gradient at its outputs, and ``dX`` (T, b, n_in), where it
    writes the gradient at its input for the layer below (when ``k > 0``).
    The two alternate between the shared rows ``dh_a`` and ``dh_b``.
    Inlined: the backward passes count no references to arrays (see
    ``config.HELPER``), and so take no array from a function.
    """
    T, b, _ = xb.shape
    L = sizes.shape[0] - 2
    n_in, H = sizes[k], sizes[k + 1]
    top_parity = (L - 1 - k) % 2 == 0
    dH = view3(ws, s_off[SHARED.dh_a if top_parity else SHARED.dh_b], T, b, H)
    dX = view3(ws, s_off[SHARED.dh_b if top_parity else SHARED.dh_a], T, b, n_in)
    if k == 0:
        return xb, H, dH, dX
    return view3(ws, w_off[k - 1, HS] + b * n_in, T, b, n_in), H, dH, dX


@njit(**INLINE)
def gradient_below(dZ, s, W_ih, dX, t, t_hi):
    """dX[t:t_hi] = dZ[s:s + t_hi - t] @ W_ih.T, the layer below's gradient
    at its outputs of the steps ``t`` to ``t_hi - 1``: dZ (slots, b, G) at
    the layer's pre-activations, holding them from slot ``s`` on (see
    :func:`ring_slot`), W_ih (n_in, G), dX (T, b, n_in). The GRU calls it
    for each block of steps as its backward completes it, the RNN once for
    the steps ``t_stop`` on: the steps before ``t_stop``, which truncated
    BPTT does not reach, are neither read nor written, and the layer below
    reads none of them."""
    n = (t_hi - t) * dZ.shape[1]
    gemm(view2(dZ, s * dZ.shape[1] * dZ.shape[2], n, dZ.shape[2]), W_ih.T,
         view2(dX, t * dX.shape[1] * dX.shape[2], n, dX.shape[2]), 0.0)


@helper
def stack_step(x, h_prev, xh):
    """xh = [x | h_prev] (b, n_in + H): a step's input beside the previous
    state, so that one product with the weights W_ih stacked over W_hh
    (n_in + H, G; adjacent in ``params``) gives both terms of a cell whose
    input and recurrent terms add up before the nonlinearity. At one
    thread, the 256/100/8/128 float32 LSTM's forward products took 39 ms a
    minibatch stacked against 47 ms as two products and their sum
    (batch-major, as the LSTM was then). The RNN's steps use it (the GRU's
    cannot: its candidate gate multiplies the recurrent term by the reset
    gate; the LSTM, feature-major, stacks [x_t ; h_{t-1}] as rows of its
    own: see ``lstm``). The RNN's fits on that row became 1.07 times as
    fast (best of three interleaved pairs; single pairs x0.96 to x1.14).
    Its ``xh`` is one step's (see ``rnn.ROWS``)."""
    n_in = x.shape[1]
    for i in range(xh.shape[0]):
        for j in range(n_in):
            xh[i, j] = x[i, j]
        for j in range(h_prev.shape[1]):
            xh[i, n_in + j] = h_prev[i, j]


#: The bytes of operands one weight-gradient product reads at most (see
#: :func:`steps_per_product`): half the L2 cache of the Zen 4 measured.
_PRODUCT_BYTES = 1 << 19


@njit(**INLINE)
def steps_per_product(b, k, n, itemsize, direct):
    """How many steps' weight gradients :func:`add_weight_grads` adds in one
    product, a step's being (k, b) @ (b, n): one if the BLAS computes that
    product directly, whole or in blocks of rows (at most ``direct``
    multiply-adds: see ``skrnn._threads.direct_product_size`` and
    ``blas.gemm_direct``), else as many as keep the operands, ``b`` rows of
    ``k + n`` values a step, within ``_PRODUCT_BYTES``, and at least one.
    For the 64/50/1/64 float32 LSTM at one thread on the Zen 4, a step's
    product of a half minibatch took 10.0 us alone, 13.1 us a step in
    blocks of 12; the 256/100/8/128 float32 RNN's, 50.7 us whole (88
    GFLOP/s, as in blocks of 12 steps) and 39.3 us in blocks of rows."""
    if b * k * n <= direct or direct_rows(b, n, direct):
        return 1
    return steps_in_cache(b, k, n, itemsize)


@njit(**INLINE)
def steps_in_cache(b, k, n, itemsize):
    """How many steps of a product as :func:`steps_per_product`'s keep its
    operands within ``_PRODUCT_BYTES`` (at least one)."""
    return larger(1, _PRODUCT_BYTES // (b * (k + n) * itemsize))


@njit(**INLINE)
def completed_block(t, T, t_stop, per_product):
    """The end ``t_hi`` of the block of steps ``t`` to ``t_hi - 1`` whose
    gradients step ``t`` completes, or 0 if it completes none. The backward
    runs from step T - 1 down to ``t_stop``; blocks of ``per_product``
    steps end at T, T - per_product, ..., the last one at ``t_stop``."""
    if t == t_stop or (T - t) % per_product == 0:
        return T - (T - t - 1) // per_product * per_product
    return 0


@njit(**INLINE)
def ring_slot(t, T, per_product):
    """The slot of step ``t``'s gradients in a ring of ``per_product`` steps,
    the part of a (T, b, G) gradient row the backward uses: each block of
    :func:`completed_block` (the last ``per_product`` steps, then the
    ``per_product`` before them, ...) fills the slots up to the last in
    step order, so that its product reads them as one matrix. The slots
    are rewritten while they are in the cache, where a row per step was
    fresh memory written at every step (see ``lstm.ROWS.dz``); the rest of
    the row stays untouched. A block of more than T steps (a small model's)
    is every step, each in its own slot."""
    n = smaller(per_product, T)
    return (n - (T - t) % n) % n


@njit(**INLINE)
def block_product(X, dZ, t, t_hi, s, dW, first, direct):
    """dW += X[t:t_hi]^T @ dZ[s:s + t_hi - t] (dW = ... if ``first``): the
    product of :func:`add_weight_grads`, without its bias sums."""
    n, B, K = t_hi - t, X.shape[1], X.shape[2]
    G = dZ.shape[2]
    gemm_direct(view2(X, t * B * K, n * B, K).T, view2(dZ, s * B * G, n * B, G), dW,
                0.0 if first else 1.0, direct)


@helper
def add_weight_grads(X, dZ, t, t_hi, s, dW, db, first, direct):
    """dW += X[t:t_hi]^T @ dZ[s:s + t_hi - t] and db += the sums of those
    gradients over steps and sequences (dW = ..., db = ... if ``first``):
    the weight and bias gradients of the steps ``t`` to ``t_hi - 1``, X
    (T, b, K) the operands of their products in the forward pass, dZ the
    gradients at their results from slot ``s`` on (see :func:`ring_slot`).
    The backward loops call it as soon as a block of
    :func:`steps_per_product` steps has its gradients, so that it reads dZ
    from the cache it was just written to: the 256/100/8/128
    float32 LSTM's weight gradients took 43 ms a minibatch so, 52 ms as one
    product over all steps after the loop (at one thread on the Zen 4,
    whose OpenBLAS then spends a third of the product packing operands it
    reads from memory). Padding rows add zeros (their dZ is zero)."""
    block_product(X, dZ, t, t_hi, s, dW, first, direct)
    if first:
        zero(db)
    for u in range(s, s + t_hi - t):
        for i in range(dZ.shape[1]):
            row = dZ[u, i]
            for j in range(db.shape[0]):
                db[j] += row[j]
