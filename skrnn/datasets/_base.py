"""Loaders of the CSV files bundled in this folder."""

from importlib import resources

import pandas as pd


def load_airline():
    """Monthly totals of international airline passengers, 1949 to 1960.

    144 monthly values in thousands of passengers: the classic series with a
    trend and a multiplicative yearly season.

    Returns
    -------
    series : pandas.Series of shape (144,)
        Named ``'Passengers'``, indexed by the first day of each month
        (a ``DatetimeIndex`` with monthly frequency).

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
    with resources.files(__package__).joinpath("airline.csv").open() as f:
        frame = pd.read_csv(f)
    index = pd.DatetimeIndex(pd.to_datetime(frame["Date"], format="%Y-%m"), freq="MS")
    return pd.Series(frame["Passengers"].to_numpy(), index=index, name="Passengers")
