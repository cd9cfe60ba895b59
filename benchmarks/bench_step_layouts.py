"""A recurrent step's matrix products in skrnn's layout and in a feature-major one.

skrnn keeps a step's values batch-major: row i of the gates (b, G) is
sequence i. OpenBLAS (column-major) then sees every product with the
weights as its first operand, which its AVX2 kernels copy into packed
blocks with ``sgemm_itcopy``/``dgemm_itcopy`` at every call: a third of
the samples of the 64/50/1/64 float32 LSTM's fit (README, Performance,
the Zen 3 findings). Kept feature-major instead (the gates (G, b), a
layer's steps side by side as (G, T * b)), the same products hand
OpenBLAS the weights as its second operand, and the gradients of a block
of steps as a matrix whose columns it reads contiguously.

For each row of ``bench_speed.py`` and each cell, this script times a
minibatch's step products in both layouts, batch-major as skrnn's kernels
compute them (``blas.gemm_direct``, ``recurrent.block_product``, blocks of
``steps_per_product`` steps: SciPy's OpenBLAS, directly where the kernels
would), feature-major through the same calls, each step's operands at
its own place in arrays as large as a fit's, so that they come from memory
as they do in a fit:

- forward: the step's input ``[x_t | h_{t-1}]`` by the stacked weights
  (the GRU: ``h_{t-1}`` by ``W_hh``), into the step's gates;
- backward: the step's gate gradients by ``W_hh`` transposed;
- weight gradients: the products over blocks of steps that
  ``recurrent.add_weight_grads`` computes, added into one gradient.

Both layouts run the same multiply-adds; the script prints microseconds
per step (medians of ``--repeats`` rounds, the layouts interleaved in
each), GFLOP/s and feature-major over batch-major; for the weight
gradients also feature-major one step a product, as the LSTM's kernels
compute them (whether the RNN's and GRU's could do the same). At one
thread (skrnn's kernels call the BLAS from one thread per minibatch part).

Run: ``python benchmarks/bench_step_layouts.py [--dtype float32]
[--repeats 7] [--json out.json]``.
"""

import argparse
import json
import statistics
import time

import numpy as np
from bench_speed import GATES, ROWS
from numba import njit
from threadpoolctl import threadpool_limits

from skrnn._kernels.blas import gemm_direct
from skrnn._kernels.recurrent import block_product, completed_block, steps_per_product
from skrnn._threads import direct_product_size


# The three product loops, one signature. Batch-major arrays are (T * b,
# width), a step's (b, width) its rows t * b to (t + 1) * b (the memory of
# the kernels' (T, b, width)); feature-major ones (width, T * b), a step's
# (width, b) its columns t * b to (t + 1) * b.
@njit(cache=True)
def forward(S, W, Z, B, T, per_block, direct, feature_major):
    # Z[t] = S[t] @ W; feature-major, Z[:, t] = W^T @ S[:, t] (W given as W^T).
    for t in range(T):
        if feature_major:
            gemm_direct(W, S[:, t * B:(t + 1) * B], Z[:, t * B:(t + 1) * B], 0.0, direct)
        else:
            gemm_direct(S[t * B:(t + 1) * B], W, Z[t * B:(t + 1) * B], 0.0, direct)


@njit(cache=True)
def backward(dZ, W_t, dH, B, T, per_block, direct, feature_major):
    # dH = dZ[t] @ W_hh^T, last step first; feature-major, dH^T = W_hh @ dZ[:, t].
    for t in range(T - 1, -1, -1):
        if feature_major:
            gemm_direct(W_t, dZ[:, t * B:(t + 1) * B], dH, 0.0, direct)
        else:
            gemm_direct(dZ[t * B:(t + 1) * B], W_t, dH, 0.0, direct)


@njit(cache=True)
def weight_grads(S, dZ, dW, B, T, per_block, direct, feature_major):
    # dW += S[block]^T @ dZ[block] for each block of steps the backward
    # completes; feature-major, dW^T += dZ[:, block] @ S[:, block]^T.
    for t in range(T - 1, -1, -1):
        t_hi = completed_block(t, T, 0, per_block)
        if t_hi and feature_major:
            gemm_direct(dZ[:, t * B:t_hi * B], S[:, t * B:t_hi * B].T, dW,
                        0.0 if t_hi == T else 1.0, direct)
        elif t_hi:
            block_product(S.reshape((T, B, S.shape[1])), dZ.reshape((T, B, dZ.shape[1])), t,
                          t_hi, t, dW, t_hi == T, direct)


PRODUCTS = {"forward": forward, "backward": backward, "weight gradients": weight_grads}


def operands(B, T, D, H, cell, dtype, rng, direct):
    """Each product's arrays in both layouts, {name: (batch-major,
    feature-major)}; its multiply-add FLOPs a step; the steps of a block of
    weight gradients, as the kernels choose them."""
    K, G = (H if cell == "gru" else D + H), GATES[cell] * H

    def rand(*shape):
        return rng.uniform(-0.5, 0.5, size=shape).astype(dtype)

    def feature_major(a):  # (T * b, width) -> (width, T * b)
        return np.ascontiguousarray(a.T)

    S, dZ, W, W_hh = rand(T * B, K), rand(T * B, G), rand(K, G), rand(H, G)
    arrays = {
        "forward": ((S, W, np.zeros((T * B, G), dtype)),
                    (feature_major(S), np.ascontiguousarray(W.T), np.zeros((G, T * B), dtype))),
        "backward": ((dZ, np.ascontiguousarray(W_hh.T), np.zeros((B, H), dtype)),
                     (feature_major(dZ), W_hh, np.zeros((H, B), dtype))),
        "weight gradients": ((S, dZ, np.zeros((K, G), dtype)),
                             (feature_major(S), feature_major(dZ), np.zeros((G, K), dtype))),
    }
    flops = {"forward": 2 * B * K * G, "backward": 2 * B * G * H, "weight gradients": 2 * B * K * G}
    return arrays, flops, steps_per_product(B, K, G, dtype.itemsize, direct)


def layout_arguments(doc, repeats):
    """The command line: ``--dtype``, ``--repeats``, ``--json``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def write_results(args, direct, results):
    """With ``--json``, the run's settings and results into that file."""
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"dtype": args.dtype, "direct": direct, "repeats": args.repeats,
                       "results": results}, f, indent=1)


def main():
    args = layout_arguments(__doc__, 7)
    dtype = np.dtype(args.dtype)
    direct = direct_product_size()
    rng = np.random.RandomState(0)
    results = []
    with threadpool_limits(1):
        for B, T, D, H in ROWS:
            for cell in GATES:
                arrays, flops, per_block = operands(B, T, D, H, cell, dtype, rng, direct)
                for kind, layouts in arrays.items():
                    # (layout, steps a product): the weight gradients also
                    # feature-major a step at a time, as the LSTM's kernels
                    # compute them (each step's block its own array there).
                    variants = [(0, per_block), (1, per_block)]
                    if kind == "weight gradients":
                        variants.append((1, 1))

                    def step(v):
                        # Seconds a step of this product takes over one minibatch.
                        fm, steps = variants[v]
                        tic = time.perf_counter()
                        PRODUCTS[kind](*layouts[fm], B, T, steps, direct, bool(fm))
                        return (time.perf_counter() - tic) / T

                    for v in range(len(variants)):
                        step(v)  # compile, first touch
                    times = [[] for _ in variants]
                    for r in range(args.repeats):
                        order = list(range(len(variants)))
                        for v in (order if r % 2 == 0 else order[::-1]):
                            times[v].append(step(v))
                    bm, fm, *one = (statistics.median(t) for t in times)
                    results.append(dict(row=f"{B}/{T}/{D}/{H}", cell=cell, dtype=str(dtype),
                                        product=kind, steps_per_block=per_block,
                                        batch_major_us=bm * 1e6, feature_major_us=fm * 1e6,
                                        batch_major_gflops=flops[kind] / bm / 1e9,
                                        feature_major_gflops=flops[kind] / fm / 1e9,
                                        ratio=fm / bm))
                    line = (f"{B}/{T}/{D}/{H:<4} {cell:4} {kind:16} batch-major {bm * 1e6:8.2f} us "
                            f"({flops[kind] / bm / 1e9:5.1f} GFLOP/s)  feature-major "
                            f"{fm * 1e6:8.2f} us ({flops[kind] / fm / 1e9:5.1f})  x{fm / bm:.2f}")
                    if one:
                        results[-1].update(feature_major_per_step_us=one[0] * 1e6,
                                           per_step_ratio=one[0] / bm)
                        line += f"  a step a product {one[0] * 1e6:8.2f} us x{one[0] / bm:.2f}"
                    print(line, flush=True)
    write_results(args, direct, results)


if __name__ == "__main__":
    main()
