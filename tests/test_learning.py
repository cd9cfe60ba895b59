"""The estimators learn: a noisy sine, and memory beyond a window."""

import warnings

import numpy as np
import pytest
from _helpers import REGRESSORS, name
from sklearn.exceptions import ConvergenceWarning

from skrnn import LSTMClassifier, LSTMRegressor, WindowMLPRegressor, make_windows
from skrnn.datasets import load_gunpoint, load_italy_power_demand


@pytest.mark.parametrize("Estimator", REGRESSORS, ids=name)
def test_fits_a_noisy_sine(Estimator):
    rng = np.random.RandomState(0)
    series = np.sin(np.arange(600) / 6) + 0.05 * rng.normal(size=600)
    X, y = make_windows(series, window=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = Estimator(random_state=0).fit(X[:450], y[:450])
    assert model.score(X[450:], y[450:]) > 0.95


def test_lstm_remembers_what_the_window_mlp_cannot_see():
    # x_t = 0.95 x_{t-15} + noise: the next value depends on the step 15
    # back, outside the MLP's window of 10 but inside the LSTM's 20 steps.
    # The best possible R^2 is about 0.9. A single seed may land in a poor
    # local optimum (R^2 0.53 to 0.83 over five seeds), so the median of
    # three is what is held.
    rng = np.random.RandomState(0)
    x = np.zeros(1500)
    noise = rng.normal(size=1500)
    for t in range(1500):
        x[t] = noise[t] + (0.95 * x[t - 15] if t >= 15 else 0.0)
    X, y = make_windows(x / x.std(), window=20)
    train, test = slice(0, 1200), slice(1200, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lstm_r2 = np.median([
            LSTMRegressor(
                hidden_layer_sizes=(16,), learning_rate_init=1e-2, batch_size=64,
                max_iter=100, random_state=seed,
            ).fit(X[train], y[train]).score(X[test], y[test])
            for seed in range(3)
        ])
        mlp = WindowMLPRegressor(window=10, random_state=0).fit(X[train], y[train])
    mlp_r2 = mlp.score(X[test], y[test])
    assert lstm_r2 > 0.6
    assert mlp_r2 < 0.1


@pytest.mark.parametrize("load, floor", [(load_gunpoint, 0.9), (load_italy_power_demand, 0.94)],
                         ids=["GunPoint", "ItalyPowerDemand"])
def test_lstm_classifier_defaults_train_well_on_the_bundled_ucr_sets(load, floor):
    # 1-NN with Euclidean distance, the field's baseline: 91.3% on GunPoint,
    # 95.5% on ItalyPowerDemand. The defaults give 93-96% and 95-96% over
    # three seeds (benchmarks/bench_classifiers.py), but a single seed's
    # score moves with the CPU's rounding: seed 0 scored 92.7% on GunPoint
    # with OpenBLAS's AVX2 kernels and 88.0% with its AVX-512 ones on an
    # Intel Xeon (seeds 1 and 2: 93.3% and 96.0% with both). The median of
    # three seeds is what is held.
    X, y = load("train")
    X_test, y_test = load("test")
    scores = [LSTMClassifier(random_state=seed).fit(X, y).score(X_test, y_test)
              for seed in range(3)]
    assert np.median(scores) > floor
