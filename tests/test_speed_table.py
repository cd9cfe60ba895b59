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


def _run(threads, train, predict, floor):
    row = dict(B=64, T=50, D=1, H=64, cell="lstm", dtype="float32", train_ratio=train,
               predict_ratio=predict, train_floor_multiple=floor)
    return {"threads": threads, "recurrent": [row]}


def test_ratio_table_shows_each_rows_multiple_of_the_floor(speed_table):
    one = [_run("1", t, p, f) for t, p, f in ((1.5, 1.2, 1.4), (1.7, 1.3, 1.6), (1.6, 1.1, 1.5))]
    groups = {"one thread": one, "default threads": [_run("default", 2.0, 1.7, 0.9)]}
    header, rule, line = speed_table.ratio_table(groups)
    assert header.split(" | ")[3:6] == [
        "train: one thread", "train x floor", "train: default threads"]
    assert rule.count("---:") == 5
    # Median with the runs' range; the floor multiple is the one-thread runs' median.
    assert line == ("| 64/50/1/64 | LSTM | float32 | **1.60** (1.50-1.70) | 1.50 | **2.00** "
                    "| **1.20** (1.10-1.30) | **1.70** |")


def test_runs_are_grouped_by_threads_load_and_forced_openblas_kernels(speed_table):
    forced = {"threads": "1", "machine": {"openblas_coretype": "SkylakeX"}}
    assert speed_table.setting({"threads": "1", "machine": {}}) == "one thread"
    assert speed_table.setting(forced) == "one thread, OPENBLAS_CORETYPE=SkylakeX"
    assert speed_table.setting({"threads": "default", "busy": 2}) == (
        "default threads, 2 busy processes")
