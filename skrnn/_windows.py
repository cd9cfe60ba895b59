"""make_windows: a time series into (X, y) samples for supervised learning."""

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils.validation import check_array


def make_windows(series, window, horizon=1, target=None):
    """Cut a series into input windows and the values that follow them.

    Window ``i`` holds steps ``i, ..., i + window - 1`` of the series; its
    target holds the next ``horizon`` values of the target column. Windows
    are returned in time order, so the last rows of ``X`` are the most
    recent: split train and test by position, never at random.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        The series, oldest value first: a 1-D array or pandas Series, or a
        2-D array or DataFrame with one column per feature.
    window : int
        Number of timesteps of each input window.
    horizon : int, default=1
        Number of future values to predict (direct multi-step forecasting).
    target : int or str, default=None
        The column to predict in 2-D input: a position or a DataFrame column
        name. Required when the series has more than one column.

    Returns
    -------
    X : ndarray of shape (n_windows, window) or (n_windows, window, n_features)
        2-D for a 1-D series, 3-D for a 2-D series.
        ``n_windows = n_timesteps - window - horizon + 1``.
    y : ndarray of shape (n_windows,) or (n_windows, horizon)
        1-D when ``horizon == 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import make_windows
    >>> X, y = make_windows(np.arange(6), window=3)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y
    array([3., 4., 5.])
    """
    for name, value in (("window", window), ("horizon", horizon)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    columns = getattr(series, "columns", None)
    values = check_array(
        series, ensure_2d=False, dtype=[np.float64, np.float32], input_name="series"
    )
    if values.ndim not in (1, 2):
        raise ValueError(
            f"series must be 1-D (n_timesteps,) or 2-D (n_timesteps, n_features); "
            f"got {values.ndim} dimensions."
        )
    if values.ndim == 1:
        target_values = values
    else:
        target_values = values[:, _target_column(target, columns, values.shape[1])]
    n_windows = values.shape[0] - window - horizon + 1
    if n_windows < 1:
        raise ValueError(
            f"The series has {values.shape[0]} timesteps: too short for window={window} "
            f"and horizon={horizon}, which need at least {window + horizon}."
        )
    X = sliding_window_view(values, window, axis=0)[:n_windows]
    if values.ndim == 2:
        X = X.transpose(0, 2, 1)  # (n_windows, n_features, window) -> time second
    y = sliding_window_view(target_values[window:], horizon)[:n_windows]
    y = y[:, 0] if horizon == 1 else y
    return np.ascontiguousarray(X), np.ascontiguousarray(y)


def _target_column(target, columns, n_columns):
    # Resolve ``target`` (position or column name) to a column position.
    if target is None:
        if n_columns == 1:
            return 0
        raise ValueError(
            f"The series has {n_columns} columns: pass target= (a column position"
            " or name) to say which one to predict."
        )
    if columns is not None and not isinstance(target, Integral):
        if target not in columns:
            raise ValueError(f"target {target!r} is not a column; columns: {list(columns)}.")
        return columns.get_loc(target)
    if not isinstance(target, Integral) or not -n_columns <= target < n_columns:
        raise ValueError(
            f"target must be a column position in [0, {n_columns}) or a column name, "
            f"got {target!r}."
        )
    return int(target)
