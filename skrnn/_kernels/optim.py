"""First-order optimizers on the flat parameter vector, as in MLPRegressor."""

import math

from numba import njit


@njit(cache=True, nogil=True)
def adam_step(params, grad, m, v, lr_t, beta_1, beta_2, epsilon):
    """One Adam update in place; ``lr_t`` carries the bias correction."""
    for k in range(params.shape[0]):
        g = grad[k]
        m[k] = beta_1 * m[k] + (1.0 - beta_1) * g
        v[k] = beta_2 * v[k] + (1.0 - beta_2) * g * g
        params[k] -= lr_t * m[k] / (math.sqrt(v[k]) + epsilon)


@njit(cache=True, nogil=True)
def sgd_step(params, grad, velocity, lr, momentum, nesterov):
    """One SGD update with (Nesterov) momentum in place, as sklearn's SGDOptimizer."""
    for k in range(params.shape[0]):
        velocity[k] = momentum * velocity[k] - lr * grad[k]
        if nesterov:
            params[k] += momentum * velocity[k] - lr * grad[k]
        else:
            params[k] += velocity[k]
