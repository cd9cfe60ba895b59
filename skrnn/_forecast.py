"""Recursive multi-step forecasting with a one-step model."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted


def recursive_forecast(estimator, history, steps):
    """Forecast ``steps`` values ahead by feeding one-step forecasts back in.

    The model predicts the next value from the last ``window`` values; that
    prediction is appended to the history and the window slides one step,
    ``steps`` times. The alternative, direct strategy fits one model to all
    ``h`` future values at once (``make_windows(series, window, horizon=h)``):
    it does not compound its own errors, but cannot forecast beyond ``h``.

    Parameters
    ----------
    estimator : fitted regressor
        A one-step model on univariate windows: any fitted skrnn estimator,
        or a Pipeline or TransformedTargetRegressor around one, that was fit
        on ``X`` of shape ``(n_samples, window)`` and a 1-D ``y``. The window
        length is read from its ``n_features_in_``.
    history : array-like of shape (n_timesteps,)
        The series up to now, oldest first; only its last ``window`` values
        are used.
    steps : int
        How many values to forecast.

    Returns
    -------
    forecast : ndarray of shape (steps,)
        The forecasts, nearest first.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import WindowMLPRegressor, make_windows, recursive_forecast
    >>> series = np.sin(np.arange(200) / 4)
    >>> X, y = make_windows(series, window=16)
    >>> model = WindowMLPRegressor(random_state=0).fit(X, y)
    >>> recursive_forecast(model, series, steps=3).shape
    (3,)
    """
    check_is_fitted(estimator)
    window = getattr(estimator, "n_features_in_", None)
    if window is None:
        raise ValueError(
            f"{type(estimator).__name__} has no n_features_in_: recursive_forecast needs "
            "a model fitted on windows of shape (n_samples, window)."
        )
    if not isinstance(steps, Integral) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    values = check_array(history, ensure_2d=False, dtype=np.float64, input_name="history")
    if values.ndim != 1:
        raise ValueError(
            f"history must be a 1-D series, got an array of shape {values.shape}; "
            "recursive_forecast supports univariate models only."
        )
    if len(values) < window:
        raise ValueError(
            f"history has {len(values)} values; the model needs the last {window}."
        )
    series = np.concatenate([values[-window:], np.empty(steps)])
    for k in range(steps):
        prediction = np.asarray(estimator.predict(series[None, k : k + window]))
        if prediction.size != 1:
            raise ValueError(
                "recursive_forecast needs a one-step model (a 1-D y in fit); this one "
                f"predicts {prediction.size} values per window. Use the direct forecasts "
                "of a model fit with make_windows(..., horizon=h) instead."
            )
        series[window + k] = prediction.item()
    return series[window:]
