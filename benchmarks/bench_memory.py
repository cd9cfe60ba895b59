"""Peak memory of fit and predict against the size of the data.

Python-side allocations (NumPy arrays: the workspace, the validated data,
the weights) are traced with tracemalloc while fitting an LSTM and predicting
with it; the input arrays themselves are created before tracing starts. The
extra memory of fit depends on the minibatch and the model, not on the
number of sequences, beyond the copy validation makes of inputs that are not
already C-contiguous float arrays (none here).

Run: ``python benchmarks/bench_memory.py [--json out.json]``.
"""

import argparse
import json
import tracemalloc
import warnings

import numpy as np

from skrnn import LSTMRegressor

T, D, H, B = 50, 4, 64, 64


def traced_peak(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default="bench_memory.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    model = LSTMRegressor(hidden_layer_sizes=(H,), batch_size=B, max_iter=1, random_state=0)
    model.fit(np.zeros((B, T, D)), np.zeros(B))  # compile outside the measurement
    model.predict(np.zeros((B, T, D)))
    for n in [2_000, 20_000, 200_000, 1_000_000]:
        rng = np.random.RandomState(0)
        X = rng.normal(size=(n, T, D))
        y = rng.normal(size=n)
        # Fitting 1,000,000 sequences takes minutes; predict alone shows the bound.
        fit_mb = traced_peak(lambda: model.fit(X, y)) if n <= 200_000 else float("nan")
        predict_mb = traced_peak(lambda: model.predict(X))
        row = {"n_sequences": n, "input_mb": X.nbytes / 2**20, "fit_peak_mb": fit_mb,
               "predict_peak_mb": predict_mb, "predict_output_mb": n * 8 / 2**20}
        rows.append(row)
        print(
            f"n={n:7d}: input {row['input_mb']:7.1f} MB; extra peak: fit {fit_mb:6.2f} MB, "
            f"predict {predict_mb:6.2f} MB (of which the output {row['predict_output_mb']:.2f} MB)"
        )
    with open(args.json, "w") as f:
        json.dump({"T": T, "D": D, "H": H, "batch_size": B, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
