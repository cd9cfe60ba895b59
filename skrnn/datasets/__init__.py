"""Small real time series shipped with skrnn, for examples and tests."""

from ._base import load_airline, load_lynx, load_nile

__all__ = ["load_airline", "load_lynx", "load_nile"]
