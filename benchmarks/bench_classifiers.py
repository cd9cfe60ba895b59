"""Accuracy and fit time of the classifiers on the bundled UCR sets, against
PyTorch at the same budget and 1-nearest-neighbour.

For each data set (GunPoint, ItalyPowerDemand: the archive's own train/test
splits) and seed:

- each skrnn classifier at its defaults (``random_state=seed``), on the
  data as the loaders give it (float64), and the LSTM and GRU also on
  float32 data (PyTorch's dtype, so that fit times compare like with like);
- PyTorch's ``nn.LSTM`` and ``nn.GRU`` with a linear head on the last hidden
  state, cross-entropy, Adam (lr 1e-3), the same hidden size (32), batch
  (32) and number of epochs as the skrnn classifier of that cell ran for
  (its ``n_iter_``: the same budget), inputs standardised with the
  training set's mean and standard deviation as skrnn does inside;
- ``KNeighborsClassifier(n_neighbors=1)``, Euclidean distance, the field's
  classic baseline (published: 91.3% on GunPoint, 95.5% on
  ItalyPowerDemand).

Reports the mean and standard deviation of the test accuracy over the
seeds, the median fit time (wall, for all the epochs each model ran) and
the median time of one epoch (the runs stop at different epochs).
One thread (BLAS, PyTorch and skrnn), so that the fit times compare the
libraries, not the thread pools.

Run: ``python benchmarks/bench_classifiers.py [--seeds 5] [--json out.json]``.
"""

import argparse
import json
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from skrnn import GRUClassifier, LSTMClassifier, RNNClassifier, WindowMLPClassifier
from skrnn.datasets import load_gunpoint, load_italy_power_demand

try:
    import torch
except ImportError:
    torch = None

DATASETS = {"GunPoint": load_gunpoint, "ItalyPowerDemand": load_italy_power_demand}
CLASSIFIERS = {"LSTM": LSTMClassifier, "GRU": GRUClassifier, "RNN": RNNClassifier,
               "WindowMLP": WindowMLPClassifier}


def torch_fit_predict(cell, X, y, X_test, epochs, seed, hidden=32, batch=32):
    """Train PyTorch's cell at the given budget; returns test predictions."""
    torch.manual_seed(seed)
    mean, std = X.mean(), X.std()
    Xt = torch.from_numpy(((X - mean) / std)[:, :, None].astype(np.float32))
    Xv = torch.from_numpy(((X_test - mean) / std)[:, :, None].astype(np.float32))
    yt = torch.from_numpy(y)
    n_classes = int(y.max()) + 1
    rnn = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[cell](1, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, n_classes)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    generator = torch.Generator().manual_seed(seed)

    def scores(x):
        out, _ = rnn(x)
        return head(out[:, -1, :])

    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=generator)
        for s in range(0, len(Xt), batch):
            idx = order[s : s + batch]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(scores(Xt[idx]), yt[idx]).backward()
            opt.step()
    with torch.no_grad():
        return scores(Xv).argmax(dim=1).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--json", default="bench_classifiers.json")
    args = parser.parse_args()
    os.environ["SKRNN_NUM_THREADS"] = "1"
    if torch is not None:
        torch.set_num_threads(1)
    warnings.simplefilter("ignore", ConvergenceWarning)
    LSTMClassifier(max_iter=1).fit(np.random.rand(8, 5), np.arange(8) % 2)  # compile first
    rows = []
    with threadpool_limits(1):
        for data_name, load in DATASETS.items():
            X, y = load("train")
            X_test, y_test = load("test")
            labels, y_int = np.unique(y, return_inverse=True)
            y_test_int = np.searchsorted(labels, y_test)
            results = {}

            def record(model_name, accuracy, seconds, epochs=None):
                results.setdefault(model_name, []).append((accuracy, seconds, epochs))

            tic = time.perf_counter()
            knn = KNeighborsClassifier(n_neighbors=1).fit(X, y)
            record("1-NN", knn.score(X_test, y_test), time.perf_counter() - tic)
            for seed in range(args.seeds):
                for name, Classifier in CLASSIFIERS.items():
                    tic = time.perf_counter()
                    model = Classifier(random_state=seed).fit(X, y)
                    seconds = time.perf_counter() - tic
                    record(f"skrnn {name}", model.score(X_test, y_test), seconds, model.n_iter_)
                    if name in ("LSTM", "GRU"):
                        tic = time.perf_counter()
                        single = Classifier(random_state=seed).fit(X.astype(np.float32), y)
                        record(f"skrnn {name} float32", single.score(
                            X_test.astype(np.float32), y_test), time.perf_counter() - tic,
                            single.n_iter_)
                    if torch is not None and name in ("LSTM", "GRU"):
                        tic = time.perf_counter()
                        pred = torch_fit_predict(name, X, y_int, X_test, model.n_iter_, seed)
                        record(f"PyTorch {name}", float((pred == y_test_int).mean()),
                               time.perf_counter() - tic, model.n_iter_)
            for model_name, runs in results.items():
                acc = [r[0] for r in runs]
                row = {
                    "data": data_name, "model": model_name, "runs": len(runs),
                    "accuracy_mean": float(np.mean(acc)), "accuracy_std": float(np.std(acc)),
                    "accuracies": acc, "fit_s_median": statistics.median(r[1] for r in runs),
                    "epochs": [r[2] for r in runs],
                    # The runs differ in their epochs (each stops on its own):
                    # the time of one epoch compares the libraries.
                    "epoch_ms_median": (statistics.median(1e3 * r[1] / r[2] for r in runs)
                                        if runs[0][2] else None),
                }
                rows.append(row)
                epoch = row["epoch_ms_median"]
                print(f"{data_name:16s} {model_name:20s} accuracy "
                      f"{100 * row['accuracy_mean']:5.1f} +- {100 * row['accuracy_std']:4.1f} % "
                      f"(n={len(runs)}), fit {row['fit_s_median']:6.2f} s"
                      + (f", {epoch:6.2f} ms an epoch" if epoch else ""), flush=True)
    with open(args.json, "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
