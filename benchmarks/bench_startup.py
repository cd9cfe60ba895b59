"""Start-up cost: import, Numba compilation (cold) and cache loading (warm).

Each measurement is a fresh Python process that imports skrnn, fits one
small model (64 sequences of 24 steps, 8 hidden units, 2 epochs, float64)
and predicts with it. "cold" runs on an empty cache folder, so its fit
includes compiling the training kernels and its first predict the
prediction kernels; "warm" runs again on the cache the cold run left. The script
also lists every function each cold fit compiled (Numba's compile events:
the kernels and the helpers compiled into them) and the dtypes they were
compiled for, to show that a fit compiles only its own cell and dtype,
splits the cold fit's compile time between Numba's work in Python
(type inference, lowering to LLVM IR, its other passes) and LLVM's (the
time Numba holds LLVM's lock: optimisation and machine code), and
measures the per-worker cost in joblib's worker processes (as a parallel
search uses them) on the warm cache.

Run: ``python benchmarks/bench_startup.py [--json out.json]``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

FIT = """
import json, time
t0 = time.perf_counter()
import numpy as np
from numba.core import event
import skrnn
t1 = time.perf_counter()
X = np.random.RandomState(0).normal(size=(64, 24))
with event.install_recorder("numba:compile") as compiles, \
        event.install_recorder("numba:run_pass") as passes, \
        event.install_timer("numba:llvm_lock", lambda seconds: None) as llvm_lock:
    model = skrnn.{name}(hidden_layer_sizes=(8,), max_iter=2).fit(X, X[:, -1])
llvm = llvm_lock.duration if llvm_lock.done else 0.0
t2 = time.perf_counter()
model.predict(X)
t3 = time.perf_counter()
# skrnn's own functions (not Numba's implementations of NumPy's).
starts = [e.data for _, e in compiles.buffer if e.is_start
          and e.data["dispatcher"].py_func.__module__.startswith("skrnn")]
# Each compiler pass's own time: a pass that compiles a called function
# (type inference does) nests that function's passes inside its own.
split, open_passes = {{}}, []
for tick, e in passes.buffer:
    if e.is_start:
        open_passes.append([e.data["name"].split(" [")[0], tick, 0.0])
        continue
    name, start, nested = open_passes.pop()
    split[name] = split.get(name, 0.0) + tick - start - nested
    if open_passes:
        open_passes[-1][2] += tick - start
typing = split.pop("nopython_type_inference", 0.0)
lowering = split.pop("native_lowering", 0.0)
print(json.dumps({{
    "times": [t1 - t0, t2 - t1, t3 - t2],
    # LLVM runs inside the passes (mostly in lowering, which also
    # optimises and emits the kernel's machine code): lowering here is
    # Numba's own part of it.
    "compile_split": {{"typing": typing, "lowering": lowering - llvm,
                       "other_passes": sum(split.values()), "llvm": llvm}},
    "compiled": sorted({{
        d["dispatcher"].py_func.__module__.rsplit(".", 1)[-1] + "."
        + d["dispatcher"].py_func.__qualname__.replace(".<locals>", "")
        for d in starts
    }}),
    "dtypes": sorted({{t for d in starts for t in ("float32", "float64")
                      if t in str(d["args"])}}),
}}))
"""


def run(name, cache):
    env = dict(os.environ, SKRNN_CACHE_DIR=cache, PYTHONWARNINGS="ignore")
    tic = time.perf_counter()
    out = json.loads(subprocess.run(
        [sys.executable, "-c", FIT.format(name=name)], env=env, check=True,
        capture_output=True, text=True,
    ).stdout.splitlines()[-1])
    return (time.perf_counter() - tic, *out["times"]), out


# Per-worker cost in a parallel search: 8 small fits in joblib's 2 loky
# worker processes (fresh ones: this is a new process). The first fit in each
# worker imports skrnn and loads the kernels from the cache; the later ones
# show the fit alone. Also reports any kernel a worker compiled.
WORKERS = """
import json, os, statistics, time
import joblib

def task():
    t0 = time.perf_counter()
    import numpy as np
    import skrnn
    from skrnn._kernels import train
    X = np.random.RandomState(0).normal(size=(64, 24))
    skrnn.RNNRegressor(hidden_layer_sizes=(8,), max_iter=2).fit(X, X[:, -1])
    kernels = [train.train_epoch, train.predict]
    compiled = [k.py_func.__name__ for k in kernels if sum(k.stats.cache_misses.values())]
    return os.getpid(), time.perf_counter() - t0, compiled

tic = time.perf_counter()
results = joblib.Parallel(n_jobs=2)(joblib.delayed(task)() for _ in range(8))
wall = time.perf_counter() - tic
first, rest, compiled = {}, [], set()
for pid, seconds, names in results:
    compiled.update(names)
    if pid in first:
        rest.append(seconds)
    else:
        first[pid] = seconds
print(json.dumps({"wall_s": wall, "first_task_s": sorted(first.values()),
                  "later_task_s": statistics.median(rest), "compiled": sorted(compiled)}))
"""


def search_workers(cache):
    env = dict(os.environ, SKRNN_CACHE_DIR=cache, PYTHONWARNINGS="ignore")
    out = subprocess.run([sys.executable, "-c", WORKERS], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default="bench_startup.json")
    args = parser.parse_args()
    results = {}
    for name in ["RNNRegressor", "LSTMRegressor", "GRURegressor", "WindowMLPRegressor"]:
        cache = tempfile.mkdtemp(prefix="skrnn-startup-")
        cold, compiled = run(name, cache)
        warm = [run(name, cache)[0] for _ in range(args.repeats)]
        results[name] = {
            "cold_process_s": cold[0], "cold_fit_s": cold[2], "cold_predict_s": cold[3],
            "warm_process_s": statistics.median(w[0] for w in warm),
            "warm_import_s": statistics.median(w[1] for w in warm),
            "warm_fit_s": statistics.median(w[2] for w in warm),
            "fit_compiled": compiled["compiled"],
            "fit_compiled_dtypes": compiled["dtypes"],
            "cold_fit_compile_split_s": compiled["compile_split"],
        }
        r = results[name]
        print(
            f"{name:20s} cold: process {r['cold_process_s']:5.2f} s (first fit "
            f"{r['cold_fit_s']:5.2f} s, first predict {r['cold_predict_s']:5.2f} s); "
            f"warm: process {r['warm_process_s']:4.2f} s "
            f"(import {r['warm_import_s']:4.2f} s, first fit {r['warm_fit_s']:4.2f} s)"
        )
        c = compiled["compile_split"]
        print(
            f"{'':20s} the cold fit's compile: Numba in Python "
            f"{c['typing'] + c['lowering'] + c['other_passes']:5.2f} s (typing "
            f"{c['typing']:4.2f}, lowering {c['lowering']:4.2f}, other passes "
            f"{c['other_passes']:4.2f}), LLVM {c['llvm']:4.2f} s"
        )
        print(
            f"{'':20s} the cold fit compiled ({', '.join(compiled['dtypes'])}): "
            + ", ".join(compiled["compiled"])
        )
        if name == "RNNRegressor":
            w = results["search_workers"] = search_workers(cache)
            print(
                f"{'2 loky workers':20s} first fit in each worker (import + kernel load): "
                + ", ".join(f"{t:.2f} s" for t in w["first_task_s"])
                + f"; later fits {w['later_task_s']:.3f} s; kernels compiled in the "
                f"workers: {w['compiled'] or 'none'}"
            )
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
