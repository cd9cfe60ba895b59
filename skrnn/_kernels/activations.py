"""Elementwise activations and their derivatives, selected by an integer code.

An integer code (not a Python callable) keeps one compiled specialisation per
kernel and dtype, whatever activation the estimator uses.
"""

import math

from numba import njit

IDENTITY = 0
LOGISTIC = 1
TANH = 2
RELU = 3

ACTIVATION_CODES = {"identity": IDENTITY, "logistic": LOGISTIC, "tanh": TANH, "relu": RELU}


@njit(cache=True, nogil=True, inline="always")
def sigmoid(x):
    # Two branches so that exp never overflows: exact 0 and 1 in saturation.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, inline="always")
def activate(x, kind):
    if kind == TANH:
        return math.tanh(x)
    if kind == RELU:
        return x if x > 0 else 0.0 * x
    if kind == LOGISTIC:
        return sigmoid(x)
    return x


@njit(cache=True, nogil=True, inline="always")
def derivative_from_output(a, kind):
    # Every supported activation's derivative is a function of its output,
    # so the forward pass stores outputs only.
    if kind == TANH:
        return 1.0 - a * a
    if kind == RELU:
        return 1.0 if a > 0 else 0.0
    if kind == LOGISTIC:
        return a * (1.0 - a)
    return 1.0
