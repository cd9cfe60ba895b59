"""benchmarks/speed_table.py: the README's performance table from runs."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "speed_table.py"


@pytest.fixture(scope="module")
def speed_table():
    spec = importlib.util.spec_from_file_location("speed_table", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(threads, train, predict, floor, predict_floor=None, ceilings=(None, None)):
    row = dict(B=64, T=50, D=1, H=64, cell="lstm", dtype="float32", train_ratio=train,
               predict_ratio=predict, train_floor_multiple=floor)
    if predict_floor is not None:
        row["predict_floor_multiple"] = predict_floor
    for task, ceiling in zip(("train", "predict"), ceilings):
        if ceiling is not None:
            row[task + "_ceiling"] = ceiling
    return {"threads": threads, "recurrent": [row]}


def test_ratio_table_shows_each_rows_multiples_of_the_floor(speed_table):
    one = [_run("1", t, p, f, pf) for t, p, f, pf in
           ((1.5, 1.2, 1.4, 1.7), (1.7, 1.3, 1.6, 1.9), (1.6, 1.1, 1.5, 1.8))]
    groups = {"one thread": one, "default threads": [_run("default", 2.0, 1.7, 0.9, 0.8)]}
    header, rule, line = speed_table.ratio_table(groups)
    assert header.split(" | ")[3:] == [
        "train: one thread", "train x floor", "train: default threads",
        "predict: one thread", "predict x floor", "predict: default threads |"]
    assert rule.count("---:") == 6
    # Median with the runs' range; the floor multiples are the one-thread runs' medians.
    assert line == ("| 64/50/1/64 | LSTM | float32 | **1.60** (1.50-1.70) | 1.50 | **2.00** "
                    "| **1.20** (1.10-1.30) | 1.80 | **1.70** |")


def test_runs_before_the_predict_floor_show_a_dash(speed_table):
    run = _run("1", 1.6, 1.2, 1.5)
    run["recurrent"][0].update({f"{lib}_{task}_seq_per_s": 1000.0 for lib in ("skrnn", "torch")
                                for task in ("train", "predict")})
    *_, line = speed_table.table([run])
    assert line.endswith("| **1.20** | - |")


def test_out_of_reach_names_rows_whose_median_ceiling_is_below_the_target(speed_table):
    runs = [_run("1", 1.0, 1.0, 1.5, 1.5, ceilings=c)
            for c in ((1.6, 1.1), (1.4, 1.3), (1.7, 1.0))]
    # Train ceilings 1.4, 1.6, 1.7: median 1.6 >= 1.5; predict 1.0, 1.1, 1.3: 1.1 < 1.2.
    assert speed_table.out_of_reach(runs) == [
        "64/50/1/64 LSTM float32: predict at most x1.10 with these products (target 1.2)"]
    assert speed_table.out_of_reach([_run("1", 1.0, 1.0, 1.5)]) == []  # older runs: no ceiling


def test_runs_are_grouped_by_threads_load_and_forced_openblas_kernels(speed_table):
    forced = {"threads": "1", "machine": {"openblas_coretype": "SkylakeX"}}
    assert speed_table.setting({"threads": "1", "machine": {}}) == "one thread"
    assert speed_table.setting(forced) == "one thread, OPENBLAS_CORETYPE=SkylakeX"
    assert speed_table.setting({"threads": "default", "busy": 2}) == (
        "default threads, 2 busy processes")
