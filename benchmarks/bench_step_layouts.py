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
minibatch's step products in both layouts, through the BLAS call skrnn's
kernels make (``skrnn._kernels.blas.gemm``: SciPy's OpenBLAS), each step's
operands at its own place in arrays as large as a fit's, so that they come
from memory as they do in a fit:

- forward: the step's input ``[x_t | h_{t-1}]`` by the stacked weights
  (the GRU: ``h_{t-1}`` by ``W_hh``), into the step's gates;
- backward: the step's gate gradients by ``W_hh`` transposed;
- weight gradients: the products over blocks of steps that
  ``recurrent.add_weight_grads`` computes (as many steps as
  ``steps_in_cache`` puts in a block), added into one gradient.

Both layouts run the same multiply-adds; the script prints microseconds
per step (medians of ``--repeats`` rounds, the layouts interleaved in
each), GFLOP/s and feature-major over batch-major. At one thread (skrnn's
kernels call the BLAS from one thread per minibatch part).

Run: ``python benchmarks/bench_step_layouts.py [--dtype float32]
[--repeats 7] [--json out.json]``.
"""

import argparse
import json
import statistics
import time

import numpy as np
from numba import njit
from threadpoolctl import threadpool_limits

from skrnn._kernels.blas import gemm
from skrnn._kernels.recurrent import steps_in_cache

#: (B, T, D, H) of bench_speed.py's rows.
ROWS = [(32, 24, 1, 32), (64, 50, 1, 64), (32, 200, 1, 16), (256, 100, 8, 128)]
#: Gates per cell, and whether its step multiplies the stacked [x | h].
CELLS = {"lstm": (4, True), "gru": (3, False), "rnn": (1, True)}


@njit(cache=True)
def forward(S, W, Z, B, T, feature_major):
    # Z[t] = S[t] @ W (batch-major: S (T*B, K), Z (T*B, G));
    # Z[:, t] = W^T @ S[:, t] (feature-major: S (K, T*B), W is W^T (G, K)).
    for t in range(T):
        if feature_major:
            gemm(W, S[:, t * B:(t + 1) * B], Z[:, t * B:(t + 1) * B], 0.0)
        else:
            gemm(S[t * B:(t + 1) * B], W, Z[t * B:(t + 1) * B], 0.0)


@njit(cache=True)
def backward(dZ, W_t, dH, B, T, feature_major):
    # dH = dZ[t] @ W_hh^T, every step (feature-major: dH^T = W_hh @ dZ[:, t]).
    for t in range(T):
        if feature_major:
            gemm(W_t, dZ[:, t * B:(t + 1) * B], dH, 0.0)
        else:
            gemm(dZ[t * B:(t + 1) * B], W_t, dH, 0.0)


@njit(cache=True)
def weight_grads(S, dZ, dW, B, T, per_block, feature_major):
    # dW += S[block]^T @ dZ[block] (feature-major: dW^T += dZ[:, block] @ S[:, block]^T).
    for t in range(0, T, per_block):
        stop = min(T, t + per_block) * B
        if feature_major:
            gemm(dZ[:, t * B:stop], S[:, t * B:stop].T, dW, 1.0)
        else:
            gemm(S[t * B:stop].T, dZ[t * B:stop], dW, 1.0)


def operands(B, T, D, H, cell, dtype, rng):
    """Each product's arrays in both layouts: {name: (batch-major, feature-major)}."""
    gates, stacked = CELLS[cell]
    K, G = (D + H if stacked else H), gates * H

    def rand(*shape):
        return rng.uniform(-0.5, 0.5, size=shape).astype(dtype)

    S, dZ = rand(T * B, K), rand(T * B, G)
    W, W_hh = rand(K, G), rand(H, G)
    per_block = int(steps_in_cache(B, K, G, np.dtype(dtype).itemsize))
    return {
        "forward": ((S, W, np.zeros((T * B, G), dtype)),
                    (np.ascontiguousarray(S.T), np.ascontiguousarray(W.T),
                     np.zeros((G, T * B), dtype))),
        "backward": ((dZ, np.ascontiguousarray(W_hh.T), np.zeros((B, H), dtype)),
                     (np.ascontiguousarray(dZ.T), W_hh, np.zeros((H, B), dtype))),
        "weight gradients": ((S, dZ, np.zeros((K, G), dtype)),
                             (np.ascontiguousarray(S.T), np.ascontiguousarray(dZ.T),
                              np.zeros((G, K), dtype))),
    }, 2 * B * K * G, 2 * B * G * H, per_block


def time_step(kind, arrays, B, T, per_block, feature_major):
    """Seconds a step of one product kind takes over one minibatch."""
    tic = time.perf_counter()
    if kind == "forward":
        S, W, Z = arrays
        forward(S, W, Z, B, T, feature_major)
    elif kind == "backward":
        dZ, W_t, dH = arrays
        backward(dZ, W_t, dH, B, T, feature_major)
    else:
        S, dZ, dW = arrays
        weight_grads(S, dZ, dW, B, T, per_block, feature_major)
    return (time.perf_counter() - tic) / T


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    dtype = np.dtype(args.dtype)
    rng = np.random.RandomState(0)
    results = []
    with threadpool_limits(1):
        for B, T, D, H in ROWS:
            for cell in CELLS:
                arrays, fwd_flops, bwd_flops, per_block = operands(B, T, D, H, cell, dtype, rng)
                flops = {"forward": fwd_flops, "backward": bwd_flops,
                         "weight gradients": fwd_flops if CELLS[cell][1] else bwd_flops}
                for kind, (batch_major, feature_major) in arrays.items():
                    times = {False: [], True: []}
                    for fm, a in ((False, batch_major), (True, feature_major)):
                        time_step(kind, a, B, T, per_block, fm)  # compile, first touch
                    for r in range(args.repeats):
                        order = (False, True) if r % 2 == 0 else (True, False)
                        for fm in order:
                            a = feature_major if fm else batch_major
                            times[fm].append(time_step(kind, a, B, T, per_block, fm))
                    bm, fm = statistics.median(times[False]), statistics.median(times[True])
                    results.append(dict(row=f"{B}/{T}/{D}/{H}", cell=cell, dtype=str(dtype),
                                        product=kind, steps_per_block=per_block,
                                        batch_major_us=bm * 1e6, feature_major_us=fm * 1e6,
                                        batch_major_gflops=flops[kind] / bm / 1e9,
                                        feature_major_gflops=flops[kind] / fm / 1e9,
                                        ratio=fm / bm))
                    print(f"{B}/{T}/{D}/{H:<4} {cell:4} {kind:16} batch-major {bm * 1e6:8.2f} us "
                          f"({flops[kind] / bm / 1e9:5.1f} GFLOP/s)  feature-major "
                          f"{fm * 1e6:8.2f} us ({flops[kind] / fm / 1e9:5.1f})  x{fm / bm:.2f}",
                          flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"dtype": str(dtype), "repeats": args.repeats, "results": results}, f,
                      indent=1)


if __name__ == "__main__":
    main()
