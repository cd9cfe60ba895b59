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

:func:`helper` marks every function that only kernels call. Numba would
compile each such call into a finished library of its own: its LLVM
module optimised, then emitted as machine code, and the module linked into
the caller, which optimises it again. A helper's machine code never runs,
though (no wrapper lets Python call it, and each caller emits its own copy
of what it inlines), so helpers compile through ``_HelperCompiler``: their
module is optimised function by function only, and stops before whole-module
optimisation and machine code. The calling kernel optimises and emits it
once, with its own code. Helpers are therefore not cached on disk (Numba's
cache keeps machine code) but compiled once per process and argument types,
and only when a kernel that calls them is not in the cache itself. Together
with wrapper-free helpers, ``loss_grad`` inlined into its callers and
``sigmoid`` and ``tanh`` not inlined in Numba's IR, a cold LSTM fit compiles
in 7.8 s instead of 14.9 s on the Intel VM of the README. Helpers also skip
two passes of Numba's pipeline that find nothing to do in them
(``_SKIPPED_BY_HELPERS``), count no references to arrays unless they
return one (``HELPER``), and promise LLVM that their array arguments
share no memory (``noalias``: see :func:`helper`). Nothing a kernel
calls should compile a library of its own (a NumPy function,
``reshape``, ``**``, an ``@overload`` with its own options): write it as
a helper or an intrinsic instead (tests/test_integration.py checks the
helpers that did).
"""

import inspect
import itertools
import os

import numpy as np
from numba import jit, njit
from numba.core import cgutils, errors, typed_passes, types, untyped_passes
from numba.core.codegen import JITCodeLibrary
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import LoweringPass, register_pass
from numba.core.targetconfig import ConfigStack
from numba.core.typing.templates import infer, infer_global, make_overload_template
from numba.extending import intrinsic

JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
INLINE = dict(JIT, inline="always")


class _LinkedOnlyLibrary(JITCodeLibrary):
    # A helper's code library: its module is only ever linked into callers
    # (Numba's ``_get_module_for_linking``), which optimise and emit it with
    # their own code, so whole-module optimisation and machine code here
    # would be work thrown away.

    def _optimize_final_module(self):
        pass

    def _finalize_final_module(self):
        self._finalized = True

    @property
    def codegen(self):
        return _WithoutEnvironment(self._codegen)


class _WithoutEnvironment:
    # The codegen as the lowering sees it from a helper's library. Numba
    # writes the address of a function's environment into its emitted
    # global; a helper has none (its callers bring their own), so writing
    # it would dereference a null address.

    def __init__(self, codegen):
        self._codegen = codegen

    def set_env(self, env_name, env):
        pass

    def __getattr__(self, name):
        return getattr(self._codegen, name)


@register_pass(mutates_CFG=False, analysis_only=False)
class _UseLinkedOnlyLibrary(LoweringPass):
    # Gives the lowering a ``_LinkedOnlyLibrary`` before Numba's lowering
    # pass would create an ordinary one.
    _name = "skrnn_use_linked_only_library"

    def __init__(self):
        LoweringPass.__init__(self)

    def run_pass(self, state):
        state.library = _LinkedOnlyLibrary(
            state.targetctx.codegen(), state.func_id.func_qualname
        )
        return True


# Passes of Numba's nopython pipeline that helpers skip: they find nothing
# to do in skrnn's helpers (no closures, comprehensions or reductions to
# inline, no array expressions to fuse), yet each costs some 10 ms a
# function on a slow machine. Without them every kernel compiled to the
# same machine code (all cells, the dense network, the classifiers,
# training and prediction, both dtypes), and a cold LSTM fit spent 0.5 s
# less in Numba's passes other than typing and lowering (1.9 s instead of
# 2.4 s, medians of four interleaved pairs on the Zen 3 VM of the README).
_SKIPPED_BY_HELPERS = (untyped_passes.InlineClosureLikes, typed_passes.NopythonRewrites)


class _HelperCompiler(CompilerBase):
    # Numba's nopython pipeline less _SKIPPED_BY_HELPERS, lowering into a
    # ``_LinkedOnlyLibrary``.

    def define_pipelines(self):
        pipeline = DefaultPassBuilder.define_nopython_pipeline(self.state)
        pipeline.passes = [(p, what) for p, what in pipeline.passes
                           if p not in _SKIPPED_BY_HELPERS]
        pipeline.add_pass_after(_UseLinkedOnlyLibrary, typed_passes.IRLegalization)
        pipeline.finalize()
        return [pipeline]


class _DistinctHelperCompiler(_HelperCompiler):
    # A :func:`helper`'s compiler: Numba's ``noalias`` flag, which marks the
    # pointers among the function's arguments (an array's data) ``noalias``
    # for LLVM, so that its loops vectorise without checking at run time
    # whether its arrays overlap, and without the scalar copy of each loop
    # that those checks fall back on, which LLVM unrolled eight times
    # (see helper()).

    def define_pipelines(self):
        self.state.flags.noalias = True
        return super().define_pipelines()


# A helper's compiled code only ever runs inside a kernel: it needs neither
# the wrapper that lets Python call it nor the C-callable one, nor machine
# code of its own, so it is not cached either (Numba's cache holds machine
# code). Only for functions Python never calls compiled: see :func:`helper`.
# ``forceinline`` and ``_nrt`` are set, never inherited from the caller:
# with the flags JIT sets, a helper's code is then the same whoever calls it
# (see _OncePerTypes). Without ``_nrt``, Numba's reference counting, a
# helper cannot allocate an array (Numba refuses to compile it) and counts
# no references to the arrays it reads: none of its slices and views adds
# and drops one, code that the lowering wrote and LLVM removed again (a
# tenth of a cold LSTM fit's LLVM code). Helpers that return an array
# keep it (``helper(returns_arrays=True)``): see _OncePerTypes.
HELPER = dict(
    JIT,
    cache=False,
    no_cpython_wrapper=True,
    no_cfunc_wrapper=True,
    pipeline_class=_HelperCompiler,
    nopython=True,
    forceinline=False,
    _nrt=False,
)


def _holds_an_array(numba_type):
    # Whether a value of this type carries a reference (an array, or a tuple
    # holding one): what _OncePerTypes checks of a helper's return type.
    if isinstance(numba_type, types.Array):
        return True
    return isinstance(numba_type, types.BaseTuple) and any(
        _holds_an_array(t) for t in numba_type.types)


class _OncePerTypes:
    # Numba compiles an overload once per argument types *and caller's
    # flags*, as a caller may pass some of them on (``forceinline``,
    # ``fastmath``, ``error_model``, ``nrt``). A helper sets them all itself
    # (HELPER, JIT), so its code is the same for a kernel as for a helper
    # or a forceinline helper: one compilation per argument types serves
    # them all. (Numba's key compiled tanh twice in an LSTM fit, tanh and
    # sigmoid twice in a GRU's, and min and max up to three times.)
    #
    # A returned array carries a reference its caller must drop, which only
    # reference-counted code on both sides gets right: a helper without
    # ``_nrt`` returning its argument would make its caller free that array
    # early, one returning an array to a caller without ``_nrt`` would leak it.
    # Numba checks neither, so typing a call refuses both.

    def _get_impl(self, args, kws):
        key = self.context, tuple(args), tuple(kws.items())
        if key not in self._impl_cache:
            self._build_impl(key, args, kws)
        return self._impl_cache[key]

    def generic(self, args, kws):
        sig = super().generic(args, kws)
        if sig is not None and _holds_an_array(sig.return_type):
            name = self.key.__name__
            if not self._jit_options["_nrt"]:
                raise errors.TypingError(
                    f"{name} returns an array: declare it @helper(returns_arrays=True)")
            if not ConfigStack().top().nrt:
                raise errors.TypingError(
                    f"{name} returns an array to a caller without reference counting")
        return sig


def _compile_calls(function, typing, **options):
    # Calls of ``function`` in compiled code compile what ``typing`` returns
    # for their argument types; Numba matches that against this signature.
    # What ``numba.extending.overload`` does, with a template that keys its
    # compilations by argument types only.
    typing.__signature__ = inspect.signature(function)
    numba_template = make_overload_template(
        function, typing, dict(HELPER, **options), strict=True, inline="never"
    )
    template = type(numba_template.__name__, (_OncePerTypes, numba_template), {})
    infer(template)
    infer_global(function, types.Function(template))
    return function


def helper(function=None, *, forceinline=False, returns_arrays=False):
    """Decorate a function that kernels call: compiled into them, plain Python
    outside them.

    Calls from compiled code compile ``function`` itself, once per argument
    types and process, into LLVM code that the calling kernels optimise and
    emit (see the module's docstring); a call from Python runs its Python
    body, slowly but correctly. (A Numba dispatcher compiled without its
    Python wrapper would crash the interpreter when Python called it.)
    ``@helper(forceinline=True)``: LLVM inlines it into every caller, even
    where it judges the body too large to. A helper counts no references to
    arrays (see ``HELPER``) unless declared ``returns_arrays=True``, which
    one that returns an array (or a tuple holding one) must be, and which
    only a kernel or another such helper may call.

    A helper promises LLVM that **no two of its array arguments share
    memory** (Numba's ``noalias``, see ``_DistinctHelperCompiler``): its
    callers pass distinct arrays, an array it does not use included (pass
    an empty one). Code breaking the promise would compute wrong values,
    so tests/test_integration.py runs fits of every kind with
    ``SKRNN_CHECK_DISTINCT=1``, which makes each helper call check it (see
    :func:`_checked`). Only helpers that return no array make it: one that
    returns its argument would break the ``noalias`` promise to LLVM.
    """
    if function is None:
        return lambda function: helper(function, forceinline=forceinline,
                                       returns_arrays=returns_arrays)
    options = dict(forceinline=forceinline, _nrt=returns_arrays)
    if returns_arrays:
        return _compile_calls(function, lambda *args: function, **options)
    options["pipeline_class"] = _DistinctHelperCompiler
    typing = _checked(function, options) if _CHECK_DISTINCT else lambda *args: function
    return _compile_calls(function, typing, **options)


#: Whether helper calls check that their arrays are distinct (for tests:
#: only with an empty cache, as the kernels compiled so differ).
_CHECK_DISTINCT = os.environ.get("SKRNN_CHECK_DISTINCT") == "1"


def _checked(function, options):
    # What calls of helper ``function`` compile with SKRNN_CHECK_DISTINCT=1:
    # a function that raises if two of its arguments are arrays sharing
    # memory, then calls ``function`` compiled as a helper.
    names = list(inspect.signature(function).parameters)
    checks = "".join(
        f"    if _share_memory({a}, {b}):\n"
        f"        raise ValueError('{function.__name__}: {a} and {b} share memory')\n"
        for a, b in itertools.combinations(names, 2))
    arguments = ", ".join(names)
    namespace = {"_share_memory": _share_memory,
                 "compiled": jit(**dict(HELPER, **options))(function)}
    exec(f"def checked({arguments}):\n{checks}    return compiled({arguments})\n", namespace)
    return lambda *args: namespace["checked"]


@intrinsic
def _address(typingctx, a):
    # The address of an array's first value, an integer.
    def codegen(context, builder, sig, args):
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        return builder.ptrtoint(data, cgutils.intp_t)

    return types.intp(a), codegen


@njit(**INLINE)
def _extent(a):
    # The first and one past the last byte an array's values occupy.
    lo = hi = _address(a)
    for d in range(a.ndim):
        reach = (a.shape[d] - 1) * a.strides[d]
        if reach < 0:
            lo += reach
        else:
            hi += reach
    return lo, hi + a.itemsize


def _share_memory(a, b):
    # Whether a and b are non-empty arrays whose memory meets: the bytes
    # each spans overlap (what _checked's functions compile; NumPy's
    # may_share_memory in Python).
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return False
    return a.size > 0 and b.size > 0 and np.may_share_memory(a, b)


def _share_memory_typing(a, b):
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)):
        return lambda a, b: False

    def arrays(a, b):
        if a.size == 0 or b.size == 0:
            return False
        a_lo, a_hi = _extent(a)
        b_lo, b_hi = _extent(b)
        return a_lo < b_hi and b_lo < a_hi

    return arrays


_compile_calls(_share_memory, _share_memory_typing)


def by_type(attribute, *, returns_arrays=False):
    """Decorate a generic function ``f(obj, ...)`` whose Python body calls
    ``type(obj).<attribute>(obj, ...)``: in compiled code the call compiles
    to that implementation directly, chosen by the NamedTuple type of
    ``obj`` at compile time, so that no other implementation (and no
    wrapper) is compiled into the caller. The implementations are helpers:
    ``returns_arrays`` as for :func:`helper`."""

    def register(generic):
        return _compile_calls(
            generic, lambda obj, *args: getattr(obj.instance_class, attribute),
            _nrt=returns_arrays,
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
