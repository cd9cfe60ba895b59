"""Losses: the seam between the network and its task.

The head is a dense layer on the top layer's last output; it produces
``z`` (b, n_out): predictions for regression, scores (logits) for
classifiers, whose probabilities the estimator computes from them in
NumPy (log-probabilities need the scores, not rounded probabilities).

``loss_value_grad(loss, z, y, sw, sw_total, dz)`` is the minibatch's loss,
and writes its gradient with respect to ``z`` into ``dz``; ``sw_total`` is
the minibatch's total weight, which a part of a minibatch (see
``train.part_gradient``) shares with the other part. ``loss`` is a
:class:`Loss` holding an integer code, like the activations: one compiled
training kernel per network and dtype serves every task, which keeps the
cold compile of a classifier's first fit to that of a regressor's.

The losses are scikit-learn's MLP losses, sample-weighted means over the
minibatch:

- ``squared_error``: half the mean over outputs of the squared errors;
- ``binary_log_loss``: independent logistic outputs (binary and multilabel
  classification), the cross-entropies summed over outputs;
- ``log_loss``: one softmax over the outputs (multiclass).

Both log-losses are computed from the scores by log-sum-exp, so that they
are finite for any finite score in float32 and float64.
"""

import math
from typing import NamedTuple

from numba import njit

from .config import INLINE, helper
from .scalar import larger

SQUARED_ERROR = 0
BINARY_LOG_LOSS = 1
LOG_LOSS = 2

LOSS_CODES = {"squared_error": SQUARED_ERROR, "binary_log_loss": BINARY_LOG_LOSS,
              "log_loss": LOG_LOSS}


class Loss(NamedTuple):
    """The loss a network is trained on, by its code (``LOSS_CODES``)."""

    code: int


@njit(**INLINE)
def _softplus(x):
    # log(1 + exp(x)) without overflow for large x or underflow to 0 too early.
    return larger(x, 0.0) + math.log1p(math.exp(-abs(x)))


@njit(**INLINE)
def _sigmoid(x):
    # 1 / (1 + exp(-x)), with exp of a non-positive number only.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@helper
def loss_value_grad(loss, z, y, sw, sw_total, dz):
    """The minibatch's loss; writes its gradient with respect to ``z`` into ``dz``.

    Both are weighted sums over the rows, divided by ``sw_total``.

    ``y`` (b, n_out) holds the targets, for the log-losses as 0/1
    indicators (one column per output, or per class with a softmax).
    """
    b, n_out = z.shape
    real = z.dtype.type
    value = 0.0
    if loss.code == SQUARED_ERROR:
        scale = real(1.0 / (sw_total * n_out))  # in the model's precision
        for i in range(b):
            w = sw[i] * scale
            for j in range(n_out):
                d = z[i, j] - y[i, j]
                dz[i, j] = w * d
                value += w * d * d
        return 0.5 * value
    scale = 1.0 / sw_total
    if loss.code == BINARY_LOG_LOSS:
        # -[y log p + (1 - y) log(1 - p)] = softplus(z) - y z, p = sigmoid(z).
        for i in range(b):
            w = sw[i] * scale
            for j in range(n_out):
                s = float(z[i, j])
                dz[i, j] = real(w * (_sigmoid(s) - y[i, j]))
                value += w * (_softplus(s) - y[i, j] * s)
        return value
    # Softmax: -sum_j y_j log p_j = sum_j y_j (logsumexp(z) - z_j).
    for i in range(b):
        w = sw[i] * scale
        top = z[i, 0]
        for j in range(1, n_out):
            top = larger(top, z[i, j])
        total = 0.0
        for j in range(n_out):
            total += math.exp(z[i, j] - top)
        lse = top + math.log(total)
        for j in range(n_out):
            dz[i, j] = real(w * (math.exp(z[i, j] - top) / total - y[i, j]))
            value += w * y[i, j] * (lse - z[i, j])
    return value


@helper
def add_penalty(params, grad, mask, alpha, sw_sum):
    """The L2 term ``0.5 * alpha * ||W||^2 / sum(w)``: adds its gradient, returns it."""
    if alpha == 0:
        return 0.0
    scale = params.dtype.type(alpha / sw_sum)
    total = 0.0
    for k in range(params.shape[0]):
        p = params[k] * mask[k]
        grad[k] += scale * p
        total += p * params[k]
    return 0.5 * alpha * total / sw_sum
