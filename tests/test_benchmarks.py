"""The scripts in benchmarks/ still run against the kernels they copy or time.

They import skrnn's private kernels (the floors of ``bench_speed.py`` call
the same products the kernels do), so a change of a kernel's signature
breaks them without breaking any estimator: these tests catch that.
"""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
_SCRIPTS = sorted(path.stem for path in _DIR.glob("*.py"))
#: What a benchmark may need that the test extras do not install (it
#: compares skrnn with it, or exports through it).
_OPTIONAL = {"torch"}


@pytest.fixture(scope="module")
def benchmarks():
    """Import benchmark scripts by name, as they import each other."""
    sys.path.insert(0, str(_DIR))
    yield importlib.import_module
    sys.path.remove(str(_DIR))


@pytest.mark.parametrize("name", _SCRIPTS)
def test_each_benchmark_script_imports(benchmarks, name):
    try:
        benchmarks(name)
    except ModuleNotFoundError as error:
        if error.name not in _OPTIONAL:
            raise
        pytest.skip(f"{name} needs {error.name}")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_speed_floors_run_the_products_of_each_cell(benchmarks, cell):
    bench_speed = benchmarks("bench_speed")
    B, T, D, H = 8, 5, 2, 4
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(2 * B, T, D)), rng.normal(size=2 * B)
    model = bench_speed.CELLS[cell](hidden_layer_sizes=(H,), batch_size=B, max_iter=1,
                                    random_state=0).fit(X, y)
    assert bench_speed.training_floor(model, cell, B, T, D, H, np.float64, 2, 1) > 0
    assert bench_speed.predict_floor(model, cell, 2 * B, T, D, H, np.float64, 1) > 0
