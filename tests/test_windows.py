"""make_windows: shapes, values, targets, errors."""

import numpy as np
import pandas as pd
import pytest

from skrnn import make_windows


def test_univariate_windows_and_next_values():
    X, y = make_windows(np.arange(10.0), window=3)
    assert X.shape == (7, 3) and y.shape == (7,)
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    np.testing.assert_array_equal(X[-1], [6, 7, 8])
    np.testing.assert_array_equal(y, np.arange(3.0, 10.0))


def test_horizon_gives_the_next_h_values():
    X, y = make_windows(np.arange(10.0), window=3, horizon=2)
    assert X.shape == (6, 3) and y.shape == (6, 2)
    np.testing.assert_array_equal(y[0], [3, 4])
    np.testing.assert_array_equal(y[-1], [8, 9])


def test_multivariate_series_gives_3d_windows():
    series = np.column_stack([np.arange(8.0), 10 * np.arange(8.0)])
    X, y = make_windows(series, window=3, target=1)
    assert X.shape == (5, 3, 2)
    np.testing.assert_array_equal(X[1], [[1, 10], [2, 20], [3, 30]])
    np.testing.assert_array_equal(y, 10 * np.arange(3.0, 8.0))


def test_pandas_input_and_target_by_name():
    index = pd.date_range("2000-01-01", periods=8, freq="D")
    frame = pd.DataFrame({"a": np.arange(8.0), "b": -np.arange(8.0)}, index=index)
    X, y = make_windows(frame, window=2, target="b")
    np.testing.assert_array_equal(y, -np.arange(2.0, 8.0))
    X1, y1 = make_windows(frame["a"], window=2)
    assert X1.shape == (6, 2)
    np.testing.assert_array_equal(y1, np.arange(2.0, 8.0))
    X2, _ = make_windows(frame[["a"]], window=2)
    assert X2.shape == (6, 2, 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(series=np.arange(5.0), window=5), "too short for window=5"),
        (dict(series=np.arange(5.0), window=0), "window must be a positive integer"),
        (dict(series=np.arange(5.0), window=2, horizon=1.5), "horizon must be a positive"),
        (dict(series=np.ones((5, 2)), window=2), "pass target="),
        (dict(series=np.ones((5, 2)), window=2, target=2), "column position in"),
        (dict(series=pd.DataFrame({"a": [1.0] * 5}), window=2, target="z"), "'z' is not a column"),
        (dict(series=np.ones((5, 2, 2)), window=2), "Found array with dim 3"),
        (dict(series=np.r_[1.0, np.nan, 2, 3], window=2), "contains NaN"),
        (dict(series=["a", "b", "c"], window=1), "could not convert"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(**kwargs)
