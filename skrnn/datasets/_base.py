"""Loaders of the CSV files bundled in this folder."""

import csv
from datetime import datetime
from importlib import resources

import pandas as pd


def read_series_csv(lines, date_format, freq, source="<lines>"):
    """A two-column CSV (header ``date,name``, then one dated integer a line)
    as a Series indexed by its dates, which must follow each other at
    ``freq``. A malformed file is a ValueError naming ``source`` and the line."""
    rows = list(csv.reader(lines))
    if not rows or len(rows[0]) != 2:
        raise ValueError(f"{source}, line 1: expected a header of two columns, date and "
                         f"value, got {rows[0] if rows else 'an empty file'!r}")
    index_name, name = rows[0]
    dates, values = [], []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 2:
            raise ValueError(f"{source}, line {number}: expected a date and a value, got {row!r}")
        try:
            dates.append(datetime.strptime(row[0], date_format))
        except ValueError:
            raise ValueError(f"{source}, line {number}: {row[0]!r} is not a date of the form "
                             f"{date_format!r}") from None
        try:
            values.append(int(row[1]))
        except ValueError:
            raise ValueError(f"{source}, line {number}: {row[1]!r} is not an integer") from None
    if not dates:
        raise ValueError(f"{source}: no data after the header")
    expected = pd.date_range(dates[0], periods=len(dates), freq=freq)
    for number, (date, due) in enumerate(zip(dates, expected), start=2):
        if date != due:
            raise ValueError(f"{source}, line {number}: {date:{date_format}} where the series "
                             f"continues with {due:{date_format}} (one step of {freq!r})")
    index = pd.DatetimeIndex(expected, freq=freq, name=index_name)
    return pd.Series(values, index=index, name=name, dtype="int64")


def _load(filename, date_format, freq):
    """The bundled CSV's series."""
    with resources.files(__package__).joinpath(filename).open() as f:
        return read_series_csv(f, date_format, freq, source=filename)


def load_airline():
    """Monthly totals of international airline passengers, 1949 to 1960.

    144 monthly values in thousands of passengers: the classic series with a
    trend and a multiplicative yearly season.

    Returns
    -------
    series : pandas.Series of shape (144,)
        Named ``'Passengers'``, indexed by the first day of each month
        (a ``DatetimeIndex`` with monthly frequency).

    See Also
    --------
    load_lynx : A cyclical annual series.
    load_nile : An annual series with a change point.

    References
    ----------
    Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (1976). *Time Series
    Analysis, Forecasting and Control*. Third Edition. Holden-Day. Series G.
    Public data.

    Examples
    --------
    >>> from skrnn.datasets import load_airline
    >>> y = load_airline()
    >>> y.shape
    (144,)
    >>> int(y.iloc[0]), str(y.index[0].date())
    (112, '1949-01-01')
    """
    return _load("airline.csv", "%Y-%m", "MS")


def load_lynx():
    """Annual numbers of lynx trapped in the Mackenzie River district, 1821 to 1934.

    114 yearly counts of lynx furs bought by the Hudson's Bay Company in
    north-west Canada: a strongly cyclical series (a period near 9.6 years
    whose length and amplitude vary) with no season and no trend, the
    standard test of non-linear forecasting models.

    Returns
    -------
    series : pandas.Series of shape (114,)
        Named ``'Trappings'``, indexed by the first day of each year (a
        ``DatetimeIndex`` with yearly frequency).

    See Also
    --------
    load_airline : A monthly series with trend and season.
    load_nile : An annual series with a change point.

    Notes
    -----
    The values are those of R's ``datasets::lynx``, as shipped by the PyPI
    package sktime (``sktime/datasets/data/Lynx/Lynx.csv``). Public data.

    References
    ----------
    Campbell, M. J. and Walker, A. M. (1977). A survey of statistical work
    on the Mackenzie River series of annual Canadian lynx trappings for the
    years 1821-1934 and a new analysis. *Journal of the Royal Statistical
    Society, Series A*, 140, 411-431.

    Brockwell, P. J. and Davis, R. A. (1991). *Time Series: Theory and
    Methods*. Second edition. Springer.

    Examples
    --------
    >>> from skrnn.datasets import load_lynx
    >>> y = load_lynx()
    >>> y.shape, int(y.max()), int(y.idxmax().year)
    ((114,), 6991, 1904)
    """
    return _load("lynx.csv", "%Y", "YS")


def load_nile():
    """Annual flow of the river Nile at Aswan, 1871 to 1970.

    100 yearly volumes in 10^8 cubic metres; the mean level drops near 1898,
    when the first Aswan dam was begun: a series with a change point.

    Returns
    -------
    series : pandas.Series of shape (100,)
        Named ``'Flow'``, indexed by the first day of each year (a
        ``DatetimeIndex`` with yearly frequency).

    See Also
    --------
    load_airline : A monthly series with trend and season.
    load_lynx : A cyclical annual series.

    Notes
    -----
    The values are those of R's ``datasets::Nile``, as shipped by the PyPI
    package statsmodels (``statsmodels/datasets/nile/nile.csv``), whose
    documentation states: "This is public domain."

    References
    ----------
    Cobb, G. W. (1978). The problem of the Nile: conditional solution to a
    change-point problem. *Biometrika*, 65(2), 243-251.

    Durbin, J. and Koopman, S. J. (2001). *Time Series Analysis by State
    Space Methods*. Oxford University Press.

    Examples
    --------
    >>> from skrnn.datasets import load_nile
    >>> y = load_nile()
    >>> y.shape, int(y.iloc[0]), str(y.index[0].date())
    ((100,), 1120, '1871-01-01')
    """
    return _load("nile.csv", "%Y", "YS")
