"""The README's performance table from one or more runs of ``bench_speed.py``.

On a shared machine one run's ratios move by 10 to 20% (PyTorch's more
than skrnn's), so the published table combines several runs: throughputs
are the median over the runs, and the ratio column gives the median ratio
with the lowest and highest run in brackets.

Run: ``python benchmarks/speed_table.py run1.json run2.json run3.json``.
"""

import argparse
import json
import statistics


def _fmt_ratio(values):
    if len(values) == 1:
        return f"**{values[0]:.2f}**"
    return f"**{statistics.median(values):.2f}** ({min(values):.2f}-{max(values):.2f})"


def table(runs):
    """Markdown table (a list of lines) of the recurrent rows of ``runs``."""
    lines = [
        "| B/T/D/H | model | dtype | train seq/s skrnn | torch | **train ratio** "
        "| predict seq/s skrnn | torch | **predict ratio** |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    keys = [[(r["B"], r["T"], r["D"], r["H"], r["cell"], r["dtype"]) for r in run["recurrent"]]
            for run in runs]
    if not keys[0]:
        raise SystemExit("no recurrent rows: run bench_speed.py with PyTorch installed "
                         '(pip install -e ".[bench]")')
    if any(k != keys[0] for k in keys):
        raise SystemExit("the runs cover different rows (--rows): combine runs of the same rows")
    for i, row in enumerate(runs[0]["recurrent"]):
        same = [run["recurrent"][i] for run in runs]

        def median(key):
            return f"{statistics.median(r[key] for r in same):,.0f}"

        lines.append(
            f"| {row['B']}/{row['T']}/{row['D']}/{row['H']} | {row['cell'].upper()} "
            f"| {row['dtype']} | {median('skrnn_train_seq_per_s')} "
            f"| {median('torch_train_seq_per_s')} "
            f"| {_fmt_ratio([r['train_ratio'] for r in same])} "
            f"| {median('skrnn_predict_seq_per_s')} | {median('torch_predict_seq_per_s')} "
            f"| {_fmt_ratio([r['predict_ratio'] for r in same])} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="JSON files written by bench_speed.py")
    args = parser.parse_args()
    runs = []
    for path in args.runs:
        with open(path) as f:
            runs.append(json.load(f))
    print("\n".join(table(runs)))
    peaks = [run["gemm_peak_gflops"] for run in runs]
    print("\nGEMM peak (GFLOP/s), per run: " + "; ".join(
        f"float32 {p['float32']:.0f}, float64 {p['float64']:.0f}" for p in peaks))
    fractions = {}
    for run in runs:
        for r in run["recurrent"]:
            key = (r["B"], r["T"], r["D"], r["H"], r["cell"], r["dtype"])
            fractions.setdefault(key, []).append(r["train_peak_fraction"])
    for key, values in fractions.items():
        if key[0] == 256:  # the largest row: its share of the GEMM peak
            print(f"{key}: training at {100 * statistics.median(values):.0f}% of the GEMM peak")
    for name in ("mlp", "single_predict_us"):
        values = [run.get(name) for run in runs if run.get(name)]
        if values:
            print(f"{name}: " + " | ".join(json.dumps(v) for v in values))


if __name__ == "__main__":
    main()
