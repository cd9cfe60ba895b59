"""``min`` and ``max`` of two numbers, for the kernels.

Python's builtins in compiled code compile Numba's overload of them once per
argument types as a library of its own, optimised and emitted as machine
code that never runs (each caller inlines it): 0.07 s of a cold fit per
pair of types. These are helpers (``config.helper``: LLVM code only,
which the calling kernel optimises with its own), with the builtins'
results: ``min(a, b)`` is ``b if b < a else a``, which keeps a NaN ``a``
(a comparison with NaN is false), and likewise ``max``.
"""


from .config import helper


@helper
def smaller(a, b):
    """``min(a, b)``, as Python computes it."""
    return b if b < a else a


@helper
def larger(a, b):
    """``max(a, b)``, as Python computes it."""
    return b if b > a else a
