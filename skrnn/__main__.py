"""``python -m skrnn``: the demo on the bundled airline series.

Fits the three estimators to one-step forecasts of the monthly airline
passenger totals and prints each one's test RMSE and fit time beside a
seasonal-naive baseline (this month = the same month last year).

The networks model the monthly log growth rate ``log(y_t / y_{t-1})``,
which has no trend, from the last 12 of them; a forecast of the level is
the last known level times the exponential of the predicted growth. Both
X and y are standardised in a Pipeline, as neural networks need.
"""

import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import LSTMRegressor, RNNRegressor, WindowMLPRegressor, make_windows
from .datasets import load_airline

WINDOW = 12
N_TEST = 24


def forecast_table(random_state=0):
    """Fit the models; return rows of (name, test RMSE, fit seconds)."""
    passengers = load_airline().to_numpy(dtype=float)
    growth = np.diff(np.log(passengers))
    X, y = make_windows(growth, window=WINDOW)
    X_train, y_train, X_test = X[:-N_TEST], y[:-N_TEST], X[-N_TEST:]
    truth = passengers[-N_TEST:]
    last_known = passengers[-N_TEST - 1 : -1]

    def rmse(forecast):
        return float(np.sqrt(np.mean((forecast - truth) ** 2)))

    rows = [("seasonal naive (same month last year)", rmse(passengers[-N_TEST - 12 : -12]), None)]
    for estimator in [
        WindowMLPRegressor(random_state=random_state),
        RNNRegressor(random_state=random_state),
        LSTMRegressor(random_state=random_state),
    ]:
        model = TransformedTargetRegressor(
            make_pipeline(StandardScaler(), estimator), transformer=StandardScaler()
        )
        tic = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        seconds = time.perf_counter() - tic
        forecast = last_known * np.exp(model.predict(X_test))
        rows.append((type(estimator).__name__, rmse(forecast), seconds))
    return rows


def main():
    print(
        "skrnn demo: monthly airline passengers (thousands), 1949-1960.\n"
        f"One-step forecasts of the last {N_TEST} months from windows of "
        f"{WINDOW} monthly log growth rates.\n"
        "Fit seconds include Numba compilation on the first run of a model.\n"
    )
    print(f"{'model':40s} {'test RMSE':>10s} {'fit seconds':>12s}")
    for name, error, seconds in forecast_table():
        secs = "-" if seconds is None else f"{seconds:.2f}"
        print(f"{name:40s} {error:10.1f} {secs:>12s}")


if __name__ == "__main__":
    main()
