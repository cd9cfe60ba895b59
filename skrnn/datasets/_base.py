"""Loaders of the CSV files bundled in this folder."""

from importlib import resources

import pandas as pd


def _load(filename, date_format, freq):
    """The CSV's second column as a Series indexed by its first (dates)."""
    with resources.files(__package__).joinpath(filename).open() as f:
        frame = pd.read_csv(f, dtype=str)
    dates, name = frame.columns
    index = pd.DatetimeIndex(pd.to_datetime(frame[dates], format=date_format), freq=freq)
    return pd.Series(frame[name].astype("int64").to_numpy(), index=index, name=name)


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
