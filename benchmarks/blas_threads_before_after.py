"""skrnn's fits at default thread settings, on an idle machine and beside busy
processes: the code of any checkout (for example the one before skrnn held
BLAS to one thread, commit e5bedb9) against this one, side by side.

Each case fits an LSTM or RNN for a few epochs, median of 5 fits after a
warm-up that compiles. With ``--busy N``, N processes spin on the CPU
during the fits. Nothing else is set: OpenBLAS, if that is the BLAS,
starts one thread per core, as a user gets it.

Run, for example::

    git worktree add /tmp/before e5bedb9
    python benchmarks/blas_threads_before_after.py /tmp/before before.json
    python benchmarks/blas_threads_before_after.py . after.json
    python benchmarks/blas_threads_before_after.py /tmp/before before_busy.json --busy 2
    python benchmarks/blas_threads_before_after.py . after_busy.json --busy 2

Give each checkout its own ``SKRNN_CACHE_DIR`` (older checkouts read
``NUMBA_CACHE_DIR``).
"""

import argparse
import json
import multiprocessing
import sys
import time
import warnings


def _spin():
    while True:
        pass


CASES = [  # label, estimator, n, T, D, H, batch, epochs
    ("LSTM 120x24, H=32, 40 epochs", "LSTMRegressor", 120, 24, 1, 32, 32, 40),
    ("LSTM 2048x50, H=64, B=64, 1 epoch", "LSTMRegressor", 2048, 50, 1, 64, 64, 1),
    ("RNN 2048x24, H=32, B=32, 1 epoch", "RNNRegressor", 2048, 24, 1, 32, 32, 1),
    ("LSTM 1024x24x4, H=64, B=128, 3 epochs", "LSTMRegressor", 1024, 24, 4, 64, 128, 3),
    ("LSTM 4096x100x8, H=128, B=256, 1 epoch", "LSTMRegressor", 4096, 100, 8, 128, 256, 1),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", help="folder of the skrnn checkout to import")
    parser.add_argument("json")
    parser.add_argument("--busy", type=int, default=0, metavar="N")
    args = parser.parse_args()
    sys.path.insert(0, args.checkout)
    import numpy as np

    import skrnn

    warnings.simplefilter("ignore")
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for p in spinners:
        p.start()
    results = {"checkout": args.checkout, "skrnn_file": skrnn.__file__, "busy": args.busy}
    try:
        for label, name, n, T, D, H, B, epochs in CASES:
            rng = np.random.RandomState(0)
            X = rng.normal(size=(n, T, D))
            y = X[:, -3, 0] + 0.1 * rng.normal(size=n)
            Estimator = getattr(skrnn, name)
            kw = dict(hidden_layer_sizes=(H,), batch_size=B, random_state=0, tol=0,
                      n_iter_no_change=10**9)
            Estimator(max_iter=1, **kw).fit(X[:B], y[:B]).predict(X[:B])
            seconds = []
            for _ in range(5):
                tic = time.perf_counter()
                Estimator(max_iter=epochs, **kw).fit(X, y)
                seconds.append(time.perf_counter() - tic)
            results[label] = float(np.median(seconds))
            print(f"{label:42s} {results[label]:7.3f} s", flush=True)
    finally:
        for p in spinners:
            p.terminate()
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
