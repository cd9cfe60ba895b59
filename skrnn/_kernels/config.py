"""How the kernels are compiled, and how a generic kernel selects a specific one.

``JIT`` is every kernel's options: cached on disk (see ``_cache``), the GIL
released, NumPy's error model (no zero-division checks, which would
block vectorisation), and of the fast-math flags only ``contract``: LLVM
may fuse a multiplication and the addition that uses it into one FMA
instruction, which rounds once instead of twice. No other flag: the order
of sums, NaN, infinities and signed zeros stay as IEEE 754 computes them.

:func:`by_type` is the seam between generic and specific code. A training
loop written once calls ``network_forward(net, ...)``; ``net`` is a small
NamedTuple (``LSTM(...)``, ``Dense(...)``) whose class
names the implementation as an attribute. Numba resolves the call while
it types the loop for that NamedTuple class, so a fit compiles only the
cell and network it uses, and each compiled variant is cached under
its own signature. (Compared with one driver that branches on a cell code,
this halved the cold compile of an RNN fit and cut the LSTM's by a
fifth.)
"""

import inspect

from numba.extending import overload

JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
INLINE = dict(JIT, inline="always")


def by_type(attribute):
    """Decorate a generic function ``f(obj, ...)`` whose Python body calls
    ``type(obj).<attribute>(obj, ...)``: in compiled code the call compiles
    to that implementation directly, chosen by the NamedTuple type of
    ``obj`` at compile time, so that no other implementation (and no
    wrapper) is compiled into the caller."""

    def register(generic):
        def typing(obj, *args):
            return getattr(obj.instance_class, attribute)

        # Numba matches the implementation against this signature.
        typing.__signature__ = inspect.signature(generic)
        overload(generic, jit_options=JIT)(typing)
        return generic

    return register


def implementation(function):
    """Mark a kernel that only a :func:`by_type` generic calls.

    It stays a plain Python function: the generic compiles it into each
    caller (and the caller's cache keeps it). A separate Numba dispatcher of
    the same function would share its cache files with those compilations,
    and could load one that lacks its Python entry point.
    """
    return function
