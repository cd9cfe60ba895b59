"""Standardising inside the estimator against a scaled Pipeline, on real series.

For each bundled series, one-step forecasts of its last ``n_test`` values
from windows of its past, in the units the user has (passengers, lynx
trappings, cubic metres per second: nobody scaled them):

- ``inside``: the bare estimator at its defaults (``standardize=True``:
  each sequence feature over all samples and steps, and ``y``);
- ``pipeline``: what the README recommended before, a ``StandardScaler``
  on the windows (each timestep apart) in a ``Pipeline`` and a
  ``TransformedTargetRegressor`` scaling ``y``, around the estimator with
  ``standardize=False``;
- ``as given``: the bare estimator with ``standardize=False``.

Test RMSE, median over 5 seeds, with the seasonal-naive (airline: same
month last year) or naive (last value) forecast as the yardstick.

Run: ``python benchmarks/standardize.py [--seeds 5] [--models GRURegressor,...]``.
"""

import argparse
import statistics
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, WindowMLPRegressor, make_windows
from skrnn.datasets import load_airline, load_lynx, load_nile

MODELS = {E.__name__: E for E in (WindowMLPRegressor, RNNRegressor, LSTMRegressor, GRURegressor)}

# name, series, window, test size, naive lag (12: same month last year)
SERIES = [
    ("airline", load_airline, 24, 24, 12),
    ("lynx", load_lynx, 12, 14, 1),
    ("nile", load_nile, 12, 20, 1),
]


def variants(Estimator, seed):
    kw = dict(max_iter=1000, random_state=seed)
    return {
        "inside": Estimator(**kw),
        "pipeline": TransformedTargetRegressor(
            make_pipeline(StandardScaler(), Estimator(standardize=False, **kw)),
            transformer=StandardScaler(),
        ),
        "as given": Estimator(standardize=False, **kw),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print("| series | model | naive | inside | pipeline | as given | inside / pipeline |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, load, window, n_test, lag in SERIES:
        values = load().to_numpy(dtype=float)
        X, y = make_windows(values, window=window)
        naive = values[-n_test - lag : len(values) - lag]
        naive_rmse = np.sqrt(np.mean((naive - y[-n_test:]) ** 2))
        for Estimator in (MODELS[m] for m in args.models.split(",")):
            errors = {}
            for seed in range(args.seeds):
                for variant, model in variants(Estimator, seed).items():
                    model.fit(X[:-n_test], y[:-n_test])
                    error = np.sqrt(np.mean((model.predict(X[-n_test:]) - y[-n_test:]) ** 2))
                    errors.setdefault(variant, []).append(error)
            med = {k: statistics.median(v) for k, v in errors.items()}
            print(
                f"| {name} | {Estimator.__name__} | {naive_rmse:.1f} | {med['inside']:.1f} "
                f"| {med['pipeline']:.1f} | {med['as given']:.1f} "
                f"| {med['inside'] / med['pipeline']:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
