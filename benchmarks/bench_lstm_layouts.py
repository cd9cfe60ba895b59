"""An LSTM layer's training minibatch: skrnn's feature-major kernels against batch-major ones.

``bench_step_layouts.py`` times a step's three matrix products alone in
both layouts; this script times what a fit runs per minibatch and layer:
the forward pass keeping every step's values, then backpropagation
through time with the weight gradients, products and elementwise code
together, so that what the layout costs the elementwise loops is counted.
Both sides run the loops of ``lstm.lstm_forward`` and ``lstm.lstm_backward``
for one layer of rectangular data:

- feature-major, as skrnn's kernels (since the change the README's Zen 3
  findings record): each step's values (width, b), C-contiguous; the
  forward's product ``W^T @ [x ; h]`` with ``W^T`` copied once a
  minibatch, the elementwise loops of ``lstm.lstm_cell`` and
  ``lstm.lstm_cell_backward`` over the step's blocks, the backward's
  product ``W_hh @ dA``, each step's weight gradients ``dA @ [x ; h]^T``
  added into ``dW^T``, added transposed into ``dW`` at the end;
- batch-major, as the kernels were before: each step's values (b, width),
  ``recurrent.stack_step``, the product ``[x | h] @ W``, the elementwise
  loops row by row (copied here from the replaced ``lstm.py``), the
  weight gradients in blocks of ``steps_per_product`` steps
  (``recurrent.add_weight_grads``), the backward's product with ``W_hh``
  transposed once a minibatch.

Why the layout matters (see the README, Performance, Zen 3 findings):
SciPy's OpenBLAS packs both operands of every product, and with the
Haswell kernels that AVX2 CPUs run, only one of its four packing routines
(``sgemm_oncopy``, the column-major B operand not transposed: the
row-major product's left operand, rows contiguous) is fast; the others
are generic C copies several times slower per value. Batch-major, the
right operand of the forward and backward products is a weight matrix
and that of the weight gradients a block of gate gradients: 4H wide,
packed slowly at every call. Feature-major, the weights are the left
operand of the forward product and the gate gradients that of the
weight gradients.

A fit computes a minibatch of enough work in two parts of half its rows
(each on its own thread where a second core is free, one after the other
otherwise), so that its model is the same whatever the thread count;
the script times the layer on the rows of one part, as the fit runs it,
and reports a minibatch's time (the parts' sum, as at one thread). It
checks that both layouts compute the same gradients and last hidden
state (to float rounding), then prints microseconds per step of a
minibatch (medians of ``--repeats`` rounds, the layouts interleaved in
each) and feature-major over batch-major, for each row of
``bench_speed.py`` at one thread.

Run: ``python benchmarks/bench_lstm_layouts.py [--dtype float32]
[--repeats 9] [--json out.json]``.
"""

import statistics
import time

import numpy as np
from bench_speed import ROWS
from bench_step_layouts import layout_arguments, write_results
from numba import njit
from threadpoolctl import threadpool_limits

from skrnn._kernels.activations import LOGISTIC, TANH, activate_vector, tanh
from skrnn._kernels.blas import gemm_direct
from skrnn._kernels.config import helper
from skrnn._kernels.layout import vector
from skrnn._kernels.lstm import add_row_sums, lstm_cell, lstm_cell_backward
from skrnn._kernels.recurrent import (
    add_weight_grads,
    completed_block,
    stack_step,
    steps_per_product,
    transpose,
)
from skrnn._network import Network
from skrnn._threads import direct_product_size


@helper
def batch_major_cell(g, b, c_prev, c, tc, h):
    """The replaced ``lstm.lstm_cell``: g (B, 4H), the states (B, H), row
    by row."""
    B, H = h.shape
    for i in range(B):
        gi = g[i]
        activate_vector(vector(gi, 0, 2 * H), vector(b, 0, 2 * H), LOGISTIC)
        activate_vector(vector(gi, 2 * H, H), vector(b, 2 * H, H), TANH)
        activate_vector(vector(gi, 3 * H, H), vector(b, 3 * H, H), LOGISTIC)
    for i in range(B):
        gi, cp, ci = g[i], c_prev[i], c[i]
        i_g, f_g, g_g = vector(gi, 0, H), vector(gi, H, H), vector(gi, 2 * H, H)
        for j in range(H):
            ci[j] = f_g[j] * cp[j] + i_g[j] * g_g[j]
    for i in range(B):
        o_g, ci, tci, hi = vector(g[i], 3 * H, H), c[i], tc[i], h[i]
        for j in range(H):
            t = tanh(ci[j])
            tci[j] = t
            hi[j] = o_g[j] * t


@helper
def batch_major_cell_backward(g, tc, c_prev, dh, dc, da):
    """The replaced ``lstm.lstm_cell_backward``, row by row."""
    B, H = dh.shape
    for i in range(B):
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


@njit(cache=True)
def batch_major(xb, W, bias, d_top, Hs, Cs, XH, Gates, TC, dA, dh, dc, W_hh_T, dW, db, direct):
    """The replaced kernels' loops for one layer: arrays (steps, b, width)."""
    T, B, D = xb.shape
    H = Hs.shape[2]
    G = 4 * H
    Hs[0][:] = 0.0
    Cs[0][:] = 0.0
    for t in range(T):
        stack_step(xb[t], Hs[t], XH[t])
        gemm_direct(XH[t], W, Gates[t], 0.0, direct)
        batch_major_cell(Gates[t], bias, Cs[t], Cs[t + 1], TC[t], Hs[t + 1])
    transpose(W[D:], W_hh_T)
    per_product = steps_per_product(B, D + H, G, dA.itemsize, direct)
    dh[:] = d_top
    dc[:] = 0.0
    for t in range(T - 1, -1, -1):
        batch_major_cell_backward(Gates[t], TC[t], Cs[t], dh, dc, dA[t])
        t_hi = completed_block(t, T, 0, per_product)
        if t_hi:
            add_weight_grads(XH, dA, t, t_hi, dW, db, t_hi == T, direct)
        if t > 0:
            gemm_direct(dA[t], W_hh_T, dh, 0.0, direct)


@njit(cache=True)
def feature_major(xbf, W, bias, d_top_f, W_t, Hs, Cs, XH, Gates, TC, dA, dh, dc, dW, db,
                  direct):
    """skrnn's kernels' loops for one layer (``lstm.lstm_forward`` and
    ``lstm.lstm_backward`` without padding): arrays (steps, width, b),
    ``W_t`` W^T in the forward, then dW^T."""
    T, D, B = xbf.shape
    transpose(W, W_t)
    Hs[0][:] = 0.0
    Cs[0][:] = 0.0
    for t in range(T):
        XH[t][:D] = xbf[t]
        XH[t][D:] = Hs[t]
        gemm_direct(W_t, XH[t], Gates[t], 0.0, direct)
        lstm_cell(Gates[t], bias, Cs[t], Cs[t + 1], TC[t], Hs[t + 1])
    dh[:] = d_top_f
    dc[:] = 0.0
    db[:] = 0.0
    for t in range(T - 1, -1, -1):
        lstm_cell_backward(Gates[t], TC[t], Cs[t], dh, dc, dA[t])
        gemm_direct(dA[t], XH[t].T, W_t, 0.0 if t == T - 1 else 1.0, direct)
        add_row_sums(dA[t], 0, db)
        if t > 0:
            gemm_direct(W[D:], dA[t], dh, 0.0, direct)
    transpose(W_t, dW)


def layer_arrays(B, T, D, H, dtype, rng):
    """The inputs and both layouts' workspaces of one minibatch."""
    K, G = D + H, 4 * H
    xb = rng.normal(size=(T, B, D)).astype(dtype)
    W = (rng.normal(size=(K, G)) / np.sqrt(K)).astype(dtype)
    bias = (0.1 * rng.normal(size=G)).astype(dtype)
    d_top = rng.normal(size=(B, H)).astype(dtype)

    def empty(*shape):
        return np.zeros(shape, dtype)

    bm = (xb, W, bias, d_top, empty(T + 1, B, H), empty(T + 1, B, H), empty(T, B, K),
          empty(T, B, G), empty(T, B, H), empty(T, B, G), empty(B, H), empty(B, H), empty(G, H),
          empty(K, G), empty(G))
    fm = (np.ascontiguousarray(xb.transpose(0, 2, 1)), W, bias, np.ascontiguousarray(d_top.T),
          empty(G, K), empty(T + 1, H, B), empty(T + 1, H, B), empty(T, K, B), empty(T, G, B),
          empty(T, H, B), empty(T, G, B), empty(H, B), empty(H, B), empty(K, G), empty(G))
    return bm, fm


def check_same(bm, fm, rtol):
    """Both layouts' weight and bias gradients and last hidden state agree."""
    T = bm[4].shape[0] - 1
    pairs = {"dW": (bm[13], fm[13]), "db": (bm[14], fm[14]), "h_T": (bm[4][T], fm[5][T].T)}
    for name, (a, b) in pairs.items():
        scale = np.abs(a).max()
        if not np.allclose(a, b, rtol=0, atol=rtol * scale):
            raise AssertionError(f"{name}: the layouts differ by {np.abs(a - b).max()} "
                                 f"(largest value {scale})")


def main():
    args = layout_arguments(__doc__, 9)
    dtype = np.dtype(args.dtype)
    direct = direct_product_size()
    rng = np.random.RandomState(0)
    results = []
    with threadpool_limits(1):
        for B, T, D, H in ROWS:
            parts = Network("lstm", D, (H,), 1)._parts(B, T, training=True)
            bm, fm = layer_arrays(-(-B // parts), T, D, H, dtype, rng)
            runs = (lambda: batch_major(*bm, direct), lambda: feature_major(*fm, direct))
            for run in runs:
                run()  # compile, first touch
            check_same(bm, fm, 1e-4 if dtype == np.float32 else 1e-10)
            times = ([], [])
            for r in range(args.repeats):
                for layout in ((0, 1) if r % 2 == 0 else (1, 0)):
                    tic = time.perf_counter()
                    runs[layout]()
                    times[layout].append((time.perf_counter() - tic) * parts / T)
            b_us, f_us = (statistics.median(t) * 1e6 for t in times)
            per_round = statistics.median(f / b for b, f in zip(*times))
            results.append(dict(row=f"{B}/{T}/{D}/{H}", dtype=str(dtype), parts=parts,
                                batch_major_us=b_us,
                                feature_major_us=f_us, ratio=f_us / b_us,
                                median_round_ratio=per_round))
            print(f"{B}/{T}/{D}/{H:<4} LSTM {dtype}, {parts} part(s): batch-major "
                  f"{b_us:8.1f} us a step, feature-major {f_us:8.1f}  x{f_us / b_us:.3f} "
                  f"(median round x{per_round:.3f})",
                  flush=True)
    write_results(args, direct, results)


if __name__ == "__main__":
    main()
