"""skrnn against its peers, side by side in one process.

Peers: PyTorch's ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (batch_first) with an ``nn.Linear``
head on the last hidden state, trained with Adam on the MSE, full BPTT; and
scikit-learn's ``MLPRegressor`` for ``WindowMLPRegressor``. Runs are
interleaved: each repeat runs skrnn and then its peer on the same data, and
the medians of the repeats (after a warm-up that also compiles the Numba
kernels) are reported. PyTorch predicts in the chunk size that is fastest
for it (see :func:`torch_predict`); skrnn's ``predict`` chunks by itself.
skrnn runs at its defaults (``standardize=True`` included).

Three settings, to publish what users get beside the tidy figure:

- ``--threads 1`` (the default): BLAS, PyTorch and skrnn pinned to one
  thread (``SKRNN_NUM_THREADS=1``). Timings are the process's CPU time (all
  its threads: skrnn runs long epochs in a helper thread so that Ctrl-C can
  stop them).
- ``--threads default``: nothing pinned. Each library uses the machine as it
  does out of the box (PyTorch its intra-op threads, one per core; skrnn one
  BLAS thread, which it sets itself, and for a large fit or predict a
  second thread for the second part of each minibatch). Timings are wall
  time.
- ``--busy N`` with either: N processes spinning on the CPU beside the
  benchmark, as on a machine with other work on it. Wall time.

With the regressors it also times a predict of one sequence (the latency
of a model serving one request): a small model of each kind (24 steps,
32 units) and the largest row's recurrent models (100 steps of 8
features, 128 units, float32), each beside PyTorch's ``nn.LSTM`` of the
same size (:func:`bench_single_predict`).

``--task classify`` times the classifiers instead (recurrent rows only): a
softmax head over 4 classes against PyTorch's cross-entropy on the same
``nn.Linear`` head.

Rows (B, T, D, H = batch, timesteps, features, hidden units) are those of
the speed issue; ratios are skrnn's throughput over the peer's (> 1: skrnn
is faster). Each recurrent row also reports its floor: the time of the same
epoch's matrix products alone, at the BLAS's speed (:func:`training_floor`),
and skrnn's training time as a multiple of it (1.0 would mean the
elementwise work, gathering and optimizer cost nothing); likewise predict's
floor (:func:`predict_floor`, the products of its chunks). A row's
"ceiling" is the peer's time over skrnn's floor: the most skrnn could
reach with this BLAS's kernels, so that a target ratio above it is out of
reach without faster products.

Run: ``python benchmarks/bench_speed.py [--repeats 5] [--json out.json]
[--threads 1|default] [--busy N] [--task regress|classify]``.
PyTorch comes with ``pip install -e ".[bench]"``; without it only the
sklearn comparison runs.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import statistics
import time
import warnings

import numpy as np
from numba import njit
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_limits

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    WindowMLPRegressor,
    _threads,
)
from skrnn._kernels.blas import gemm, gemm_direct
from skrnn._kernels.lstm import weight_grads_by_rows
from skrnn._kernels.recurrent import (
    block_product,
    completed_block,
    ring_slot,
    steps_in_cache,
    steps_per_product,
)

try:
    import torch
except ImportError:  # the sklearn comparison still runs
    torch = None

ROWS = [(32, 24, 1, 32), (64, 50, 1, 64), (32, 200, 1, 16), (256, 100, 8, 128)]


def _timed(fn):
    """(process CPU seconds, wall seconds) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def _n_batches(B, T, H):
    # Enough minibatches for each timing to last ~0.2-3 s on one core, and at
    # least 16: skrnn allocates its workspace once per fit (129 MB for the
    # largest row's LSTM), and the first touch of that memory costs 0.02 s,
    # or up to 0.4 s when the kernel must compact memory for huge pages on a
    # busy machine. A real fit runs many epochs over it; at 4 minibatches it
    # was a third of the largest row's time, and bimodal.
    work = B * T * H * H
    return int(np.clip(4e8 / work, 16, 64))


CELLS = {"lstm": LSTMRegressor, "gru": GRURegressor, "rnn": RNNRegressor}
GATES = {"lstm": 4, "gru": 3, "rnn": 1}  # a cell's gates: its products are G = GATES * H wide
CLASSIFIER_CELLS = {"lstm": LSTMClassifier, "gru": GRUClassifier, "rnn": RNNClassifier}
N_CLASSES = 4  # of --task classify


def skrnn_train(cell, X, y, B, epochs, H, classify=False):
    Estimator = (CLASSIFIER_CELLS if classify else CELLS)[cell]
    model = Estimator(
        hidden_layer_sizes=(H,), batch_size=B, max_iter=epochs, tol=0.0,
        n_iter_no_change=10**9, random_state=0,
    )
    return model, lambda: model.fit(X, y)


def torch_module(cell, D, H, dtype, n_out=1):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
            self.rnn = rnn(D, H, batch_first=True)
            self.head = torch.nn.Linear(H, n_out)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1, :])

    return Net().to(dtype)


def torch_train(cell, X, y, B, epochs, H, classify=False):
    dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    net = torch_module(cell, X.shape[2], H, dtype, N_CLASSES if classify else 1)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.int64) if classify else y[:, None])
    loss_of = torch.nn.functional.cross_entropy if classify else torch.nn.functional.mse_loss

    def run():
        for _ in range(epochs):
            for s in range(0, len(Xt), B):
                opt.zero_grad()
                loss = loss_of(net(Xt[s : s + B]), yt[s : s + B])
                loss.backward()
                opt.step()

    return net, run


def torch_predict(net, X):
    """The peer's predict at its fastest chunk size: returns (run, chunk).

    Calls on 256 or 1024 sequences at a time, or on all of them, are each
    timed twice and the fastest kept. No size suits every row: on the
    largest row, one call on all 4,096 sequences builds every step's input
    projection at once and runs 1.5x slower in float64 than chunks of 256,
    while 32/24/1/32 in float32 runs 1.2x faster in chunks of 1024.
    """
    Xt = torch.from_numpy(X)

    def in_chunks(chunk):
        def run():
            with torch.no_grad():
                for start in range(0, len(Xt), chunk):
                    net(Xt[start : start + chunk])

        return run

    chunks = sorted({c for c in (256, 1024) if c < len(Xt)} | {len(Xt)})
    best = min(chunks, key=lambda c: min(_timed(in_chunks(c))[0] for _ in range(2)))
    return in_chunks(best), best


def _cpu_name():
    # platform.processor() is empty on many Linux machines.
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _blas_name():
    # The BLAS of skrnn's products and its kernel set ("openblas 0.3.30
    # Haswell"): OpenBLAS picks the set by the CPU it knows, and an older
    # version runs its AVX2 kernels on a newer AVX-512 CPU (README).
    return ", ".join(f"{lib.internal_api} {lib.version} {lib.architecture}"
                     for lib in _threads._kernels_blas())


def gemm_peak(results, repeats):
    """One-core GEMM throughput (GFLOP/s) of NumPy's BLAS on 1024 x 1024 matrices."""
    peaks = {}
    for dtype in (np.float32, np.float64):
        a = np.random.RandomState(0).normal(size=(1024, 1024)).astype(dtype)
        a @ a
        seconds = min(_timed(lambda: a @ a)[0] for _ in range(max(repeats, 5)))
        peaks[np.dtype(dtype).name] = 2 * 1024**3 / seconds / 1e9
    results["gemm_peak_gflops"] = peaks
    print("1-core GEMM peak: " + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peaks.items()))
    return peaks


def median_pair(samples):
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


# Which of the (CPU, wall) seconds of _timed the throughputs use: CPU time
# when everything is pinned to one thread, wall time otherwise (what a user
# waits for; CPU time would charge PyTorch's two threads twice).
_METRIC = {"index": 0, "name": "cpu"}


def _seconds(samples):
    return median_pair(samples)[_METRIC["index"]]


def _spin():
    while True:
        pass


@contextlib.contextmanager
def busy_processes(n):
    """``n`` processes that keep a core busy each, for the ``with`` block."""
    procs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    try:
        yield
    finally:
        for p in procs:
            p.terminate()


def bench_recurrent(results, repeats, rows, classify=False):
    for B, T, D, H in rows:
        n = B * _n_batches(B, T, H)
        rng = np.random.RandomState(0)
        for dtype in (np.float32, np.float64):
            X = rng.normal(size=(n, T, D)).astype(dtype)
            y = rng.randint(N_CLASSES, size=n) if classify else rng.normal(size=n).astype(dtype)
            for cell in CELLS:
                model, sk_fit = skrnn_train(cell, X, y, B, 1, H, classify)
                net, th_fit = torch_train(cell, X, y, B, 1, H, classify)
                sk_fit()  # warm-up: compiles, fits
                model.predict(X[:B])  # compiles predict
                th_fit()
                th_pred, th_chunk = torch_predict(net, X)
                timings = {"skrnn_train": [], "torch_train": [], "skrnn_predict": [],
                           "torch_predict": []}
                for _ in range(repeats):
                    timings["skrnn_train"].append(_timed(sk_fit))
                    timings["torch_train"].append(_timed(th_fit))
                    timings["skrnn_predict"].append(_timed(lambda: model.predict(X)))
                    timings["torch_predict"].append(_timed(th_pred))
                row = {"B": B, "T": T, "D": D, "H": H, "n": n, "cell": cell,
                       "dtype": np.dtype(dtype).name, "torch_predict_chunk": th_chunk}
                for key, samples in timings.items():
                    cpu, wall = median_pair(samples)
                    row[key + "_cpu_s"] = cpu
                    row[key + "_wall_s"] = wall
                    row[key + "_seq_per_s"] = n / _seconds(samples)
                row["train_ratio"] = row["skrnn_train_seq_per_s"] / row["torch_train_seq_per_s"]
                row["predict_ratio"] = (
                    row["skrnn_predict_seq_per_s"] / row["torch_predict_seq_per_s"]
                )
                row["train_floor_s"] = training_floor(model, cell, B, T, D, H, dtype, n // B,
                                                      repeats)
                row["train_floor_multiple"] = _seconds(timings["skrnn_train"]) / row[
                    "train_floor_s"]
                row["predict_floor_s"] = predict_floor(model, cell, n, T, D, H, dtype, repeats)
                row["predict_floor_multiple"] = _seconds(timings["skrnn_predict"]) / row[
                    "predict_floor_s"]
                # The ratio skrnn would reach if everything but its matrix
                # products cost nothing: a target above it is out of reach
                # with this BLAS (its kernels, at their speed for these shapes).
                for task in ("train", "predict"):
                    row[task + "_ceiling"] = _seconds(timings["torch_" + task]) / row[
                        task + "_floor_s"]
                flops = _train_flops(cell, T, D, H) * n
                row["train_gflops"] = flops / _seconds(timings["skrnn_train"]) / 1e9
                peak = results["gemm_peak_gflops"][row["dtype"]]
                row["train_peak_fraction"] = row["train_gflops"] / peak
                # The products alone, at the BLAS's speed for their shapes:
                # the highest share of the peak this training could reach.
                row["floor_peak_fraction"] = flops / row["train_floor_s"] / 1e9 / peak
                results["recurrent"].append(row)
                print(
                    f"{cell:4s} {row['dtype']:7s} B,T,D,H={B},{T},{D},{H}: train "
                    f"{row['skrnn_train_seq_per_s']:9.0f} vs torch "
                    f"{row['torch_train_seq_per_s']:9.0f} seq/s (x{row['train_ratio']:.2f}); "
                    f"predict {row['skrnn_predict_seq_per_s']:9.0f} vs "
                    f"{row['torch_predict_seq_per_s']:9.0f} (x{row['predict_ratio']:.2f}); "
                    f"{row['train_gflops']:.1f} GFLOP/s ({100 * row['train_peak_fraction']:.0f}% "
                    f"of peak, {row['train_floor_multiple']:.2f}x its products' floor, which "
                    f"run at {100 * row['floor_peak_fraction']:.0f}% of peak; at most "
                    f"x{row['train_ceiling']:.2f}); predict {row['predict_floor_multiple']:.2f}x "
                    f"its floor (at most x{row['predict_ceiling']:.2f})",
                    flush=True,
                )


@njit(cache=True, nogil=True)
def _forward_products(x, W_ih, h, W_hh, g, T, chunks, direct):
    # The GRU's forward products, as its training and predict run them:
    # per step the recurrent product, then the input product; for
    # ``chunks`` (half) minibatches or predict chunks of these shapes.
    for _ in range(chunks):
        for _ in range(T):
            gemm_direct(h, W_hh, g, 0.0, direct)
            np.dot(x, W_ih, g)


@njit(cache=True, nogil=True)
def _stacked_forward_products(xh, W, g, T, chunks, direct):
    # The same for the LSTM and the RNN: one product a step, [x_t | h_{t-1}]
    # by W_ih stacked over W_hh (the LSTM's, feature-major, W^T @ [x_t ;
    # h_{t-1}], passed as ``xh`` and ``W``).
    for _ in range(chunks):
        for _ in range(T):
            gemm_direct(xh, W, g, 0.0, direct)


@njit(cache=True, nogil=True)
def _training_products(x, W_ih, h, W_hh, W_hh_T, g, dh, X_all, H_all, dA_all, dW_ih, dW_hh, T,
                       direct):
    # One minibatch's (or half minibatch's) matrix products as skrnn's GRU
    # training runs them, and nothing else: per step the input and
    # recurrent products of the forward pass, then per step (last first)
    # the backward's recurrent product by W_hh.T (a contiguous copy, W_hh_T),
    # added into dh, and the recurrent and the input weights' gradients of
    # a block of steps whenever one is complete (blocks of their own sizes).
    # X_all, H_all, dA_all are (T, b, width); ``direct`` as the kernels'
    # (see skrnn._threads.direct_product_size).
    B, H, G = h.shape[0], h.shape[1], g.shape[1]
    _forward_products(x, W_ih, h, W_hh, g, T, 1, direct)
    per_product = steps_per_product(B, H, G, g.itemsize, direct)
    per_input = steps_in_cache(B, X_all.shape[2], G, g.itemsize)
    for t in range(T - 1, -1, -1):
        t_hi = completed_block(t, T, 0, per_product)
        if t_hi:  # the product of add_weight_grads, without its bias sums
            block_product(H_all, dA_all, t, t_hi, ring_slot(t, T, per_product), dW_hh,
                          t_hi == T, direct)
        t_in = completed_block(t, T, 0, per_input)
        if t_in:
            block_product(X_all, dA_all, t, t_in, ring_slot(t, T, per_input), dW_ih,
                          t_in == T, direct)
        gemm_direct(g, W_hh_T, dh, 1.0, direct)


@njit(cache=True, nogil=True)
def _stacked_training_products(xh, W, W_hh_T, g, dh, X_all, H_all, dA_all, dW_ih, dW_hh, T,
                               direct):
    # The same for the RNN, whose steps multiply the input
    # beside the previous state, [x_t | h_{t-1}], by W_ih stacked over W_hh
    # (one product a step), and whose weight gradients of a block of steps
    # are two products, of the steps' inputs and of their previous states
    # (where the layer keeps them: see rnn.ROWS); the backward's recurrent
    # product multiplies by W_hh.T.
    B, G = xh.shape[0], g.shape[1]
    _stacked_forward_products(xh, W, g, T, 1, direct)
    per_product = steps_per_product(B, xh.shape[1], G, g.itemsize, direct)
    for t in range(T - 1, -1, -1):
        t_hi = completed_block(t, T, 0, per_product)
        if t_hi:
            block_product(X_all, dA_all, t, t_hi, t, dW_ih, t_hi == T, direct)
            block_product(H_all, dA_all, t, t_hi, t, dW_hh, t_hi == T, direct)
        gemm_direct(g, W_hh_T, dh, 0.0, direct)


@njit(cache=True, nogil=True)
def _feature_major_training_products(W_t, xh, g, W_hh, dh, XH_all, xh_rows, dA, dW_t, T,
                                     direct):
    # The same for the LSTM, whose values are feature-major (each step's
    # (width, b)): the forward's W^T @ [x_t ; h_{t-1} ; 1], then per step
    # (last first) the weight gradients dA_t @ [x_t ; h_{t-1} ; 1]^T added
    # into dW^T, as the kernel computes them (by a batch-major copy of the
    # step's operand, ``xh_rows``, where that product is direct, else whole),
    # and the backward's recurrent product W_hh @ dA_t (dA: one step's block,
    # as the kernel keeps).
    _stacked_forward_products(W_t, xh, g, T, 1, direct)
    G, K, B = dW_t.shape[0], dW_t.shape[1], xh_rows.shape[0]
    for t in range(T - 1, -1, -1):
        if weight_grads_by_rows(G, K, B, direct):
            gemm(dA, xh_rows, dW_t, 0.0 if t == T - 1 else 1.0)
        else:
            gemm(dA, XH_all[t].T, dW_t, 0.0 if t == T - 1 else 1.0)
        gemm_direct(W_hh, dA, dh, 0.0, direct)


def training_floor(model, cell, B, T, D, H, dtype, n_batches, repeats):
    """Seconds of one epoch's matrix products alone (the same shapes, the
    same BLAS, called from compiled code: no Python in between), as the
    fitted ``model`` computes them (in halves of its minibatches if it
    splits them): the time no implementation of this training can beat by
    more than its elementwise work, a row's "floor"."""
    G = GATES[cell] * H
    net = model._net
    parts = net._parts(B, T, training=True)
    B = -(-B // parts)  # the rows of a part
    direct = net.kernel_net.direct
    rng = np.random.RandomState(0)

    def a(*shape):
        return rng.normal(size=shape).astype(dtype)

    K = D + H
    if cell == "gru":
        products = _training_products
        arrays = (a(B, D), a(D, G), a(B, H), a(H, G), a(G, H), a(B, G), a(B, H), a(T, B, D),
                  a(T, B, H), a(T, B, G), a(D, G), a(H, G), T, direct)
    elif cell == "lstm":  # [x ; h ; 1]: the bias rides in the products
        products = _feature_major_training_products
        arrays = (a(G, K + 1), a(K + 1, B), a(G, B), a(H, G), a(H, B), a(T, K + 1, B),
                  a(B, K + 1), a(G, B), a(G, K + 1), T, direct)
    else:
        products = _stacked_training_products
        arrays = (a(B, D + H), a(D + H, G), a(G, H), a(B, G), a(B, H), a(T, B, D),
                  a(T, B, H), a(T, B, G), a(D, G), a(H, G), T, direct)
    # One core's floor in every setting: with --threads default nothing else
    # pins the BLAS, and its second thread would halve the floor.
    with threadpool_limits(1):
        products(*arrays)  # compile (once; cached)
        best = min(_timed(lambda: products(*arrays))[1] for _ in range(max(3, repeats)))
    return best * n_batches * parts


def predict_floor(model, cell, n, T, D, H, dtype, repeats):
    """Seconds of the matrix products alone of the fitted ``model``'s
    predict of ``n`` sequences, in the chunks its predict runs them (one
    core, as :func:`training_floor`): a predict's floor."""
    G = GATES[cell] * H
    net = model._net
    _, batch = net.predict_chunks(n, T, np.dtype(dtype))
    direct = net.kernel_net.direct
    rng = np.random.RandomState(0)

    def products(b, chunks):
        # ``chunks`` chunks of b sequences each, as a callable.
        def a(*shape):
            return rng.normal(size=shape).astype(dtype)

        if cell == "gru":
            arrays = (a(b, D), a(D, G), a(b, H), a(H, G), a(b, G), T, chunks, direct)
            return lambda: _forward_products(*arrays)
        if cell == "lstm" and b > 1:  # feature-major: W^T @ [x_t ; h_{t-1} ; 1]
            arrays = (a(G, D + H + 1), a(D + H + 1, b), a(G, b), T, chunks, direct)
        elif cell == "lstm":  # one sequence: [x_t | h_{t-1} | 1] @ W
            arrays = (a(b, D + H + 1), a(D + H + 1, G), a(b, G), T, chunks, direct)
        else:
            arrays = (a(b, D + H), a(D + H, G), a(b, G), T, chunks, direct)
        return lambda: _stacked_forward_products(*arrays)

    full, rest = divmod(n, batch)
    runs = [products(batch, full)] + ([products(rest, 1)] if rest else [])
    with threadpool_limits(1):
        for run in runs:
            run()  # compile (once; cached)
        return sum(min(_timed(run)[1] for _ in range(max(3, repeats))) for run in runs)


def _train_flops(cell, T, D, H):
    """Multiply-add FLOPs of one training sequence: forward, dh and dW products."""
    G = GATES[cell] * H
    forward = 2 * T * (D * G + H * G)
    return forward + 2 * T * H * G + forward  # dh_{t-1}, then dW_ih and dW_hh


def bench_mlp(results, repeats):
    rng = np.random.RandomState(0)
    n, window = 32 * 64, 24
    X = rng.normal(size=(n, window)).astype(np.float32)
    y = rng.normal(size=n).astype(np.float32)
    kw = dict(hidden_layer_sizes=(64,), batch_size=32, max_iter=1, tol=0.0, random_state=0)
    ours = WindowMLPRegressor(n_iter_no_change=10**9, **kw)
    peer = MLPRegressor(n_iter_no_change=10**9, **kw)
    ours.fit(X, y)
    peer.fit(X, y)
    samples = {"skrnn": [], "sklearn": []}
    for _ in range(repeats):
        samples["skrnn"].append(_timed(lambda: ours.fit(X, y)))
        samples["sklearn"].append(_timed(lambda: peer.fit(X, y)))
    row = {"n": n, "window": window, "H": 64, "B": 32, "dtype": "float32"}
    for key, s in samples.items():
        row[key + "_train_seq_per_s"] = n / _seconds(s)
    row["train_ratio"] = row["skrnn_train_seq_per_s"] / row["sklearn_train_seq_per_s"]
    results["mlp"] = row
    print(
        f"WindowMLPRegressor vs MLPRegressor (64 hidden, batch 32, 24 inputs, float32): "
        f"{row['skrnn_train_seq_per_s']:.0f} vs {row['sklearn_train_seq_per_s']:.0f} "
        f"windows/s (x{row['train_ratio']:.2f})",
        flush=True,
    )


def _per_call(call, n, repeats):
    # Microseconds a call of ``call`` takes: median over rounds of n calls.
    per_call = []
    for _ in range(max(repeats, 5)):
        c0 = time.perf_counter()
        for _ in range(n):
            call()
        per_call.append((time.perf_counter() - c0) / n)
    return statistics.median(per_call) * 1e6


# One-sequence predict: a small model (24 steps, 1 feature, 32 hidden
# units, float64) and the largest row's (100 steps, 8 features, 128 units,
# float32), whose step products are large enough for the BLAS routine to
# matter (a matrix-vector product, not the matrix routine that packs the
# weights at each step).
SINGLE = {"": (24, 1, 32, np.float64), " 100x8, 128 units": (100, 8, 128, np.float32)}


def bench_single_predict(results, repeats):
    rng = np.random.RandomState(0)
    out = {}
    for suffix, (T, D, H, dtype) in SINGLE.items():
        X = rng.normal(size=(64, T, D)).astype(dtype)
        X = X[:, :, 0] if D == 1 else X
        y = rng.normal(size=64)
        estimators = (RNNRegressor, LSTMRegressor, WindowMLPRegressor) if not suffix else (
            RNNRegressor, LSTMRegressor, GRURegressor)
        n = 200 if not suffix else 20
        for Estimator in estimators:
            model = Estimator(hidden_layer_sizes=(H,), max_iter=1, random_state=0).fit(X, y)
            one = X[:1]
            model.predict(one)
            out[Estimator.__name__ + suffix] = _per_call(lambda: model.predict(one), n, repeats)
        if torch is not None:
            net = torch_module("lstm", D, H, getattr(torch, np.dtype(dtype).name))
            one = torch.from_numpy(X[:1].reshape(1, T, D))
            with torch.no_grad():
                out["torch nn.LSTM module call" + suffix] = _per_call(lambda: net(one), n, repeats)
    results["single_predict_us"] = out
    print("predict of one sequence (24 steps, 32 hidden; and 100 steps of 8 features, 128 "
          "hidden, float32), microseconds per call:")
    for name, us in out.items():
        print(f"  {name:45s} {us:8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", default="bench_speed.json")
    parser.add_argument("--rows", default="0,1,2,3", help="indices of ROWS to run")
    parser.add_argument("--threads", choices=["1", "default"], default="1",
                        help="pin BLAS and PyTorch to one thread, or leave both at their "
                        "defaults (default: 1)")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="processes spinning on the CPU beside the benchmark (default: 0)")
    parser.add_argument("--task", choices=["regress", "classify"], default="regress",
                        help="time the regressors (and the MLP and one-sequence rows), or "
                        "the recurrent classifiers")
    args = parser.parse_args()
    if args.threads == "1":
        os.environ["SKRNN_NUM_THREADS"] = "1"
    classify = args.task == "classify"
    warnings.simplefilter("ignore", ConvergenceWarning)
    pinned = args.threads == "1" and args.busy == 0
    _METRIC.update(index=0 if pinned else 1, name="cpu" if pinned else "wall")
    results = {
        "machine": {"platform": platform.platform(), "processor": _cpu_name(),
                    "python": platform.python_version(), "blas": _blas_name(),
                    "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")},
        "repeats": args.repeats,
        "threads": args.threads,
        "busy": args.busy,
        "metric": _METRIC["name"],
        "task": args.task,
        "recurrent": [],
    }
    print(f"{results['machine']['processor']}; skrnn's BLAS: {results['machine']['blas']}")
    with threadpool_limits(1):
        gemm_peak(results, args.repeats)
    limits = threadpool_limits(1) if args.threads == "1" else contextlib.nullcontext()
    with limits, busy_processes(args.busy):
        if torch is not None:
            if args.threads == "1":
                torch.set_num_threads(1)
            results["machine"]["torch"] = torch.__version__
            results["machine"]["torch_threads"] = torch.get_num_threads()
            rows = [ROWS[int(i)] for i in args.rows.split(",")]
            bench_recurrent(results, args.repeats, rows, classify)
        else:
            print("PyTorch is not installed: pip install -e '.[bench]' for the recurrent rows")
        if not classify:
            bench_mlp(results, args.repeats)
            bench_single_predict(results, args.repeats)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
