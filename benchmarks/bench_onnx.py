"""Predict through ONNX: onnxruntime on the exported model, beside skrnn's own
``predict`` and PyTorch, on the rows of ``bench_speed.py``.

For each row (B, T, D, H) and cell, in float32: a model fitted for one
epoch (its weights do not change the cost), exported with
``skl2onnx.to_onnx`` after ``import skrnn.onnx``, and run by an
onnxruntime ``InferenceSession`` on all the row's sequences in one call;
skrnn's ``predict`` on the same sequences (it chunks by itself); PyTorch's
module at its fastest chunk size (as in ``bench_speed.py``). Median of the
repeats, interleaved. Then the latency of one sequence through each, of a
small model (24 steps, 32 hidden units) and of the largest row's (100
steps of 8 features, 128 hidden units).

``--threads 1`` (the default) pins BLAS, PyTorch and onnxruntime's
intra-op pool to one thread and reports CPU time; ``--threads default``
leaves each library as it comes and reports wall time.

Run: ``python benchmarks/bench_onnx.py [--threads 1|default] [--json out.json]``
(needs ``pip install -e ".[onnx,bench]"``).
"""

import argparse
import contextlib
import json
import statistics
import time
import warnings

import numpy as np
import onnxruntime as ort
import torch
from bench_speed import CELLS, ROWS, _cpu_name, _n_batches, _timed, torch_module, torch_predict
from skl2onnx import to_onnx
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import skrnn.onnx  # noqa: F401  (registers the converters)


def session(model, X, threads):
    options = ort.SessionOptions()
    if threads == "1":
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
    onx = to_onnx(model, X[:1])
    sess = ort.InferenceSession(onx.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return lambda X: sess.run(None, {name: X})[0]


def fitted(cell, X, H):
    y = X[:, -1, 0].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return CELLS[cell](hidden_layer_sizes=(H,), max_iter=1, random_state=0).fit(X, y)


def bench_rows(args, metric):
    rows = []
    for B, T, D, H in ROWS:
        n = B * _n_batches(B, T, H)
        X = np.random.RandomState(0).normal(size=(n, T, D)).astype(np.float32)
        for cell in CELLS:
            model = fitted(cell, X[:256], H)
            run_onnx = session(model, X, args.threads)
            net = torch_module(cell, D, H, torch.float32)
            run_torch, _ = torch_predict(net, X)
            np.testing.assert_allclose(run_onnx(X[:64]), model.predict(X[:64])[:, None],
                                       rtol=1e-4, atol=1e-4)
            times = {"skrnn": [], "onnxruntime": [], "torch": []}
            for _ in range(args.repeats):
                times["skrnn"].append(_timed(lambda: model.predict(X))[metric])
                times["onnxruntime"].append(_timed(lambda: run_onnx(X))[metric])
                times["torch"].append(_timed(run_torch)[metric])
            row = {"B": B, "T": T, "D": D, "H": H, "n": n, "cell": cell}
            row.update({f"{k}_seq_per_s": n / statistics.median(v) for k, v in times.items()})
            rows.append(row)
            print(f"{cell:4s} B,T,D,H={B},{T},{D},{H}: predict seq/s skrnn "
                  f"{row['skrnn_seq_per_s']:9.0f}, onnxruntime {row['onnxruntime_seq_per_s']:9.0f}"
                  f", torch {row['torch_seq_per_s']:9.0f}", flush=True)
    return rows


def bench_latency(args):
    out = {}
    for T, D, H in ((24, 1, 32), (100, 8, 128)):
        X = np.random.RandomState(0).normal(size=(64, T, D)).astype(np.float32)
        calls_per_round = 200 if H <= 32 else 20
        for cell in CELLS:
            model = fitted(cell, X, H)
            run_onnx = session(model, X, args.threads)
            net = torch_module(cell, D, H, torch.float32)
            one, one_t = X[:1], torch.from_numpy(X[:1])

            def run_torch():
                with torch.no_grad():
                    net(one_t)

            calls = {"skrnn": lambda: model.predict(one), "onnxruntime": lambda: run_onnx(one),
                     "torch": run_torch}
            for fn in calls.values():
                fn()
            per_call = {k: [] for k in calls}
            for _ in range(max(args.repeats, 5)):
                for k, fn in calls.items():
                    tic = time.perf_counter()
                    for _ in range(calls_per_round):
                        fn()
                    per_call[k].append((time.perf_counter() - tic) / calls_per_round * 1e6)
            # The small model's keys are the cell's name alone, as in earlier runs.
            key = cell if H == 32 else f"{cell} {T}x{D}, {H} units"
            out[key] = {k: statistics.median(v) for k, v in per_call.items()}
            print(f"{cell:4s} one sequence ({T} steps of {D}, {H} hidden), us per call: "
                  + ", ".join(f"{k} {v:.1f}" for k, v in out[key].items()), flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", choices=["1", "default"], default="1")
    parser.add_argument("--json", default="bench_onnx.json")
    args = parser.parse_args()
    metric = 0 if args.threads == "1" else 1  # _timed's (CPU, wall) seconds
    limits = threadpool_limits(1) if args.threads == "1" else contextlib.nullcontext()
    if args.threads == "1":
        torch.set_num_threads(1)
    with limits:
        results = {"machine": {"processor": _cpu_name(), "onnxruntime": ort.__version__,
                               "torch": torch.__version__},
                   "threads": args.threads, "metric": ["cpu", "wall"][metric],
                   "rows": bench_rows(args, metric), "latency_us": bench_latency(args)}
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
