"""``python -m skrnn``: the demo on the bundled airline series and GunPoint.

Fits the four regressors to one-step forecasts of the monthly airline
passenger totals and prints each one's test RMSE and fit time beside a
seasonal-naive baseline (this month = the same month last year), a row as
soon as its model is fitted. Then classifies the GunPoint sequences (the
UCR archive's train/test split) with an ``LSTMClassifier`` at its defaults
and prints its test accuracy beside 1-nearest-neighbour's.

The networks model the monthly log growth rate ``log(y_t / y_{t-1})``,
which has no trend, from the last ``--window`` of them; a forecast of the
level is the last known level times the exponential of the predicted
growth. The estimators standardise X and y themselves (``standardize=True``,
their default). It is the gallery's first example, as a command.
"""

import argparse
import logging
import sys
import textwrap
import time
import warnings

import numpy as np

from . import (
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNRegressor,
    WindowMLPRegressor,
    __version__,
    make_windows,
)
from ._threads import blas_advice
from .datasets import load_airline, load_gunpoint

N_TEST = 24


def forecast_rows(random_state=0, window=12):
    """Fit the models; yield rows of (name, test RMSE, fit seconds) as they finish."""
    passengers = load_airline().to_numpy(dtype=float)
    growth = np.diff(np.log(passengers))
    X, y = make_windows(growth, window=window)
    X_train, y_train, X_test = X[:-N_TEST], y[:-N_TEST], X[-N_TEST:]
    truth = passengers[-N_TEST:]
    last_known = passengers[-N_TEST - 1 : -1]

    def rmse(forecast):
        return float(np.sqrt(np.mean((forecast - truth) ** 2)))

    yield "seasonal naive (same month last year)", rmse(passengers[-N_TEST - 12 : -12]), None
    for Estimator in [WindowMLPRegressor, RNNRegressor, LSTMRegressor, GRURegressor]:
        # Each trains until its loss stops improving (200 to 300 epochs).
        model = Estimator(max_iter=1000, random_state=random_state)
        tic = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - tic
        forecast = last_known * np.exp(model.predict(X_test))
        yield type(model).__name__, rmse(forecast), seconds


def forecast_table(random_state=0, window=12):
    """All rows of :func:`forecast_rows`, as a list."""
    return list(forecast_rows(random_state, window))


def classification_rows(random_state=0):
    """GunPoint: yield rows of (name, test accuracy, fit seconds, note) as they
    finish; the note (or None) says when a fit stopped at ``max_iter``."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neighbors import KNeighborsClassifier

    X, y = load_gunpoint("train")
    X_test, y_test = load_gunpoint("test")
    tic = time.perf_counter()
    knn = KNeighborsClassifier(n_neighbors=1).fit(X, y)
    seconds = time.perf_counter() - tic
    yield "1-nearest neighbour (Euclidean)", knn.score(X_test, y_test), seconds, None
    model = LSTMClassifier(random_state=random_state)
    tic = time.perf_counter()
    # The demo says below its table when the fit ran out of epochs, rather
    # than letting sklearn's ConvergenceWarning print a line of skrnn's source.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    seconds = time.perf_counter() - tic
    note = None
    if model.n_iter_ == model.max_iter:
        note = (f"ran all max_iter={model.max_iter} epochs (its training loss was still "
                "changing: sklearn's ConvergenceWarning)")
    yield "LSTMClassifier()", model.score(X_test, y_test), seconds, note


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skrnn",
        description=(
            "The skrnn demo: one-step forecasts of the last 24 months of the monthly "
            "airline passenger totals (1949-1960, bundled with skrnn) by a window MLP, "
            "an RNN, an LSTM and a GRU, against a seasonal-naive forecast; then the "
            "GunPoint gestures (bundled UCR set) classified by an LSTM, against "
            "1-nearest-neighbour."
        ),
        epilog=f"skrnn {__version__}. The first run compiles the Numba kernels (says so "
        "while it does); later runs load them from the cache.",
    )
    parser.add_argument("--random-state", type=int, default=0, metavar="N",
                        help="seed of the weights and minibatches (default: 0)")
    parser.add_argument("--window", type=int, default=12, metavar="STEPS",
                        help="months of growth rates each model sees (default: 12)")
    parser.add_argument("--version", action="version", version=f"skrnn {__version__}")
    args = parser.parse_args(argv)
    if not 1 <= args.window <= 100:
        parser.error(f"--window must be between 1 and 100 months, got {args.window}")

    # Let the library's notice of a first compile reach the terminal.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    logger = logging.getLogger("skrnn")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    print(
        "skrnn demo: monthly airline passengers (thousands), 1949-1960.\n"
        f"One-step forecasts of the last {N_TEST} months from windows of "
        f"{args.window} monthly log growth rates.\n"
        "Fit seconds include Numba compilation on the first run of a model.\n"
    )
    advice = blas_advice()
    if advice:
        print(textwrap.fill(f"Speed: {advice}", width=79) + "\n")
    print(f"{'model':40s} {'test RMSE':>10s} {'fit seconds':>12s}", flush=True)
    for name, error, seconds in forecast_rows(args.random_state, args.window):
        secs = "-" if seconds is None else f"{seconds:.2f}"
        print(f"{name:40s} {error:10.1f} {secs:>12s}", flush=True)

    print(
        "\nGunPoint (UCR archive): is the actor drawing a gun or pointing a finger?\n"
        "50 training and 150 test sequences of 150 hand positions.\n"
    )
    print(f"{'model':40s} {'accuracy':>10s} {'fit seconds':>12s}", flush=True)
    note = None
    for name, accuracy, seconds, row_note in classification_rows(args.random_state):
        print(f"{name:40s} {100 * accuracy:9.1f}% {seconds:12.2f}", flush=True)
        note = f"{name} {row_note}." if row_note else note
    if note:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
