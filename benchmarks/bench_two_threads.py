"""What the second core gives one fit and one predict, and what it costs.

A fit whose minibatches are large (``skrnn._network._PARTS_ABOVE_WORK``)
computes each minibatch as two parts, on two threads where a second core is
free, and sums their gradients; a large predict runs its chunks as pieces
that the two threads share out. This times, for each row (B/T/D/H = batch,
timesteps, features, hidden units), cell and dtype, the wall time of one
epoch of 16 minibatches and of the predict of the same sequences:

- ``whole``: minibatches in one piece, as skrnn computed them before it
  split them (the split rule switched off; one thread);
- ``in turn``: the two parts one after the other (``SKRNN_NUM_THREADS=1``);
- ``2 threads``: the parts on two threads (skrnn's default).

``in turn`` against ``whole`` is what splitting costs on one core (smaller
matrix products); ``2 threads`` against ``in turn`` what the second core
gives; "cores" is the process's CPU time over the wall time of the
two-thread fit: near 2 when both threads were busy throughout, so that a
small gain with cores near 2 means each thread ran slower beside the other
(a shared physical core, other work), not that the second sat idle. The
models of ``in turn`` and ``2 threads`` are checked to be equal bit for
bit. BLAS runs on one thread throughout (skrnn sets it). Median of
``--repeats`` interleaved repeats, after a warm-up that compiles.
``--busy N``: N processes spin on the CPU beside it, as other work on a
shared machine would (the second thread then finds no free core; the
caller's thread takes the parts that the other thread has not).

Run: ``python benchmarks/bench_two_threads.py [--repeats 5] [--rows 0,1,2,3]
[--cells lstm,gru,rnn] [--dtypes float32,float64] [--busy N]``.
"""

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from bench_speed import busy_processes
from sklearn.exceptions import ConvergenceWarning

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, _network

ROWS = [(32, 24, 1, 32), (64, 50, 1, 64), (32, 200, 1, 16), (256, 100, 8, 128)]
CELLS = {"lstm": LSTMRegressor, "gru": GRURegressor, "rnn": RNNRegressor}
SETTINGS = ("whole", "in turn", "2 threads")


def _run(setting, Estimator, X, y, B, H):
    # One epoch and one predict in the given setting: (fit s, predict s,
    # fit CPU s, model).
    os.environ["SKRNN_NUM_THREADS"] = "2" if setting == "2 threads" else "1"
    rule = _network._PARTS_ABOVE_WORK
    if setting == "whole":
        _network._PARTS_ABOVE_WORK = float("inf")
    try:
        model = Estimator(hidden_layer_sizes=(H,), batch_size=B, max_iter=1, random_state=0)
        tic, cpu = time.perf_counter(), time.process_time()
        model.fit(X, y)
        fit, cpu = time.perf_counter() - tic, time.process_time() - cpu
        tic = time.perf_counter()
        model.predict(X)
        return fit, time.perf_counter() - tic, cpu, model
    finally:
        _network._PARTS_ABOVE_WORK = rule


def bench_row(Estimator, dtype, B, T, D, H, repeats):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16 * B, T, D)).astype(dtype)
    y = X[:, -5:, 0].sum(axis=1)
    for setting in SETTINGS:  # warm-up: compiles
        _run(setting, Estimator, X[: 2 * B], y[: 2 * B], B, H)
    times = {s: ([], [], []) for s in SETTINGS}
    for _ in range(repeats):
        models = {}
        for setting in SETTINGS:
            fit, predict, cpu, models[setting] = _run(setting, Estimator, X, y, B, H)
            times[setting][0].append(fit)
            times[setting][1].append(predict)
            times[setting][2].append(cpu / fit)
        np.testing.assert_array_equal(models["in turn"].params_, models["2 threads"].params_)
    return {s: tuple(statistics.median(t) for t in times[s]) for s in SETTINGS}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", default="0,1,2,3")
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="processes spinning on the CPU beside the benchmark")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"{os.cpu_count()} CPUs, {args.busy} busy processes; wall seconds, median of "
          f"{args.repeats}; "
          "ratios: in turn / whole (cost of the split on one core), "
          "in turn / 2 threads (gain of the second core)")
    print(f"{'B/T/D/H':14s} {'cell':5s} {'dtype':8s} "
          f"{'fit whole':>9s} {'in turn':>8s} {'2 thr':>8s} {'cost':>6s} {'gain':>6s} "
          f"{'cores':>6s} {'pred 1 thr':>10s} {'2 thr':>8s} {'gain':>6s}")
    with busy_processes(args.busy):
        for i in args.rows.split(","):
            B, T, D, H = ROWS[int(i)]
            for cell in args.cells.split(","):
                for dtype in args.dtypes.split(","):
                    t = bench_row(CELLS[cell], dtype, B, T, D, H, args.repeats)
                    (fw, pw, _), (ft, pt, _), (f2, p2, cores) = (t[s] for s in SETTINGS)
                    print(f"{B}/{T}/{D}/{H:<6d} {cell:5s} {dtype:8s} "
                          f"{fw:9.4f} {ft:8.4f} {f2:8.4f} {fw / ft:6.2f} {ft / f2:6.2f} "
                          f"{cores:6.2f} {pt:10.4f} {p2:8.4f} {pt / p2:6.2f}", flush=True)

if __name__ == "__main__":
    main()
