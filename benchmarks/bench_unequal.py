"""What sequences of unequal length cost: PLAID against PyTorch's packed
sequences, and padded against equal-length data.

1. PLAID (537 training and 537 test recordings of 100 to 1,344 steps,
   median 300, bundled): the time of a fit of ``--epochs`` epochs and of
   predicting the test set, for each cell (RNN, LSTM, GRU; hidden size 32,
   batch 32, Adam), skrnn's classifier on the list of sequences against
   PyTorch's cell with ``pack_padded_sequence`` (each minibatch padded to
   its longest sequence and packed, ``enforce_sorted=False``; the head
   reads the last real step, ``h_n``), float32 both (skrnn in float64 too:
   what the loader's arrays give). Both see the same per-sequence
   standardised values.
2. Synthetic (``--n`` sequences of up to ``--steps`` steps, 4 features,
   hidden size 64, batch 32): a fit and a predict on sequences whose lengths
   are uniform on [T/2, T], as a list, against the same number of
   sequences of T steps (a rectangular array). Issue 15's target: the
   padded fit costs no more than the equal-length one.

Medians of ``--repeats`` runs (predict: at least 5), the compared runs
interleaved, after a warm-up that compiles. ``--threads 1``
(default) pins BLAS, PyTorch and skrnn to one thread; ``--threads default`` leaves
both libraries at their own settings (what a user gets).

Run: ``python benchmarks/bench_unequal.py [--epochs 3] [--repeats 3] [--threads 1]``.
"""

import argparse
import contextlib
import os
import statistics
import time
import warnings

import numpy as np
from bench_speed import _cpu_name
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from skrnn.datasets import load_plaid

try:
    import torch
except ImportError:
    torch = None

CELLS = {"RNN": (RNNClassifier, RNNRegressor), "LSTM": (LSTMClassifier, LSTMRegressor),
         "GRU": (GRUClassifier, GRURegressor)}


def median_time(run, repeats):
    return median_times([run], repeats)[0]


def median_times(runs, repeats):
    """The median time of each run, the runs interleaved in every repeat (a
    load that comes and goes on a shared machine then hits them alike)."""
    times = [[] for _ in runs]
    for _ in range(repeats):
        for run, seen in zip(runs, times):
            tic = time.perf_counter()
            run()
            seen.append(time.perf_counter() - tic)
    return [statistics.median(seen) for seen in times]


def plaid(dtype):
    """PLAID's sequences, each standardised by its own mean and deviation,
    and integer labels."""
    def standardised(X):
        return [((x - x.mean()) / (x.std() or 1.0)).astype(dtype) for x in X]
    X, y = load_plaid("train")
    X_test, _ = load_plaid("test")
    return standardised(X), y.astype(int), standardised(X_test)


def skrnn_model(Estimator, epochs, hidden, seed=0):
    return Estimator(hidden_layer_sizes=(hidden,), batch_size=32, max_iter=epochs,
                     n_iter_no_change=10**6, random_state=seed)


class TorchPacked:
    """PyTorch's cell on packed minibatches, at skrnn's settings."""

    def __init__(self, cell, n_features, hidden, n_outputs, seed=0):
        torch.manual_seed(seed)
        kind = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[cell]
        self.rnn = kind(n_features, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, n_outputs)
        params = list(self.rnn.parameters()) + list(self.head.parameters())
        self.opt = torch.optim.Adam(params, lr=1e-3)
        self.generator = torch.Generator().manual_seed(seed)

    def scores(self, seqs):
        lengths = torch.tensor([len(s) for s in seqs])
        padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True)
        packed = torch.nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True,
                                                         enforce_sorted=False)
        _, state = self.rnn(packed)
        h = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
        return self.head(h[-1])

    def fit(self, seqs, y, epochs, loss, batch=32):
        seqs = [torch.from_numpy(s.reshape(len(s), -1)) for s in seqs]
        y = torch.from_numpy(y)
        for _ in range(epochs):
            order = torch.randperm(len(seqs), generator=self.generator).tolist()
            for s in range(0, len(seqs), batch):
                idx = order[s : s + batch]
                self.opt.zero_grad()
                loss(self.scores([seqs[i] for i in idx]), y[idx]).backward()
                self.opt.step()
        return self

    def predict(self, seqs, chunk=256):
        seqs = [torch.from_numpy(s.reshape(len(s), -1)) for s in seqs]
        with torch.no_grad():
            return torch.cat([self.scores(seqs[s : s + chunk])
                              for s in range(0, len(seqs), chunk)]).numpy()


def bench_plaid(args):
    print(f"\nPLAID, {args.epochs} epochs, hidden 32, batch 32; seconds (median of "
          f"{args.repeats}); speed-up = PyTorch / skrnn")
    print("| cell | skrnn fit f64 | skrnn fit f32 | PyTorch packed fit f32 | fit speed-up f32 "
          "| skrnn predict f32 | PyTorch predict f32 | predict speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    data = {dtype: plaid(dtype) for dtype in (np.float64, np.float32)}
    X32, y, X32_test = data[np.float32]
    for cell, (Classifier, _) in CELLS.items():
        fits = {}
        for dtype, (X, y, X_test) in data.items():
            skrnn_model(Classifier, 1, 32).fit(X[:64], y[:64])  # compile
            fits[dtype] = median_time(
                lambda: skrnn_model(Classifier, args.epochs, 32).fit(X, y), args.repeats)
        model = skrnn_model(Classifier, 1, 32).fit(X32, y)
        model.predict(X32_test[:8])
        skrnn_predict = median_time(lambda: model.predict(X32_test), args.repeats)
        loss = torch.nn.functional.cross_entropy
        TorchPacked(cell, 1, 32, 11).fit(X32[:64], y[:64], 1, loss)  # warm-up
        torch_fit = median_time(
            lambda: TorchPacked(cell, 1, 32, 11).fit(X32, y, args.epochs, loss), args.repeats)
        net = TorchPacked(cell, 1, 32, 11)
        torch_predict = median_time(lambda: net.predict(X32_test), args.repeats)
        print(f"| {cell} | {fits[np.float64]:.2f} | {fits[np.float32]:.2f} | {torch_fit:.2f} | "
              f"{torch_fit / fits[np.float32]:.2f}x | {skrnn_predict:.3f} | {torch_predict:.3f} "
              f"| {torch_predict / skrnn_predict:.2f}x |")


def bench_synthetic(args):
    T, n, D = args.steps, args.n, 4
    rng = np.random.RandomState(0)
    lengths = rng.randint(T // 2, T + 1, size=n)
    print(f"\nSynthetic: {n} sequences, 4 features, hidden 64, batch 32, 2 epochs; lengths "
          f"uniform on [{T // 2}, {T}] (mean {lengths.mean():.0f}) as a list, against "
          f"{T} steps each; seconds (median of {args.repeats}); ratio = padded / equal")
    print("| cell | dtype | fit equal | fit unequal | ratio | predict equal | "
          "predict unequal | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for dtype in (np.float64, np.float32):
        equal = rng.normal(size=(n, T, D)).astype(dtype)
        unequal = [equal[i, :k] for i, k in enumerate(lengths)]
        y = equal[:, :, 0].mean(axis=1)
        for cell, (_, Regressor) in CELLS.items():
            for X in (equal, unequal):
                skrnn_model(Regressor, 1, 64).fit(X[:40], y[:40]).predict(X[:4])  # compile
            fe, fu = median_times(
                [lambda X=X: skrnn_model(Regressor, 2, 64).fit(X, y) for X in (equal, unequal)],
                args.repeats)
            model = skrnn_model(Regressor, 1, 64).fit(equal, y)
            pe, pu = median_times([lambda X=X: model.predict(X) for X in (equal, unequal)],
                                  max(5, args.repeats))
            print(f"| {cell} | {np.dtype(dtype).name} | {fe:.3f} | {fu:.3f} | {fu / fe:.2f} | "
                  f"{pe:.4f} | {pu:.4f} | {pu / pe:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1", choices=["1", "default"])
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--only", choices=["plaid", "synthetic"])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"CPU: {_cpu_name()}; threads: {args.threads}; "
          f"PyTorch {torch.__version__ if torch else 'not installed'}")
    pinned = args.threads == "1"
    if pinned:
        os.environ["SKRNN_NUM_THREADS"] = "1"
    if pinned and torch is not None:
        torch.set_num_threads(1)
    with threadpool_limits(1) if pinned else contextlib.nullcontext():
        if args.only != "synthetic" and torch is not None:
            bench_plaid(args)
        if args.only != "plaid":
            bench_synthetic(args)


if __name__ == "__main__":
    main()
