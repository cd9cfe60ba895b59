"""Losses and the output head: the seam between the network and its task.

The head is a dense layer on the top layer's last output; it produces
``z`` (b, n_out). A loss NamedTuple names two kernels:

- ``value_grad(loss, z, y, sw, dz)``: the minibatch's loss and its
  gradient with respect to ``z``, written into ``dz``;
- ``output(loss, z)``: turns ``z`` into predictions, in place (identity for
  regression; a logistic or softmax head for classifiers).

A new task adds a NamedTuple here and touches no cell.
"""

from typing import NamedTuple

from numba import njit

from .config import JIT, by_type, implementation


@by_type("value_grad")
def loss_value_grad(loss, z, y, sw, dz):
    """The minibatch's loss; writes its gradient with respect to ``z`` into ``dz``."""
    return type(loss).value_grad(loss, z, y, sw, dz)


@by_type("output")
def loss_output(loss, z):
    """The head's output ``z`` turned into predictions, in place."""
    return type(loss).output(loss, z)


@implementation
def squared_error_value_grad(loss, z, y, sw, dz):
    """sklearn's loss, ``0.5 * mean over outputs of the weighted mean of the
    squared errors``; writes its gradient with respect to ``z``."""
    b, n_out = z.shape
    scale = z.dtype.type(1.0 / (sw.sum() * n_out))
    value = 0.0
    for i in range(b):
        w = sw[i] * scale
        for j in range(n_out):
            d = z[i, j] - y[i, j]
            dz[i, j] = w * d
            value += w * d * d
    return 0.5 * value


@implementation
def identity_output(loss, z):
    """Regression predicts the head's output as it is."""


class SquaredError(NamedTuple):
    """Squared error with an identity head: the regressors' loss."""

    value_grad = squared_error_value_grad
    output = identity_output


@njit(**JIT)
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
