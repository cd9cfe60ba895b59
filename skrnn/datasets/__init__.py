"""Small real data sets shipped with skrnn, for examples and tests: three
time series to forecast and three UCR time-series classification sets (one
of sequences of unequal length)."""

from ._base import load_airline, load_lynx, load_nile
from ._ucr import load_gunpoint, load_italy_power_demand, load_plaid

__all__ = ["load_airline", "load_gunpoint", "load_italy_power_demand", "load_lynx", "load_nile",
           "load_plaid"]
