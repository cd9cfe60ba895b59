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

:func:`helper` marks every function that only kernels call. Numba compiles
each such call into its own LLVM module, which the caller links in and
optimises again, so a cold compile costs about the sum of every kernel's
code times its depth in the call tree; helpers compile without the
wrappers Python would need to call them, and ``loss_grad`` is inlined
into its callers, which removed a level (together with not inlining
``sigmoid`` and ``tanh`` in Numba's IR, an LSTM's first fit compiles in
11.5 s instead of 14.9 s on the Intel VM of the README).
"""

import inspect

from numba.extending import overload

JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
INLINE = dict(JIT, inline="always")
# A helper's compiled code only ever runs inside a kernel, so it needs
# neither the wrapper that lets Python call it nor the C-callable one: each
# is LLVM code to optimise and emit per helper (1.2 s of an LSTM's cold
# compile of 14.4 s). Only for functions Python never calls compiled:
# see :func:`helper`.
HELPER = dict(JIT, no_cpython_wrapper=True, no_cfunc_wrapper=True)


def _compile_calls(function, typing, **options):
    # Calls of ``function`` in compiled code compile what ``typing`` returns
    # for their argument types; Numba matches that against this signature.
    typing.__signature__ = inspect.signature(function)
    overload(function, jit_options=dict(HELPER, **options))(typing)
    return function


def helper(function=None, *, forceinline=False):
    """Decorate a function that kernels call: compiled into them, plain Python
    outside them.

    Calls from compiled code compile ``function`` itself (cached, once per
    argument types) without wrappers; a call from Python runs its Python
    body, slowly but correctly. (A Numba dispatcher compiled without its
    Python wrapper would crash the interpreter when Python called it.)
    ``@helper(forceinline=True)``: LLVM inlines it into every caller, even
    where it judges the body too large to.
    """
    if function is None:
        return lambda function: helper(function, forceinline=forceinline)
    return _compile_calls(function, lambda *args: function, forceinline=forceinline)


def by_type(attribute):
    """Decorate a generic function ``f(obj, ...)`` whose Python body calls
    ``type(obj).<attribute>(obj, ...)``: in compiled code the call compiles
    to that implementation directly, chosen by the NamedTuple type of
    ``obj`` at compile time, so that no other implementation (and no
    wrapper) is compiled into the caller."""

    def register(generic):
        return _compile_calls(
            generic, lambda obj, *args: getattr(obj.instance_class, attribute)
        )

    return register


def implementation(function):
    """Mark a kernel that only a :func:`by_type` generic calls.

    It stays a plain Python function: the generic compiles it into each
    caller (and the caller's cache keeps it). A separate Numba dispatcher of
    the same function would share its cache files with those compilations,
    and could load one that lacks its Python entry point.
    """
    return function
