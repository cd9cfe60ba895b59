"""``standardize=True``: the statistics, and how the network sees X and y.

Inputs are standardised per sequence feature over all samples and the
window's timesteps (one scale for every step of a feature keeps the shape
of a sequence; ``StandardScaler`` on 2-D windows would scale each timestep
apart), targets per output; the statistics are sample-weighted and come
from the training samples of the first fit. The kernels standardise X as
they gather a minibatch, so that no standardised copy of X is ever made.
"""

import numpy as np

from ._network import identity_scaling

#: The fitted attributes that hold the statistics (None: not standardised).
STATISTICS = ("X_mean_", "X_scale_", "y_mean_", "y_scale_")


def statistics_names(targets):
    """The names of the statistics, with or without the targets' (classifiers
    standardise X only)."""
    return STATISTICS if targets else STATISTICS[:2]


def statistics(X, Y, sw, dtype, spans=None):
    """Sample-weighted means and scales of each feature of X (n, T, D), over
    samples and timesteps, and of each column of Y (n, n_out) unless Y is
    None, in ``dtype``, as a dict of :func:`statistics_names`.

    ``spans`` (n, 2): the steps of each sequence that count (first, end),
    the others being padding; None: all of them.
    A constant column gets scale 1, by StandardScaler's rule.
    """
    weights = np.asarray(sw if sw.sum() > 0 else np.ones_like(sw), dtype=np.float64)
    values = []
    for A, steps in [(X, spans)] + ([] if Y is None else [(Y[:, np.newaxis, :], None)]):
        mean = _weighted_mean(A, weights, spans=steps)
        var = _weighted_mean(A, weights, center=mean, spans=steps)
        n = A.shape[0] * A.shape[1]
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2
        values += [mean.astype(dtype), np.where(constant, 1.0, np.sqrt(var)).astype(dtype)]
    return dict(zip(statistics_names(Y is not None), values))


def _weighted_mean(A, weights, center=None, spans=None):
    # Mean over samples and steps of A (n, T, D), or of (A - center) ** 2,
    # per feature, each sample weighted (each of its steps inside its span,
    # when spans are given). In float64 and in blocks of samples: no copy of
    # X (fit's extra memory stays independent of the data's size), and a
    # contiguous block gives the same sums for the same values in any
    # memory layout.
    n, T, D = A.shape
    step = max(1, 2**16 // (T * D))
    total = np.zeros(D)
    for start in range(0, n, step):
        block = np.array(A[start : start + step], dtype=np.float64)
        if center is not None:
            block = (block - center) ** 2
        if spans is not None:
            first, end = spans[start : start + step].T
            steps = np.arange(T)
            block[(steps < first[:, None]) | (steps >= end[:, None])] = 0.0
        total += np.einsum("i,itd->d", weights[start : start + step], block)
    if spans is None:
        return total / (weights.sum() * T)
    return total / (weights @ (spans[:, 1] - spans[:, 0]))


def network_targets(Y, stats):
    """Targets (n, n_out) as the network learns them."""
    if stats["y_mean_"] is None:
        return Y
    return (Y - stats["y_mean_"]) / stats["y_scale_"]


def input_scaling(stats, n_features, dtype):
    """The kernels' (2, D) shift and scale of each sequence feature."""
    if stats["X_mean_"] is None:
        return identity_scaling(n_features, dtype)
    return np.array([stats["X_mean_"], stats["X_scale_"]], dtype=dtype)


def to_target_units(out, stats):
    """Network outputs (n, n_out) back in the units of y, in place."""
    if stats["y_mean_"] is not None:
        out *= stats["y_scale_"]
        out += stats["y_mean_"]
    return out
