"""Would one fit gain from running each minibatch's halves on two threads?

skrnn fits on one thread. The cheapest way to use a second core in one fit
is to split each minibatch into two halves, compute each half's gradient on
its own thread (the kernels release the GIL) and sum them. This measures,
for one minibatch of the largest benchmark row, the gradient of the whole
minibatch on one thread against the two halves in turn and on two threads,
each with its workspace allocated once as a fit does; and, as the
machine's own limit, independent matrix-product loops on one and on two
threads. BLAS is pinned to one thread. Median of 7 repeats of 5 calls.

Run: ``python benchmarks/minibatch_split.py [--cell lstm] [--dtype float32]``.
"""

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from skrnn._kernels.train import loss_grad
from skrnn._network import Network


def _median_seconds(fn, repeats=7, calls=5):
    fn()
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - tic) / calls)
    return statistics.median(times)


def gradient_timings(cell, dtype, B, T, D, H):
    """Seconds for one minibatch's gradient: whole, halves in turn, halves on 2 threads."""
    dtype = np.dtype(dtype)
    net = Network(cell, D, (H,), 1, "tanh" if cell == "rnn" else None)
    rng = np.random.RandomState(0)
    params = net.init_params(rng, dtype)
    mask = net.penalty_mask(dtype)

    def minibatch(b):
        ws = net.workspace(T, b, dtype)
        xb = rng.normal(size=(T, b, D)).astype(dtype)  # time-major, as gathered
        y = rng.normal(size=(b, 1)).astype(dtype)
        return ws, xb, y, np.ones(b, dtype), np.zeros(b, np.int64), np.zeros_like(params)

    def gradient(part):
        (ws, w_off, s_off), xb, y, sw, lead, grad = part
        loss_grad(net.kernel_net, net.kernel_loss, xb, y, sw, lead, 0, net.sizes, net.p_off,
                  params, grad, mask, dtype.type(0), ws, w_off, s_off)

    whole, first, second = minibatch(B), minibatch(B // 2), minibatch(B - B // 2)
    with ThreadPoolExecutor(1) as pool:
        def on_two_threads():
            other = pool.submit(gradient, second)
            gradient(first)
            other.result()

        return {
            "whole": _median_seconds(lambda: gradient(whole)),
            "halves in turn": _median_seconds(lambda: (gradient(first), gradient(second))),
            "halves on 2 threads": _median_seconds(on_two_threads),
        }


def product_timings(dtype, B, H):
    """Seconds for two loops of (B/2, H) @ (H, 4H) products, in turn and on 2 threads."""
    rng = np.random.RandomState(0)
    a = rng.normal(size=(B // 2, H)).astype(dtype)
    b = rng.normal(size=(H, 4 * H)).astype(dtype)

    def loop():
        for _ in range(500):
            a @ b

    with ThreadPoolExecutor(1) as pool:
        def on_two_threads():
            other = pool.submit(loop)
            loop()
            other.result()

        return {"in turn": _median_seconds(lambda: (loop(), loop())),
                "on 2 threads": _median_seconds(on_two_threads)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = parser.parse_args()
    B, T, D, H = 256, 100, 8, 128
    with threadpool_limits(1):
        grads = gradient_timings(args.cell, args.dtype, B, T, D, H)
        products = product_timings(args.dtype, B, H)
    print(f"{args.cell} {args.dtype} B,T,D,H={B},{T},{D},{H}: one minibatch's gradient")
    for name, seconds in grads.items():
        print(f"  {name:20s} {1e3 * seconds:8.1f} ms  (x{grads['whole'] / seconds:.2f} of whole)")
    speedup = products["in turn"] / products["on 2 threads"]
    print(f"matrix products alone, two loops on 2 threads: x{speedup:.2f} of in turn")


if __name__ == "__main__":
    main()
