"""Small real data sets shipped with skrnn, for examples and tests: three
time series to forecast and two UCR time-series classification sets."""

from ._base import load_airline, load_lynx, load_nile
from ._ucr import load_gunpoint, load_italy_power_demand

__all__ = ["load_airline", "load_gunpoint", "load_italy_power_demand", "load_lynx", "load_nile"]
