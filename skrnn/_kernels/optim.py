"""First-order optimizers on the flat parameter vector, as in MLPRegressor."""

import math

from numba import njit

from .activations import JIT

ADAM = 0
SGD = 1

# Positions in the ``hyper`` array of optimizer settings (in the params' dtype,
# so that float32 training stays float32).
LR, BETA_1, BETA_2, EPSILON, MOMENTUM, ALPHA, MAX_GRAD_NORM = range(7)


@njit(**JIT)
def optimizer_step(params, grad, m, v, hyper, solver, nesterov, step):
    """One update in place; ``step`` counts updates from 1 (Adam's bias correction)."""
    if solver == ADAM:
        b1, b2 = hyper[BETA_1], hyper[BETA_2]
        lr_t = hyper[LR] * math.sqrt(1.0 - b2**step) / (1.0 - b1**step)
        lr_t = params.dtype.type(lr_t)
        eps = hyper[EPSILON]
        for k in range(params.shape[0]):
            g = grad[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            params[k] -= lr_t * m[k] / (math.sqrt(v[k]) + eps)
    else:
        lr, mu = hyper[LR], hyper[MOMENTUM]
        for k in range(params.shape[0]):
            m[k] = mu * m[k] - lr * grad[k]
        if nesterov:
            for k in range(params.shape[0]):
                params[k] += mu * m[k] - lr * grad[k]
        else:
            for k in range(params.shape[0]):
                params[k] += m[k]
