"""The generic kernels: a minibatch's loss gradient, an epoch of training, predict.

Written once for every network: ``net`` is the NamedTuple of a cell
(``RNN``, ``LSTM``, ``GRU``: stacked recurrent layers) or of the window
MLP (``Dense``), and selects how a minibatch is gathered and how the
network runs forward and backward; ``loss`` (a ``Loss`` code) selects the
loss. Numba compiles one variant per (net, dtype), with only that net's
code in it; the head's output ``z`` is what ``predict`` returns (values
for regression, scores for classification).

One call of :func:`train_epoch` runs every minibatch of an epoch (gather,
forward, backward, clipping, optimizer step), so that Python is entered
once an epoch, not once a minibatch. It and :func:`predict` run with
denormals flushed to zero (see ``denormals``).

Weights live in one flat vector ``params``; ``p_off[k]`` holds the offsets
of layer ``k``'s arrays (in the order its ``weights`` declare them) and the
last row those of the linear head (``HEAD``, a dense layer's arrays).
``sizes`` is ``[n_inputs, *hidden, n_outputs]``. Scratch arrays live in one flat vector ``ws``
allocated once per fit; ``w_off[k]`` and ``s_off`` give their offsets
(layout in ``skrnn._network``), each sized for the largest minibatch and
viewed at the size of the current one.
"""

import math

from numba import njit

from .blas import dot
from .config import INLINE, JIT, by_type, helper
from .denormals import flush_denormals, restore
from .dense import WEIGHTS as HEAD
from .dense import linear_backward, linear_forward
from .layout import SHARED, vector, view2
from .losses import add_penalty, loss_value_grad
from .optim import optimizer_step, stop_requested
from .scalar import smaller


@by_type("gather", returns_arrays=True)
def gather(net, X, t0, spans, scaling, rows, ws, s_off, lead):
    """The minibatch of ``rows`` of X, standardised, as the network reads it,
    in the shared ``xb`` row; returns it. Each sequence gives its last
    ``X.shape[1] - t0`` real steps (``spans[r]``: its first real step and the
    end of its real steps); ``lead[i]`` gets the steps it leaves empty."""
    return type(net).gather(net, X, t0, spans, scaling, rows, ws, s_off, lead)


@by_type("network_forward")
def network_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The hidden layers on a gathered minibatch (their top output, the
    head's input, is then :func:`network_top`'s view).
    ``lead`` (b,): each sequence's steps of padding before its first real
    one (recurrent networks; the window MLP reads no padding)."""
    type(net).network_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead)


@by_type("network_top", returns_arrays=True)
def network_top(net, xb, sizes, ws, w_off, keep):
    """The head's input after :func:`network_forward`: where the hidden layers
    left their top output. A view of ``ws`` on its own, so that the forward
    passes return no array and count no references (``config.HELPER``)."""
    return type(net).network_top(net, xb, sizes, ws, w_off, keep)


@by_type("network_backward")
def network_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                     lead):
    """The hidden layers' gradients from ``d_top``, the head's input's."""
    return type(net).network_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws,
                                      w_off, s_off, d_top, lead)


@njit(**INLINE)
def loss_grad(net, loss, xb, yb, swb, sw_total, lead, bptt_steps, sizes, p_off, params, grad,
              ws, w_off, s_off):
    """Loss of one gathered minibatch without the L2 penalty (the caller adds
    ``add_penalty`` once per minibatch); writes its gradient into ``grad``.

    Loss and gradient are divided by ``sw_total``, the minibatch's total
    weight (of these rows and, for a part, the other part's).
    ``bptt_steps`` <= 0 means full BPTT.

    Inlined into the kernels that call it (Numba's inlining of this short
    body costs less than a level of the call tree that LLVM optimises and
    emits once more: 1.3 s of an LSTM's cold compile); Python calls it as
    a kernel of its own.
    """
    b = yb.shape[0]
    L = sizes.shape[0] - 2
    n_last, n_out = sizes[L], sizes[L + 1]
    network_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, True, lead)
    top = network_top(net, xb, sizes, ws, w_off, True)
    z = view2(ws, s_off[SHARED.pred], b, n_out)
    dz = view2(ws, s_off[SHARED.dpred], b, n_out)
    W = view2(params, p_off[L, HEAD.W], n_last, n_out)
    linear_forward(top, W, vector(params, p_off[L, HEAD.b], n_out), z)
    value = loss_value_grad(loss, z, yb, swb, sw_total, dz)
    d_top = view2(ws, s_off[SHARED.dtop], b, n_last)
    linear_backward(top, W, dz, view2(grad, p_off[L, HEAD.W], n_last, n_out),
                    vector(grad, p_off[L, HEAD.b], n_out), d_top, True)
    network_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off, d_top,
                     lead)
    return value


@helper(returns_arrays=True)
def _shortest_first(rows, spans, out, n_real):
    """The minibatch's rows ordered by their sequences' real steps, shortest
    first (ties in order), so that the recurrent steps skip the padding
    rows (see ``recurrent.first_real_row``); rectangular data (one span)
    keeps its order. ``out`` and ``n_real`` (at least as long as ``rows``)
    are scratch: the ordered rows are ``out[:len(rows)]``."""
    if spans.shape[0] == 1:
        return rows
    # A stable insertion sort: a minibatch is short, and np.argsort's
    # mergesort costs 2 s of a cold compile.
    out = out[: rows.shape[0]]
    for i in range(rows.shape[0]):
        n_real[i] = spans[rows[i], 1] - spans[rows[i], 0]
        row, key, j = rows[i], n_real[i], i
        while j > 0 and n_real[j - 1] > key:
            out[j], n_real[j] = out[j - 1], n_real[j - 1]
            j -= 1
        out[j], n_real[j] = row, key
    return out


@helper
def _gather_targets(Y, SW, rows, yb, swb):
    """The targets and weights of a minibatch's rows, in the workspace;
    returns their total weight, summed in order in their dtype as
    ``swb.sum()`` would (whose compiled overload cost 0.3 s of a cold fit)."""
    total = swb.dtype.type(0.0)
    for i in range(rows.shape[0]):
        r = rows[i]
        swb[i] = SW[r]
        total += swb[i]
        for j in range(Y.shape[1]):
            yb[i, j] = Y[r, j]
    return total


@helper
def _finish_minibatch(loss, bi, params, grad, m, v, hyper, step, losses, norms):
    """Record the minibatch's loss and gradient norm, then clip and update.

    Returns False, without updating, when the loss or gradient is not finite.
    ``step`` is the number of updates made before this one.
    """
    norm = math.sqrt(dot(grad, grad))
    losses[bi] = loss
    norms[bi] = norm
    if not (math.isfinite(loss) and math.isfinite(norm)):
        return False
    max_norm = hyper.max_grad_norm
    if max_norm > 0 and norm > max_norm:
        scale = params.dtype.type(max_norm / norm)
        for k in range(grad.shape[0]):
            grad[k] *= scale
    optimizer_step(params, grad, m, v, hyper, step + 1)
    return True


@njit(**JIT)
def train_epoch(net, loss, X, t0, spans, scaling, Y, SW, order, batch_size, bptt_steps, sizes,
                p_off, params, grad, mask, m, v, hyper, stop, step, ws, w_off, s_off, losses,
                norms, ints):
    """Train on the minibatches of ``order`` (sample indices, in order).

    X (n, t0 + T, D) batch-first, of which each sequence's last T real
    steps are used (``spans`` (n, 2): first real step and end), standardised
    as ``(X - scaling[0]) / scaling[1]``; Y (n, n_out), SW (n,).
    Writes each minibatch's loss and gradient norm (before clipping; -1 for
    a skipped minibatch of zero total weight) into ``losses`` and
    ``norms``. Stops at the first non-finite loss or gradient, before its
    update, and before the next minibatch once ``stop[0]`` is set.
    ``ints`` (3, batch_size) is integer scratch (a minibatch's padding
    steps, its ordered rows, their lengths: as arrays made here, they
    compiled NumPy's allocation into the kernel, 0.3 s of a cold fit).

    Returns (optimizer step count, number of minibatches done).
    """
    n = order.shape[0]
    n_out = Y.shape[1]
    n_batches = (n + batch_size - 1) // batch_size
    lead = ints[0]  # each minibatch's, written by gather
    fp_state = flush_denormals()
    done = n_batches
    for bi in range(n_batches):
        if stop_requested(stop):  # set by another thread on Ctrl-C
            done = bi
            break
        start = bi * batch_size
        b = smaller(batch_size, n - start)
        rows = _shortest_first(vector(order, start, b), spans, ints[1], ints[2])
        yb = view2(ws, s_off[SHARED.yb], b, n_out)
        swb = vector(ws, s_off[SHARED.swb], b)
        sw_total = _gather_targets(Y, SW, rows, yb, swb)
        if sw_total == 0:  # no information, no update
            losses[bi] = 0.0
            norms[bi] = -1.0
            continue
        lead_b = vector(lead, 0, b)
        xb = gather(net, X, t0, spans, scaling, rows, ws, s_off, lead_b)
        value = loss_grad(net, loss, xb, yb, swb, sw_total, lead_b, bptt_steps, sizes, p_off,
                          params, grad, ws, w_off, s_off)
        value += add_penalty(params, grad, mask, hyper.alpha, sw_total)
        if not _finish_minibatch(value, bi, params, grad, m, v, hyper, step, losses, norms):
            done = bi
            break
        step += 1
    restore(fp_state)
    return step, done


@njit(**JIT)
def part_gradient(net, loss, X, t0, spans, scaling, Y, SW, rows, sw_total, bptt_steps, sizes,
                  p_off, params, grad, ws, w_off, s_off, lead):
    """One part of a minibatch split in two (``rows``, shortest first): its
    loss, divided by ``sw_total`` the whole minibatch's weight, and its
    gradient in ``grad``, without the L2 penalty (see :func:`finish_parts`).

    The two parts of a minibatch run on their own workspaces, on two
    threads or one after the other; see ``skrnn._network.Network.train_epoch``.
    """
    b = rows.shape[0]
    yb = view2(ws, s_off[SHARED.yb], b, Y.shape[1])
    swb = vector(ws, s_off[SHARED.swb], b)
    fp_state = flush_denormals()
    _gather_targets(Y, SW, rows, yb, swb)
    xb = gather(net, X, t0, spans, scaling, rows, ws, s_off, lead)
    value = loss_grad(net, loss, xb, yb, swb, sw_total, lead, bptt_steps, sizes, p_off, params,
                      grad, ws, w_off, s_off)
    restore(fp_state)
    return value


@njit(**JIT)
def finish_parts(value, other_value, grad, other, params, mask, sw_total, m, v, hyper, step, bi,
                 losses, norms):
    """Sum the two parts' losses and gradients (``grad`` += ``other``), add
    the L2 penalty, then record, clip and update as :func:`train_epoch`
    does. Returns False, without updating, when the loss or gradient is not
    finite."""
    fp_state = flush_denormals()
    for k in range(grad.shape[0]):
        grad[k] += other[k]
    value += other_value + add_penalty(params, grad, mask, hyper.alpha, sw_total)
    updated = _finish_minibatch(value, bi, params, grad, m, v, hyper, step, losses, norms)
    restore(fp_state)
    return updated


@njit(**JIT)
def predict(net, X, t0, spans, order, scaling, sizes, p_off, params, ws, w_off, s_off,
            batch_size, out, ints):
    """The head's outputs ``out`` (n, n_out) for the last ``X.shape[1] - t0``
    real steps of each sequence of X (see :func:`gather`), in chunks of the
    sequences in ``order`` (empty: all of them, as they come; else only
    those it holds, whose rows of ``out`` are written). Ordered by length, chunks
    run as many steps as their longest sequence and skip padding rows.
    ``ints`` (2, batch_size): integer scratch (a chunk's rows, their padding
    steps; see :func:`train_epoch`)."""
    n = X.shape[0] if order.shape[0] == 0 else order.shape[0]
    L = sizes.shape[0] - 2
    n_last, n_out = sizes[L], sizes[L + 1]
    W = view2(params, p_off[L, HEAD.W], n_last, n_out)
    bias = vector(params, p_off[L, HEAD.b], n_out)
    rows, lead = ints[0], ints[1]  # one chunk's (not n indices); lead written by gather
    fp_state = flush_denormals()
    for start in range(0, n, batch_size):
        b = smaller(batch_size, n - start)
        for i in range(b):  # a loop: a slice assignment compiles a shape check's message
            rows[i] = start + i if order.shape[0] == 0 else order[start + i]
        lead_b = vector(lead, 0, b)
        xb = gather(net, X, t0, spans, scaling, vector(rows, 0, b), ws, s_off, lead_b)
        network_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, False, lead_b)
        top = network_top(net, xb, sizes, ws, w_off, False)
        if order.shape[0] == 0:
            linear_forward(top, W, bias, view2(out, start * n_out, b, n_out))
        else:
            z = view2(ws, s_off[SHARED.pred], b, n_out)
            linear_forward(top, W, bias, z)
            for i in range(b):
                for j in range(n_out):
                    out[rows[i], j] = z[i, j]
    restore(fp_state)
