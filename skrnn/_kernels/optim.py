"""First-order optimizers on the flat parameter vector, as in MLPRegressor."""

import math
from typing import NamedTuple

from numba.core import cgutils
from numba.extending import intrinsic

from .config import _compile_calls, helper

ADAM = 0
SGD = 1


class Hyper(NamedTuple):
    """The optimizer's settings, by name. Floats are in the parameters' dtype,
    so that float32 training stays float32."""

    learning_rate: float
    beta_1: float
    beta_2: float
    epsilon: float
    momentum: float
    nesterov: bool
    solver: int  # ADAM or SGD
    alpha: float  # L2 penalty
    max_grad_norm: float  # 0: no clipping


def stop_requested(stop):
    """Whether another thread has set ``stop[0]`` (Ctrl-C during fit).

    This Python body runs only with NUMBA_DISABLE_JIT=1; compiled code reads
    the flag with an atomic load registered below.
    """
    return stop[0] != 0


@intrinsic
def _load_acquire(typingctx, array, index):
    # An atomic (acquire) load of array[index]: unlike a plain load, the
    # compiler may not hoist it out of the minibatch loop, where nothing in
    # this thread writes the flag.
    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        ary = context.make_array(array_type)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, array_type, ary, [args[1]],
                                       wraparound=False)
        return builder.load_atomic(ptr, "acquire", align=array_type.dtype.bitwidth // 8)

    return array.dtype(array, index), codegen


def _compiled_stop_requested(stop):
    # What calls of stop_requested compile: a helper, where Numba's overload
    # compiled a library of its own.
    return _load_acquire(stop, 0) != 0


_compile_calls(stop_requested, lambda stop: _compiled_stop_requested)


@helper
def _power(x, n):
    # x**n for an integer n >= 0, in x's dtype, computed as Numba's ``**``
    # computes it (repeated squaring, ``pow`` beyond 2**16), hence rounded
    # the same; ``**`` compiled a library of its own into each kernel.
    if n > 0x10000:
        return type(x)(math.pow(x, float(n)))
    r = type(x)(1)
    while n != 0:
        if n & 1:
            r *= x
        n >>= 1
        x *= x
    return r


@helper
def optimizer_step(params, grad, m, v, hyper, step):
    """One update in place; ``step`` counts updates from 1 (Adam's bias correction)."""
    if hyper.solver == ADAM:
        b1, b2 = hyper.beta_1, hyper.beta_2
        lr_t = hyper.learning_rate * math.sqrt(1.0 - _power(b2, step)) / (1.0 - _power(b1, step))
        lr_t = params.dtype.type(lr_t)
        eps = hyper.epsilon
        for k in range(params.shape[0]):
            g = grad[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            params[k] -= lr_t * m[k] / (math.sqrt(v[k]) + eps)
    else:
        lr, mu = hyper.learning_rate, hyper.momentum
        for k in range(params.shape[0]):
            m[k] = mu * m[k] - lr * grad[k]
        if hyper.nesterov:
            for k in range(params.shape[0]):
                params[k] += mu * m[k] - lr * grad[k]
        else:
            for k in range(params.shape[0]):
                params[k] += m[k]
