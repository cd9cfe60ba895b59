"""Which initialisation trains the recurrent cells better? Keras' scheme or PyTorch's.

Keras: Glorot-uniform input weights, orthogonal recurrent weights, zero
biases (and, for the LSTM, a forget-gate bias of 1). PyTorch: every weight
and bias from U(-1/sqrt(H), 1/sqrt(H)). Measured for each cell on

- one-step forecasts of the three bundled real series, their last years
  held out: the airline passengers (monthly log growth rates, window 12,
  last 24 months; RMSE in passengers), the lynx trappings (log10, window
  12, last 14 years) and the Nile flow (window 12, last 20 years);
- a long-memory task: the target is the first value of a 20-step noise
  sequence (held-out R^2; 1 is perfect, 0 is no memory).

Medians over 5 seeds, the estimators at their defaults otherwise
(``max_iter=1000``: each trains until its loss stops improving).

Run: ``python benchmarks/init_schemes.py [--cells lstm,gru,rnn] [--json out.json]``.
"""

import argparse
import json
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, make_windows
from skrnn._network import Network
from skrnn.datasets import load_airline, load_lynx, load_nile

SEEDS = range(5)
CELLS = {"lstm": LSTMRegressor, "gru": GRURegressor, "rnn": RNNRegressor}


def airline_rmse(Estimator, seed):
    s = load_airline().to_numpy(dtype=float)
    X, y = make_windows(np.diff(np.log(s)), window=12)
    model = Estimator(max_iter=1000, random_state=seed).fit(X[:-24], y[:-24])
    forecast = s[-25:-1] * np.exp(model.predict(X[-24:]))
    return float(np.sqrt(np.mean((forecast - s[-24:]) ** 2)))


def series_rmse(Estimator, seed, values, n_test):
    X, y = make_windows(values, window=12)
    model = Estimator(max_iter=1000, random_state=seed).fit(X[:-n_test], y[:-n_test])
    return float(np.sqrt(np.mean((model.predict(X[-n_test:]) - y[-n_test:]) ** 2)))


def long_memory_r2(Estimator, seed):
    rng = np.random.RandomState(1000 + seed)
    X = rng.normal(size=(1200, 20))
    y = X[:, 0] + 0.1 * rng.normal(size=1200)
    model = Estimator(hidden_layer_sizes=(16,), learning_rate_init=1e-2, random_state=seed)
    model.fit(X[:1000], y[:1000])
    return float(model.score(X[1000:], y[1000:]))


TASKS = {
    "airline RMSE": airline_rmse,
    "lynx RMSE": lambda E, s: series_rmse(E, s, np.log10(load_lynx().to_numpy(float)), 14),
    "nile RMSE": lambda E, s: series_rmse(E, s, load_nile().to_numpy(float), 20),
    "long-memory R^2": long_memory_r2,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--json", default="init_schemes.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    results = {}
    print("| cell | scheme | " + " | ".join(TASKS) + " |")
    print("|---|---|" + "---:|" * len(TASKS))
    for cell in args.cells.split(","):
        for scheme in ["glorot-orthogonal", "uniform"]:
            Network._init_scheme = scheme
            values = {task: [run(CELLS[cell], s) for s in SEEDS] for task, run in TASKS.items()}
            results[f"{cell} {scheme}"] = values
            cells = " | ".join(f"{np.median(v):.3f}" if "R^2" in t else f"{np.median(v):.1f}"
                               for t, v in values.items())
            print(f"| {cell} | {scheme} | {cells} |", flush=True)
    Network._init_scheme = "glorot-orthogonal"
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
