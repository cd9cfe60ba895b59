import numpy as np
import pandas as pd
import pytest

from skrnn.datasets import (
    load_airline,
    load_gunpoint,
    load_italy_power_demand,
    load_lynx,
    load_nile,
)
from skrnn.datasets._ucr import read_ts


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


@pytest.mark.parametrize(
    "load, shapes, counts",
    [
        (load_gunpoint, {"train": (50, 150), "test": (150, 150)},
         {"train": (24, 26), "test": (76, 74)}),
        (load_italy_power_demand, {"train": (67, 24), "test": (1029, 24)},
         {"train": (34, 33), "test": (513, 516)}),
    ],
    ids=["gunpoint", "italy_power_demand"],
)
def test_ucr_loaders_give_the_archive_split_as_x_and_string_labels(load, shapes, counts):
    for split in ("train", "test"):
        X, y = load(split)
        assert X.shape == shapes[split] and X.dtype == np.float64 and np.isfinite(X).all()
        assert y.shape == (len(X),) and y.dtype.kind == "U"
        assert tuple((y == label).sum() for label in ("1", "2")) == counts[split]
        # The archive's series are z-normalised one by one.
        np.testing.assert_allclose(X.mean(axis=1), 0, atol=1e-6)
        np.testing.assert_allclose(X.std(axis=1, ddof=1), 1, atol=1e-3)
    np.testing.assert_array_equal(load()[0], load("train")[0])


def test_ucr_values_are_those_of_the_archive_files():
    X, y = load_gunpoint()
    assert X[0, 0] == -0.6478854 and y[0] == "2"
    X, y = load_italy_power_demand("test")
    assert X[0, 0] == 0.47297301


def test_a_wrong_split_is_an_error():
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'valid'"):
        load_gunpoint("valid")


def test_ts_parser_reads_channels_missing_values_unequal_lengths_and_refuses_garbage():
    lines = """# a comment
@problemName Toy
@univariate false
@data
1,2,3:4,5,6:a
7,?:8,9:b
""".splitlines()
    series, labels, header = read_ts(lines)
    assert header == {"problemname": "Toy", "univariate": "false"}
    np.testing.assert_array_equal(series[0], [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(series[1], [[7, 8], [np.nan, 9]])
    assert labels.tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="line 1: expected a header line or @data"):
        read_ts(["1,2,3:a"])
    with pytest.raises(ValueError, match="no @data line"):
        read_ts(["@problemName Toy"])
    with pytest.raises(ValueError, match="line 2: the channels of a case differ in length"):
        read_ts(["@data", "1,2:3:a"])
    with pytest.raises(ValueError, match="line 2: a case needs its values and a label"):
        read_ts(["@data", "1,2,3"])
    with pytest.raises(ValueError, match=r"Toy.ts, line 3: could not convert string to float: "
                                         r"'x'"):
        read_ts(["@problemName Toy", "@data", "1,x,3:a"], source="Toy.ts")
