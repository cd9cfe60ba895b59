import numpy as np
import pandas as pd

from skrnn.datasets import load_airline, load_lynx, load_nile


def test_load_airline_is_the_monthly_series():
    series = load_airline()
    assert isinstance(series, pd.Series) and series.name == "Passengers"
    assert len(series) == 144 and series.index.freqstr == "MS"
    assert series.index[0] == pd.Timestamp("1949-01-01")
    assert series.index[-1] == pd.Timestamp("1960-12-01")
    assert series.iloc[0] == 112 and series.iloc[-1] == 432 and series.sum() == 40363
    assert np.all(np.diff(series.index.month) % 12 == 1)


def test_load_lynx_is_the_annual_series_of_r():
    series = load_lynx()
    assert isinstance(series, pd.Series) and series.name == "Trappings"
    assert len(series) == 114 and series.index.freqstr.startswith("YS")
    assert series.index[0].year == 1821 and series.index[-1].year == 1934
    # Values of R's datasets::lynx.
    assert series.iloc[:3].tolist() == [269, 321, 585] and series.iloc[-1] == 3396
    assert series.sum() == 175334 and series.idxmax().year == 1904


def test_load_nile_is_the_annual_series_of_r():
    series = load_nile()
    assert isinstance(series, pd.Series) and series.name == "Flow"
    assert len(series) == 100 and series.index.freqstr.startswith("YS")
    assert series.index[0].year == 1871 and series.index[-1].year == 1970
    # Values of R's datasets::Nile.
    assert series.iloc[:3].tolist() == [1120, 1160, 963] and series.iloc[-1] == 740
    assert series.sum() == 91935 and series.min() == 456 and series.max() == 1370
    assert series.dtype == np.int64
