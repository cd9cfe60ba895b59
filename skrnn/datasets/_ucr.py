"""Loaders of the UCR time-series classification sets bundled in this folder.

The files are the UCR archive's, in the ``.ts`` text format that sktime and
aeon ship them in: comment lines (``#``), header lines (``@name value``), then
after ``@data`` one case a line, its channels separated by ``:`` (each a
comma-separated series, ``?`` for a missing value) and its class label last.
skrnn parses them itself, so that neither package is a dependency.
"""

from importlib import resources

import numpy as np

_SPLITS = ("train", "test")


def read_ts(lines, source="<lines>"):
    """Parse a ``.ts`` file's lines into its cases, labels and header.

    ``source`` names the file in the errors, which also give the line:
    a malformed file is a ``ValueError`` saying where.

    Returns ``(series, labels, header)``: ``series`` a list of float64
    arrays, one per case, of shape ``(length,)`` for one channel or
    ``(length, n_channels)`` for several; ``labels`` an array of the class
    labels as the file writes them (strings); ``header`` a dict of the
    ``@`` lines before ``@data`` (lower-case keys, the rest of the line).
    """
    header, series, labels = {}, [], []
    in_data = False
    where = f"{source}, line"
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if not line.startswith("@"):
                raise ValueError(
                    f"{where} {number}: expected a header line or @data, got {line[:40]!r}")
            key, _, value = line[1:].partition(" ")
            if key.lower() == "data":
                in_data = True
            else:
                header[key.lower()] = value.strip()
            continue
        *channels, label = line.split(":")
        if not channels:
            raise ValueError(f"{where} {number}: a case needs its values and a label after ':'")
        try:
            values = [np.array([np.nan if v.strip() == "?" else float(v) for v in c.split(",")])
                      for c in channels]
        except ValueError as error:  # float()'s message names the value, not the line
            raise ValueError(f"{where} {number}: {error}") from None
        if len({v.size for v in values}) != 1:
            raise ValueError(f"{where} {number}: the channels of a case differ in length")
        series.append(values[0] if len(values) == 1 else np.column_stack(values))
        labels.append(label.strip())
    if not in_data:
        raise ValueError(f"{source}: no @data line: not a .ts file")
    return series, np.array(labels), header


def _load_ucr(name, split, stack=True):
    if split not in _SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = resources.files(__package__).joinpath(f"{name}_{split.upper()}.ts")
    with path.open() as f:
        series, labels, _ = read_ts(f, source=path.name)
    return (np.stack(series) if stack else series), labels


def load_gunpoint(split="train"):
    """GunPoint: is the actor drawing a gun or pointing a finger?

    The x-coordinate of an actor's right hand over 150 video frames while
    they either draw a replica gun from a hip-mounted holster, point it at
    a target for about a second and return it (Gun-Draw), or point their
    index finger at the target and lower it (Point). Two actors, one female
    and one male; two classes, labelled ``'1'`` and ``'2'`` (the file does
    not say which label is which motion). Each series is z-normalised.

    Parameters
    ----------
    split : {'train', 'test'}, default='train'
        The archive's fixed split: 50 training cases, 150 test cases.

    Returns
    -------
    X : ndarray of shape (n_cases, 150)
        One univariate series per row (skrnn's ``(n_samples, n_timesteps)``
        layout).
    y : ndarray of shape (n_cases,)
        Class labels as the archive writes them, the strings ``'1'`` and
        ``'2'``: 24 and 26 in the training split, 76 and 74 in the test
        split.

    See Also
    --------
    load_italy_power_demand : Short daily series, two classes.

    Notes
    -----
    The file is the UCR archive's ``GunPoint_TRAIN.ts`` / ``GunPoint_TEST.ts``
    as the PyPI package aeon 1.6.0 ships it (BSD-3-Clause). Published test
    accuracies for context: 1-nearest-neighbour with Euclidean distance
    91.3%, an MLP 92.7%, a fully convolutional network 100% (Fawaz et al.,
    2019, mean of runs).

    References
    ----------
    Ratanamahatana, C. A. and Keogh, E. (2005). Three myths about dynamic
    time warping data mining. *SIAM International Conference on Data
    Mining*.

    Dau, H. A. et al. (2019). The UCR time series archive. *IEEE/CAA
    Journal of Automatica Sinica*, 6(6), 1293-1305.

    Examples
    --------
    >>> from skrnn.datasets import load_gunpoint
    >>> X, y = load_gunpoint()
    >>> X.shape, sorted(set(y.tolist()))
    ((50, 150), ['1', '2'])
    >>> load_gunpoint("test")[0].shape
    (150, 150)
    """
    return _load_ucr("GunPoint", split)


def load_italy_power_demand(split="train"):
    """ItalyPowerDemand: does a day's electricity demand come from winter or summer?

    Italy's electrical power demand over the 24 hours of one day, derived
    from twelve monthly demand series; the two classes, labelled ``'1'``
    and ``'2'``, are days from October to March and days from April to
    September. Each series is z-normalised, so the class shows in the
    day's shape, not its level.

    Parameters
    ----------
    split : {'train', 'test'}, default='train'
        The archive's fixed split: 67 training cases, 1,029 test cases.

    Returns
    -------
    X : ndarray of shape (n_cases, 24)
        One univariate series per row.
    y : ndarray of shape (n_cases,)
        Class labels as the archive writes them, the strings ``'1'`` and
        ``'2'``: 34 and 33 in the training split, 513 and 516 in the test
        split.

    See Also
    --------
    load_gunpoint : Longer motion series, two classes.

    Notes
    -----
    The file is the UCR archive's ``ItalyPowerDemand_TRAIN.ts`` /
    ``ItalyPowerDemand_TEST.ts`` as the PyPI package aeon 1.6.0 ships it
    (BSD-3-Clause). Published test accuracies for context:
    1-nearest-neighbour with Euclidean distance 95.5%, a fully
    convolutional network 96.1%, ResNet 96.3% (Fawaz et al., 2019).

    References
    ----------
    Keogh, E., Wei, L., Xi, X., Lonardi, S., Shieh, J. and Sirowy, S.
    (2006). Intelligent icons: integrating lite-weight data mining and
    visualization into GUI operating systems. *IEEE International
    Conference on Data Mining*.

    Dau, H. A. et al. (2019). The UCR time series archive. *IEEE/CAA
    Journal of Automatica Sinica*, 6(6), 1293-1305.

    Examples
    --------
    >>> from skrnn.datasets import load_italy_power_demand
    >>> X, y = load_italy_power_demand()
    >>> X.shape, sorted(set(y.tolist()))
    ((67, 24), ['1', '2'])
    """
    return _load_ucr("ItalyPowerDemand", split)


def load_plaid(split="train"):
    """PLAID: which appliance is this? Current drawn by 11 kinds of appliance.

    The electrical current of one appliance over a few seconds around
    switching it on (the start-up transient, where the recording has one,
    and the steady state), from the Plug Load Appliance Identification
    Dataset: 11 classes, the appliance types ``'0'`` to ``'10'`` (air
    conditioner, compact fluorescent lamp, fan, fridge, hairdryer, heater,
    incandescent light bulb, laptop, microwave, vacuum, washing machine).
    The recordings differ in length, from 100 to 1,344 steps, and are not
    normalised: their scale is the current each appliance draws, from
    microamperes to amperes.

    Parameters
    ----------
    split : {'train', 'test'}, default='train'
        The archive's fixed split: 537 training cases, 537 test cases.

    Returns
    -------
    X : list of ndarray of shape (n_timesteps_i,)
        One univariate series per case, of its own length (100 to 1,344
        steps in the training split, 134 to 1,000 in the test split;
        median 300): what skrnn's estimators take as ``X``.
    y : ndarray of shape (n_cases,)
        Class labels as the archive writes them, the strings ``'0'`` to
        ``'10'``; 13 to 88 cases a class.

    See Also
    --------
    skrnn.pad_sequences : The sequences as one NaN-padded array.

    Notes
    -----
    The file is the UCR archive's ``PLAID_TRAIN.ts`` / ``PLAID_TEST.ts`` as
    the PyPI package sktime 1.2.0 ships it (BSD-3-Clause); the archive's
    version, edited by Schafer and Leser (2017), keeps PLAID1's current
    channel. Published test accuracies for context: a fully convolutional
    network 90.4%, ResNet 94.0% (Fawaz et al., 2019, mean of runs).

    References
    ----------
    Gao, J., Giri, S., Kara, E. C. and Berges, M. (2014). PLAID: a public
    dataset of high-resolution electrical appliance measurements for load
    identification research. *ACM Conference on Embedded Systems for
    Energy-Efficient Buildings*.

    Dau, H. A. et al. (2019). The UCR time series archive. *IEEE/CAA
    Journal of Automatica Sinica*, 6(6), 1293-1305.

    Examples
    --------
    >>> from skrnn.datasets import load_plaid
    >>> X, y = load_plaid()
    >>> len(X), min(len(x) for x in X), max(len(x) for x in X)
    (537, 100, 1344)
    >>> len(set(y.tolist()))
    11
    """
    return _load_ucr("PLAID", split, stack=False)
