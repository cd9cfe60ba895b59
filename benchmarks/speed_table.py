"""The README's performance tables from runs of ``bench_speed.py``.

On a shared machine one run's ratios move by 10 to 20% (PyTorch's more
than skrnn's), so a published table combines several runs of one setting:
throughputs are the median over the runs, and the ratio column gives the
median ratio with the lowest and highest run in brackets; "train x floor"
is skrnn's training time as a multiple of the same epoch's matrix products
alone (median over the runs), "predict x floor" likewise for predict. Under
each one-thread table, the rows whose ceiling (PyTorch's time over skrnn's
floor: the ratio skrnn would reach if only its products cost anything) is
below the speed issue's target: out of reach with that BLAS's kernels.

Runs of several settings (``--threads``, ``--busy``, the OpenBLAS kernels
forced by ``OPENBLAS_CORETYPE``) give one full table per setting, then one
table of the ratios side by side: the pinned figure beside what a user
gets.

Run: ``python benchmarks/speed_table.py run1.json run2.json ...``.
"""

import argparse
import json
import statistics

#: The speed issue's targets for the ratio skrnn / PyTorch at one thread.
TARGETS = {"train": 1.5, "predict": 1.2}


def _fmt_ratio(values):
    if len(values) == 1:
        return f"**{values[0]:.2f}**"
    return f"**{statistics.median(values):.2f}** ({min(values):.2f}-{max(values):.2f})"


def _keys(run):
    return [(r["B"], r["T"], r["D"], r["H"], r["cell"], r["dtype"]) for r in run["recurrent"]]


def setting(run):
    """A run's thread setting, load and forced OpenBLAS kernels, as a short label."""
    threads = "one thread" if run.get("threads", "1") == "1" else "default threads"
    busy = run.get("busy", 0)
    core = run.get("machine", {}).get("openblas_coretype")
    return (threads + (f", {busy} busy processes" if busy else "")
            + (f", OPENBLAS_CORETYPE={core}" if core else ""))


def _check_same_rows(runs):
    keys = [_keys(run) for run in runs]
    if not keys[0]:
        raise SystemExit("no recurrent rows: run bench_speed.py with PyTorch installed "
                         '(pip install -e ".[bench]")')
    if any(k != keys[0] for k in keys):
        raise SystemExit("the runs cover different rows (--rows): combine runs of the same rows")


def _rows(runs):
    """(first run's row, the same row of every run) for each recurrent row."""
    for i, row in enumerate(runs[0]["recurrent"]):
        yield row, [run["recurrent"][i] for run in runs]


def _name(row):
    # A row's shape, model and dtype: ["64/50/1/64", "LSTM", "float32"].
    return [f"{row['B']}/{row['T']}/{row['D']}/{row['H']}", row["cell"].upper(), row["dtype"]]


def _label(row):
    return "| " + " | ".join(_name(row)) + " "


def table(runs):
    """Markdown table (a list of lines) of the recurrent rows of runs of one setting."""
    _check_same_rows(runs)
    lines = [
        "| B/T/D/H | model | dtype | train seq/s skrnn | torch | **train ratio** "
        "| train x floor | predict seq/s skrnn | torch | **predict ratio** | predict x floor |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row, same in _rows(runs):
        def median(key):
            return f"{statistics.median(r[key] for r in same):,.0f}"

        lines.append(
            _label(row) + f"| {median('skrnn_train_seq_per_s')} "
            f"| {median('torch_train_seq_per_s')} "
            f"| {_fmt_ratio([r['train_ratio'] for r in same])} "
            f"| {_floor_multiple(same, 'train')} "
            f"| {median('skrnn_predict_seq_per_s')} | {median('torch_predict_seq_per_s')} "
            f"| {_fmt_ratio([r['predict_ratio'] for r in same])} "
            f"| {_floor_multiple(same, 'predict')} |"
        )
    return lines


def _floor_multiple(same, task):
    # skrnn's time over its matrix products' (bench_speed's training_floor,
    # predict_floor); runs from before a floor existed have none.
    values = [r[f"{task}_floor_multiple"] for r in same if f"{task}_floor_multiple" in r]
    return f"{statistics.median(values):.2f}" if values else "-"


def out_of_reach(runs):
    """Lines naming each row whose median ceiling is below its target."""
    lines = []
    for row, same in _rows(runs):
        for task, target in TARGETS.items():
            values = [r[f"{task}_ceiling"] for r in same if f"{task}_ceiling" in r]
            if values and statistics.median(values) < target:
                lines.append(
                    f"{' '.join(_name(row))}: {task} at most "
                    f"x{statistics.median(values):.2f} with these products (target {target})")
    return lines


def ratio_table(groups):
    """Ratios of several settings side by side: ``groups`` maps label -> runs.

    The first setting's "train x floor" and "predict x floor" follow its
    ratios, so that the README's table shows every row's ratios and their
    multiples of the floor.
    """
    labels = list(groups)
    _check_same_rows([runs[0] for runs in groups.values()])
    columns = []
    for task in ("train", "predict"):
        names = [f"{task}: {label}" for label in labels]
        names.insert(1, f"{task} x floor")
        columns += names
    lines = [
        "| B/T/D/H | model | dtype | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---:|" * len(columns),
    ]
    rows = [list(_rows(runs)) for runs in groups.values()]
    for i, (row, _) in enumerate(rows[0]):
        cells = []
        for task in ("train", "predict"):  # as the columns: the first setting, its floor, the rest
            ratios = [_fmt_ratio([r[f"{task}_ratio"] for r in group[i][1]]) for group in rows]
            ratios.insert(1, _floor_multiple(rows[0][i][1], task))
            cells += ratios
        lines.append(_label(row) + "| " + " | ".join(cells) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="JSON files written by bench_speed.py")
    args = parser.parse_args()
    groups = {}
    for path in args.runs:
        with open(path) as f:
            run = json.load(f)
        groups.setdefault(setting(run), []).append(run)
    for label, runs in groups.items():
        machine = runs[0]["machine"]
        print(f"\n## {label} ({len(runs)} runs; {runs[0].get('metric', 'cpu')} time; "
              f"{machine.get('processor', '?')}, PyTorch {machine.get('torch', '-')} with "
              f"{machine.get('torch_threads', 1)} threads)\n")
        print("\n".join(table(runs)))
        if label.startswith("one thread"):  # the floor is one core's
            below = out_of_reach(runs)
            print("\nCeilings below the targets: " + ("; ".join(below) if below else "none"))
        peaks = [run["gemm_peak_gflops"] for run in runs]
        print("\nGEMM peak (GFLOP/s), per run: " + "; ".join(
            f"float32 {p['float32']:.0f}, float64 {p['float64']:.0f}" for p in peaks))
        fractions = {}
        for run in runs:
            for r, key in zip(run["recurrent"], _keys(run)):
                fractions.setdefault(key, []).append(
                    (r["train_peak_fraction"], r.get("floor_peak_fraction")))
        for key, values in fractions.items():
            if key[0] == 256:  # the largest row: its share of the GEMM peak
                train = statistics.median(v[0] for v in values)
                floors = [v[1] for v in values if v[1] is not None]
                floor = (f", its products alone at {100 * statistics.median(floors):.0f}%"
                         if floors else "")  # runs before 2026-12-05 have no floor's share
                print(f"{key}: training at {100 * train:.0f}% of the GEMM peak{floor}")
        for name in ("mlp", "single_predict_us"):
            values = [run.get(name) for run in runs if run.get(name)]
            if values:
                print(f"{name}: " + " | ".join(json.dumps(v) for v in values))
    if len(groups) > 1:
        print("\n## Ratios skrnn / PyTorch side by side\n")
        print("\n".join(ratio_table(groups)))


if __name__ == "__main__":
    main()
