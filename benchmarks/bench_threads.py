"""Fits of clones in threads: concurrency from kernels that release the GIL.

Four clones of one estimator (different seeds) are fitted sequentially, then
under ``joblib.parallel_backend('threading', n_jobs=2)``, interleaved, median
wall time of 5 repeats after a warm-up that compiles the kernels. The speed-up
is sequential / threaded wall time: 2.0 would be perfect on 2 cores. The
threaded models are checked to equal the sequential ones bit for bit.

Thread settings are left as a user has them: skrnn runs its kernels on one
BLAS thread by itself (and counts concurrent fits, so that the user's
setting comes back when the last one ends), so the two fits do not fight
over the cores inside BLAS.

Run: ``python benchmarks/bench_threads.py [--json out.json]``.
"""

import argparse
import json
import statistics
import time
import warnings

import numpy as np
from joblib import Parallel, delayed, parallel_backend
from sklearn.base import clone

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, WindowMLPRegressor

N_FITS, REPEATS = 4, 5
CASES = [  # name, estimator, (n_sequences, timesteps, features)
    ("RNN 32 hidden", RNNRegressor(hidden_layer_sizes=(32,), max_iter=5), (2000, 24, 1)),
    ("LSTM 64 hidden", LSTMRegressor(hidden_layer_sizes=(64,), max_iter=3), (2000, 50, 1)),
    ("GRU 64 hidden", GRURegressor(hidden_layer_sizes=(64,), max_iter=3), (2000, 50, 1)),
    ("WindowMLP 64 hidden", WindowMLPRegressor(hidden_layer_sizes=(64,), max_iter=10),
     (20000, 24, 1)),
]


def fit_all(estimator, X, y, threads):
    """Fit N_FITS clones, one seed each; in 2 threads or one after another."""
    def fit(seed):
        return clone(estimator).set_params(random_state=seed).fit(X, y)

    tic = time.perf_counter()
    if threads:
        with parallel_backend("threading", n_jobs=2):
            models = Parallel()(delayed(fit)(seed) for seed in range(N_FITS))
    else:
        models = [fit(seed) for seed in range(N_FITS)]
    return time.perf_counter() - tic, models


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default="bench_threads.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for name, estimator, shape in CASES:
        X = np.random.RandomState(0).normal(size=shape)
        y = X[:, -3, 0] * X[:, -1, 0]
        fit_all(estimator, X[:64], y[:64], threads=False)  # compile
        seq, thr = [], []
        for _ in range(REPEATS):
            t_seq, sequential = fit_all(estimator, X, y, threads=False)
            t_thr, threaded = fit_all(estimator, X, y, threads=True)
            for a, b in zip(sequential, threaded):
                np.testing.assert_array_equal(a.params_, b.params_)
            seq.append(t_seq)
            thr.append(t_thr)
        row = {"case": name, "sequential_s": statistics.median(seq),
               "threads_s": statistics.median(thr)}
        row["speedup"] = row["sequential_s"] / row["threads_s"]
        rows.append(row)
        print(f"{name:20s} {N_FITS} fits: sequential {row['sequential_s']:.2f} s, "
              f"2 threads {row['threads_s']:.2f} s, speed-up x{row['speedup']:.2f} "
              "(same models)")
    with open(args.json, "w") as f:
        json.dump({"n_fits": N_FITS, "repeats": REPEATS, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
