"""Whole networks: forward, loss gradient, a pass over many minibatches, predict.

One call of :func:`recurrent_train` or :func:`dense_train` runs every
minibatch of an epoch (gather, forward, backward, clipping, optimizer step),
so that Python is entered once an epoch, not once a minibatch.

Weights live in one flat vector ``params``; ``p_off[k]`` holds the offsets of
layer ``k``'s arrays (recurrent: W_ih, W_hh, b; dense: W, b) and the last row
those of the linear head (W, b). ``sizes`` is ``[n_inputs, *hidden, n_outputs]``.
Scratch arrays live in one flat vector ``ws`` allocated once per fit;
``w_off`` gives their offsets (layout in ``skrnn._network``), each sized for
the largest minibatch and viewed at the size of the current one.
"""

import math

import numpy as np
from numba import njit

from .activations import IDENTITY, INLINE, JIT
from .dense import dense_backward, dense_forward
from .lstm import lstm_backward, lstm_step
from .optim import ALPHA, MAX_GRAD_NORM, optimizer_step, stop_requested
from .rnn import rnn_backward, rnn_step

RNN = 0
LSTM = 1

# Columns of w_off. Per-layer rows of a recurrent network:
HS, CS, GATES, TC, DZ = range(5)
# Per-layer rows of a dense network:
ACT, DELTA = range(2)
# The last row, shared scratch:
XB, YB, SWB, PRED, DPRED, DH_A, DH_B, REC, CARRY_H, CARRY_C = range(10)


@njit(**INLINE)
def _view2(a, off, rows, cols):
    return a[off : off + rows * cols].reshape((rows, cols))


@njit(**INLINE)
def _view3(a, off, d0, d1, d2):
    return a[off : off + d0 * d1 * d2].reshape((d0, d1, d2))


@njit(**INLINE)
def _layer_weights(params, p_off, k, n_in, H, G):
    # Views of recurrent layer k's W_ih (n_in, G), W_hh (H, G) and b (G,).
    W_ih = _view2(params, p_off[k, 0], n_in, G)
    W_hh = _view2(params, p_off[k, 1], H, G)
    return W_ih, W_hh, params[p_off[k, 2] : p_off[k, 2] + G]


@njit(**JIT)
def squared_loss(pred, yb, swb, dpred):
    """sklearn's loss, ``0.5 * mean over outputs of the weighted mean of the
    squared errors``; writes its gradient with respect to ``pred``."""
    b, n_out = pred.shape
    sw_sum = swb.sum()
    scale = pred.dtype.type(1.0 / (sw_sum * n_out))
    loss = 0.0
    for i in range(b):
        w = swb[i] * scale
        for j in range(n_out):
            d = pred[i, j] - yb[i, j]
            dpred[i, j] = w * d
            loss += w * d * d
    return 0.5 * loss


@njit(**JIT)
def add_penalty(params, grad, mask, alpha, sw_sum):
    """The L2 term ``0.5 * alpha * ||W||^2 / sum(w)``: adds its gradient, returns it."""
    if alpha == 0:
        return 0.0
    scale = params.dtype.type(alpha / sw_sum)
    total = 0.0
    for k in range(params.shape[0]):
        p = params[k] * mask[k]
        grad[k] += scale * p
        total += p * params[k]
    return 0.5 * alpha * total / sw_sum


# --------------------------------------------------------------- recurrent


@njit(**JIT)
def recurrent_forward(xb, cell, act, sizes, p_off, params, ws, w_off, pred, keep):
    """Predictions ``pred`` (b, n_out) for a time-major batch ``xb`` (T, b, D).

    With ``keep`` (training) every step's states, gates and tanh(c) stay in
    the workspace for BPTT. Without (predict) only what later steps read: the
    top layer alternates two hidden states, the LSTM two cell states and one
    step's gates, so that a one-layer network's memory is independent of T
    and predict runs large chunks whose state stays in cache. Workspace rows
    as :meth:`RecurrentNetwork._workspace_rows` lays them out for each case.
    """
    T, b, _ = xb.shape
    L = sizes.shape[0] - 2
    gates = 4 if cell == LSTM else 1
    kept = T + 1 if keep else 2  # states of the top layer, LSTM cell states
    steps = T if keep else 1  # gates and tanh(c)
    inp = xb
    for k in range(L):
        n_in, H = sizes[k], sizes[k + 1]
        G = gates * H
        W_ih, W_hh, bias = _layer_weights(params, p_off, k, n_in, H, G)
        rec = _view2(ws, w_off[L, REC], b, G)
        S = T + 1 if k < L - 1 else kept  # below the top: the next layer's input
        Hs = _view3(ws, w_off[k, HS], S, b, H)
        Hs[0] = 0.0
        if cell == LSTM:
            Cs = _view3(ws, w_off[k, CS], kept, b, H)
            Cs[0] = 0.0
            Gt = _view3(ws, w_off[k, GATES], steps, b, G)
            TCk = _view3(ws, w_off[k, TC], steps, b, H)
            for t in range(T):
                lstm_step(inp[t], W_ih, W_hh, bias, Hs[t % S], Hs[(t + 1) % S],
                          Cs[t % kept], Cs[(t + 1) % kept], Gt[t % steps], TCk[t % steps],
                          rec)
        else:
            for t in range(T):
                rnn_step(inp[t], W_ih, W_hh, bias, act, Hs[t % S], Hs[(t + 1) % S], rec)
        if k < L - 1:
            inp = _view3(ws, w_off[k, HS] + b * H, T, b, H)  # Hs[1:], the next input
    n_last, n_out = sizes[L], sizes[L + 1]
    top = _view3(ws, w_off[L - 1, HS], kept, b, n_last)[T % kept]
    W = _view2(params, p_off[L, 0], n_last, n_out)
    dense_forward(top, W, params[p_off[L, 1] : p_off[L, 1] + n_out], IDENTITY, pred)


@njit(**JIT)
def recurrent_loss_grad(
    xb, yb, swb, cell, act, sizes, p_off, bptt_steps, params, grad, mask, alpha, ws, w_off
):
    """Loss of one minibatch; writes the whole gradient into ``grad``.

    ``bptt_steps`` <= 0 means full BPTT.
    """
    T, b, D = xb.shape
    L = sizes.shape[0] - 2
    gates = 4 if cell == LSTM else 1
    n_last, n_out = sizes[L], sizes[L + 1]
    pred = _view2(ws, w_off[L, PRED], b, n_out)
    dpred = _view2(ws, w_off[L, DPRED], b, n_out)
    recurrent_forward(xb, cell, act, sizes, p_off, params, ws, w_off, pred, True)
    loss = squared_loss(pred, yb, swb, dpred)

    # The head sees the last step only: the gradient reaching the top layer's
    # outputs is zero except at t = T - 1.
    dH = _view3(ws, w_off[L, DH_A], T, b, n_last)
    dH[: T - 1] = 0.0
    top = _view3(ws, w_off[L - 1, HS], T + 1, b, n_last)[T]
    dense_backward(
        top, _view2(params, p_off[L, 0], n_last, n_out), pred, dpred, IDENTITY,
        _view2(grad, p_off[L, 0], n_last, n_out), grad[p_off[L, 1] : p_off[L, 1] + n_out],
        dH[T - 1], True,
    )
    t_stop = max(0, T - bptt_steps) if bptt_steps > 0 else 0
    use_a = True
    for k in range(L - 1, -1, -1):
        n_in, H = sizes[k], sizes[k + 1]
        G = gates * H
        dH = _view3(ws, w_off[L, DH_A if use_a else DH_B], T, b, H)
        dX = _view3(ws, w_off[L, DH_B if use_a else DH_A], T, b, n_in)
        inp = xb if k == 0 else _view3(ws, w_off[k - 1, HS] + b * n_in, T, b, n_in)
        W_ih, W_hh, _ = _layer_weights(params, p_off, k, n_in, H, G)
        dW_ih = _view2(grad, p_off[k, 0], n_in, G)
        dW_hh = _view2(grad, p_off[k, 1], H, G)
        db = grad[p_off[k, 2] : p_off[k, 2] + G]
        Hs = _view3(ws, w_off[k, HS], T + 1, b, H)
        dZ = _view3(ws, w_off[k, DZ], T, b, G)
        carry_h = _view2(ws, w_off[L, CARRY_H], b, H)
        if cell == LSTM:
            Cs = _view3(ws, w_off[k, CS], T + 1, b, H)
            Gt = _view3(ws, w_off[k, GATES], T, b, G)
            TCk = _view3(ws, w_off[k, TC], T, b, H)
            carry_c = _view2(ws, w_off[L, CARRY_C], b, H)
            lstm_backward(
                inp, W_ih, W_hh, Hs, Cs, Gt, TCk, dH, t_stop, dZ, carry_h, carry_c,
                dW_ih, dW_hh, db, dX, k > 0,
            )
        else:
            rnn_backward(
                inp, W_ih, W_hh, act, Hs, dH, t_stop, dZ, carry_h, dW_ih, dW_hh, db, dX, k > 0
            )
        use_a = not use_a
    return loss + add_penalty(params, grad, mask, alpha, swb.sum())


@njit(**JIT)
def _gather_time_major(X, t0, scaling, rows, xb):
    # xb[t, i, :] = standardised X[rows[i], t0 + t, :]: the minibatch,
    # time-major and contiguous, from the steps t0, t0 + 1, ... (the window)
    # of X. ``scaling`` (2, D) holds each feature's shift and scale.
    shift, scale = scaling[0], scaling[1]
    for i in range(rows.shape[0]):
        r = rows[i]
        for t in range(xb.shape[0]):
            for d in range(X.shape[2]):
                xb[t, i, d] = (X[r, t0 + t, d] - shift[d]) / scale[d]


@njit(**JIT)
def _gather_flat(X, t0, scaling, rows, xb):
    # xb[i] = standardised X[rows[i], t0:].ravel(): the MLP's minibatch of
    # flat windows.
    D = X.shape[2]
    shift, scale = scaling[0], scaling[1]
    for i in range(rows.shape[0]):
        r = rows[i]
        for t in range(X.shape[1] - t0):
            for d in range(D):
                xb[i, t * D + d] = (X[r, t0 + t, d] - shift[d]) / scale[d]


@njit(**JIT)
def _start_minibatch(Y, SW, rows, yb, swb, bi, losses, norms):
    """Gather the minibatch's targets and weights.

    Returns False, recording the minibatch as skipped (norm -1), when all
    its weights are zero: no information, no update.
    """
    for i in range(rows.shape[0]):
        r = rows[i]
        swb[i] = SW[r]
        for j in range(Y.shape[1]):
            yb[i, j] = Y[r, j]
    if swb.sum() == 0:
        losses[bi] = 0.0
        norms[bi] = -1.0
        return False
    return True


@njit(**JIT)
def _finish_minibatch(loss, bi, params, grad, m, v, hyper, solver, nesterov, step, losses, norms):
    """Record the minibatch's loss and gradient norm, then clip and update.

    Returns False, without updating, when the loss or gradient is not finite.
    ``step`` is the number of updates made before this one.
    """
    norm = math.sqrt(np.dot(grad, grad))
    losses[bi] = loss
    norms[bi] = norm
    if not (math.isfinite(loss) and math.isfinite(norm)):
        return False
    max_norm = hyper[MAX_GRAD_NORM]
    if max_norm > 0 and norm > max_norm:
        scale = params.dtype.type(max_norm / norm)
        for k in range(grad.shape[0]):
            grad[k] *= scale
    optimizer_step(params, grad, m, v, hyper, solver, nesterov, step + 1)
    return True


@njit(**JIT)
def recurrent_train(
    X, t0, scaling, Y, SW, order, batch_size, cell, act, sizes, p_off, bptt_steps,
    params, grad, mask, m, v, hyper, solver, nesterov, step, ws, w_off, losses, norms,
):
    """Train on the minibatches of ``order`` (sample indices, in order).

    X (n, t0 + T, D) batch-first, of which the steps from ``t0`` on are used,
    standardised as ``(X - scaling[0]) / scaling[1]``; Y (n, n_out), SW (n,).
    Writes each minibatch's loss and gradient norm (before clipping; -1 for a skipped minibatch of
    zero total weight) into ``losses`` and ``norms``. Stops at the first
    non-finite loss or gradient, before its update, and before the next
    minibatch once ``hyper[STOP]`` is set.

    Returns (optimizer step count, number of minibatches done).
    """
    n = order.shape[0]
    T, D = X.shape[1] - t0, X.shape[2]
    L = sizes.shape[0] - 2
    n_out = sizes[L + 1]
    n_batches = (n + batch_size - 1) // batch_size
    for bi in range(n_batches):
        if stop_requested(hyper):  # set by another thread on Ctrl-C
            return step, bi
        start = bi * batch_size
        b = min(batch_size, n - start)
        rows = order[start : start + b]
        xb = _view3(ws, w_off[L, XB], T, b, D)
        yb = _view2(ws, w_off[L, YB], b, n_out)
        swb = ws[w_off[L, SWB] : w_off[L, SWB] + b]
        if not _start_minibatch(Y, SW, rows, yb, swb, bi, losses, norms):
            continue
        _gather_time_major(X, t0, scaling, rows, xb)
        loss = recurrent_loss_grad(
            xb, yb, swb, cell, act, sizes, p_off, bptt_steps, params, grad, mask,
            hyper[ALPHA], ws, w_off,
        )
        if not _finish_minibatch(loss, bi, params, grad, m, v, hyper, solver, nesterov, step,
                                 losses, norms):
            return step, bi
        step += 1
    return step, n_batches


@njit(**JIT)
def recurrent_predict(
    X, t0, scaling, cell, act, sizes, p_off, params, ws, w_off, batch_size, out
):
    """Predictions ``out`` (n, n_out) for the steps from ``t0`` on of X, in chunks."""
    n, T, D = X.shape[0], X.shape[1] - t0, X.shape[2]
    L = sizes.shape[0] - 2
    rows = np.empty(batch_size, dtype=np.int64)  # one chunk's, not n indices
    for start in range(0, n, batch_size):
        b = min(batch_size, n - start)
        xb = _view3(ws, w_off[L, XB], T, b, D)
        rows[:b] = np.arange(start, start + b)
        _gather_time_major(X, t0, scaling, rows[:b], xb)
        recurrent_forward(
            xb, cell, act, sizes, p_off, params, ws, w_off, out[start : start + b], False
        )


# ------------------------------------------------------------------- dense


@njit(**JIT)
def dense_net_forward(xb, act, sizes, p_off, params, ws, w_off, pred):
    """Predictions ``pred`` (b, n_out) of the MLP for flat windows ``xb`` (b, F)."""
    b = xb.shape[0]
    L = sizes.shape[0] - 2
    inp = xb
    for k in range(L):
        A = _view2(ws, w_off[k, ACT], b, sizes[k + 1])
        W = _view2(params, p_off[k, 0], sizes[k], sizes[k + 1])
        dense_forward(inp, W, params[p_off[k, 1] : p_off[k, 1] + sizes[k + 1]], act, A)
        inp = A
    W = _view2(params, p_off[L, 0], sizes[L], sizes[L + 1])
    dense_forward(inp, W, params[p_off[L, 1] : p_off[L, 1] + sizes[L + 1]], IDENTITY, pred)


@njit(**JIT)
def dense_loss_grad(xb, yb, swb, act, sizes, p_off, params, grad, mask, alpha, ws, w_off):
    """Loss of one minibatch of the MLP; writes the whole gradient into ``grad``."""
    b = xb.shape[0]
    L = sizes.shape[0] - 2
    n_out = sizes[L + 1]
    pred = _view2(ws, w_off[L, PRED], b, n_out)
    dpred = _view2(ws, w_off[L, DPRED], b, n_out)
    dense_net_forward(xb, act, sizes, p_off, params, ws, w_off, pred)
    loss = squared_loss(pred, yb, swb, dpred)
    d_out, out = dpred, pred
    for k in range(L, -1, -1):  # the head (k = L), then the hidden layers
        n_in, n_o = sizes[k], sizes[k + 1]
        inp = xb if k == 0 else _view2(ws, w_off[k - 1, ACT], b, n_in)
        d_in = d_out if k == 0 else _view2(ws, w_off[k - 1, DELTA], b, n_in)
        dense_backward(
            inp, _view2(params, p_off[k, 0], n_in, n_o), out, d_out,
            IDENTITY if k == L else act,
            _view2(grad, p_off[k, 0], n_in, n_o), grad[p_off[k, 1] : p_off[k, 1] + n_o],
            d_in, k > 0,
        )
        d_out, out = d_in, inp
    return loss + add_penalty(params, grad, mask, alpha, swb.sum())


@njit(**JIT)
def dense_train(
    X, t0, scaling, Y, SW, order, batch_size, act, sizes, p_off,
    params, grad, mask, m, v, hyper, solver, nesterov, step, ws, w_off, losses, norms,
):
    """The MLP's :func:`recurrent_train`; windows are flattened as gathered."""
    n, F = order.shape[0], (X.shape[1] - t0) * X.shape[2]
    L = sizes.shape[0] - 2
    n_out = sizes[L + 1]
    n_batches = (n + batch_size - 1) // batch_size
    for bi in range(n_batches):
        if stop_requested(hyper):  # set by another thread on Ctrl-C
            return step, bi
        start = bi * batch_size
        b = min(batch_size, n - start)
        rows = order[start : start + b]
        xb = _view2(ws, w_off[L, XB], b, F)
        yb = _view2(ws, w_off[L, YB], b, n_out)
        swb = ws[w_off[L, SWB] : w_off[L, SWB] + b]
        if not _start_minibatch(Y, SW, rows, yb, swb, bi, losses, norms):
            continue
        _gather_flat(X, t0, scaling, rows, xb)
        loss = dense_loss_grad(
            xb, yb, swb, act, sizes, p_off, params, grad, mask, hyper[ALPHA], ws, w_off
        )
        if not _finish_minibatch(loss, bi, params, grad, m, v, hyper, solver, nesterov, step,
                                 losses, norms):
            return step, bi
        step += 1
    return step, n_batches


@njit(**JIT)
def dense_predict(X, t0, scaling, act, sizes, p_off, params, ws, w_off, batch_size, out):
    """Predictions ``out`` (n, n_out) of the MLP for the steps from ``t0`` on of X."""
    n, F = X.shape[0], (X.shape[1] - t0) * X.shape[2]
    L = sizes.shape[0] - 2
    rows = np.empty(batch_size, dtype=np.int64)  # one chunk's, not n indices
    for start in range(0, n, batch_size):
        b = min(batch_size, n - start)
        xb = _view2(ws, w_off[L, XB], b, F)
        rows[:b] = np.arange(start, start + b)
        _gather_flat(X, t0, scaling, rows[:b], xb)
        dense_net_forward(xb, act, sizes, p_off, params, ws, w_off, out[start : start + b])
