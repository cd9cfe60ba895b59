"""Which LSTM initialisation trains better? Keras' scheme against PyTorch's.

Keras: Glorot-uniform input weights, orthogonal recurrent weights, zero
biases with a forget-gate bias of 1. PyTorch: every weight and bias from
U(-1/sqrt(H), 1/sqrt(H)). Measured on (a) one-step forecasts of the airline
series (log growth rates, window 12, last 24 months held out; RMSE in
passengers) and (b) a long-memory task: the target is the first value of a
20-step noise sequence (held-out R^2). Several seeds each; medians printed.

Run: python benchmarks/lstm_init.py
"""

import json
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import LSTMRegressor, make_windows
from skrnn._network import RecurrentNetwork
from skrnn.datasets import load_airline

SEEDS = range(5)


def airline_rmse(seed):
    s = load_airline().to_numpy(dtype=float)
    X, y = make_windows(np.diff(np.log(s)), window=12)
    model = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), LSTMRegressor(random_state=seed)),
        transformer=StandardScaler(),
    )
    model.fit(X[:-24], y[:-24])
    forecast = s[-25:-1] * np.exp(model.predict(X[-24:]))
    return float(np.sqrt(np.mean((forecast - s[-24:]) ** 2)))


def long_memory_r2(seed):
    rng = np.random.RandomState(1000 + seed)
    X = rng.normal(size=(1200, 20))
    y = X[:, 0] + 0.1 * rng.normal(size=1200)
    model = LSTMRegressor(hidden_layer_sizes=(16,), learning_rate_init=1e-2, random_state=seed)
    model.fit(X[:1000], y[:1000])
    return float(model.score(X[1000:], y[1000:]))


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    results = {}
    for scheme in ["glorot-orthogonal", "uniform"]:
        RecurrentNetwork._init_scheme = scheme
        rmse = [airline_rmse(s) for s in SEEDS]
        r2 = [long_memory_r2(s) for s in SEEDS]
        results[scheme] = {"airline_rmse": rmse, "long_memory_r2": r2}
        print(
            f"{scheme:18s} airline RMSE median {np.median(rmse):6.1f}  "
            f"long-memory R^2 median {np.median(r2):6.3f}"
        )
    RecurrentNetwork._init_scheme = "glorot-orthogonal"
    with open("lstm_init.json", "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
