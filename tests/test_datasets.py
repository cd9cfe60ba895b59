import numpy as np
import pandas as pd

from skrnn.datasets import load_airline


def test_load_airline_is_the_monthly_series():
    series = load_airline()
    assert isinstance(series, pd.Series) and series.name == "Passengers"
    assert len(series) == 144 and series.index.freqstr == "MS"
    assert series.index[0] == pd.Timestamp("1949-01-01")
    assert series.index[-1] == pd.Timestamp("1960-12-01")
    assert series.iloc[0] == 112 and series.iloc[-1] == 432 and series.sum() == 40363
    assert np.all(np.diff(series.index.month) % 12 == 1)
