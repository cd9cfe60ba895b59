"""Names and sizes of the arrays inside the flat parameter and workspace vectors.

Kernels receive two flat vectors, ``params`` (all weights) and ``ws`` (all
scratch), and tables of offsets into them: ``p_off`` (one row per layer,
the head last), ``w_off`` (one row per layer) and ``s_off`` (rows shared by
the layers). A layer kind declares its arrays once, with :func:`named`;
the result is a namedtuple of column numbers that its
kernels index the tables with (``w_off[k, ROWS.gates]``), and its class
keeps the specs from which ``skrnn._network`` sizes and fills them.
"""

from collections import namedtuple

from numba import config, types
from numba.core import cgutils
from numba.extending import intrinsic

# How many timesteps of a (batch, width) slab a workspace row holds (but
# see TRANSPOSED):
OUTPUTS = "outputs"  # a layer's hidden states: T + 1, or 2 for predict's top layer
KEPT = "kept"  # states that later steps read: T + 1 in training, 2 in predict
STEPS = "steps"  # per-step values: T in training, 1 in predict
GRAD = "grad"  # per-step gradients: T in training, none in predict
CARRY = "carry"  # one step of gradient carried back in time: training only
STEP = "step"  # one step's values, rewritten at every step: training and predict
#: Not timesteps: H rows (the layer's hidden size) in training, none in
#: predict; room for a recurrent weight matrix, transposed.
TRANSPOSED = "transposed"

#: Not timesteps: H rows in training and in predict (room for a layer's
#: weights transposed, with a width ``(m, STACKED)``).
WEIGHTS_T = "weights_t"

#: The width of a row holding a step's input beside the previous state
#: (n_in + H columns), the operand of a product with stacked weights; a
#: width ``(m, STACKED)`` is m times that (the stacked weights transposed,
#: ``m * H`` rows of n_in + H, over a length of H).
STACKED = "stacked"

#: As ``STACKED``, one value more (n_in + H + 1 columns): a step's input
#: and previous state over a row of ones, whose product with the weights
#: stacked over their bias ``[W_ih; W_hh; b]`` (adjacent in ``params``)
#: adds the bias, and whose weight-gradient product gives its gradient.
BIASED = "biased"


def columns(*names):
    """A namedtuple whose field ``name`` holds its position."""
    return namedtuple("Columns", names)(*range(len(names)))


def named(**specs):
    """Declare a layer's arrays: a namedtuple of their column numbers, for the
    kernels, whose type keeps the specs in order (``type(t).specs``), for
    ``skrnn._network``.

    Workspace rows are ``name=(length, width)``: a length above, a width in
    multiples of the layer's hidden size (or ``STACKED``: n_in + H,
    ``BIASED``: n_in + H + 1, or ``(m, STACKED)``: m * (n_in + H), ``(m,
    BIASED)`` likewise). Weight
    arrays are ``name=(rows, width, init)``: ``rows`` is ``"inputs"`` or
    ``"hidden"`` for a matrix (n_in or H rows, penalised by ``alpha``) or
    ``None`` for a bias vector (not penalised), ``width`` in multiples of
    the layer's size, ``init`` the name of an initialisation scheme of
    ``skrnn._network``.
    """
    table = columns(*specs)
    type(table).specs = tuple(specs.values())
    return table


def _view_signature(a, off, dims):
    # The C-contiguous view that the intrinsics below build, with its
    # code: the ``len(dims)``-dimensional array of ``a``'s values from
    # ``off`` on, sharing ``a``'s memory but holding no reference to it.
    # Kernels view only their own arguments (``params``, ``grad``, ``ws``),
    # which their callers keep alive for the call, and return no view
    # (tests/test_layout.py). A counted view made every slice of it in the
    # step loops (a row of the gates, a gate of a row) add and drop a
    # reference with an atomic instruction: two instructions took a third
    # of a 32/200/1/16 float32 LSTM fit's samples under ``perf`` on the Zen
    # 5. Only of a C-contiguous array: of any other, the view would read
    # the wrong values, so Numba refuses the call when it types it.
    if not isinstance(a, types.Array) or a.layout != "C" or not all(
            isinstance(x, types.Integer) for x in (off, *dims)):
        return None
    view = types.Array(a.dtype, len(dims), "C")

    def codegen(context, builder, sig, args):
        src = context.make_array(sig.args[0])(context, builder, args[0])
        start, *shape = [context.cast(builder, v, t, types.intp)
                         for v, t in zip(args[1:], sig.args[1:])]
        itemsize = context.get_constant(
            types.intp, context.get_abi_sizeof(context.get_data_type(a.dtype)))
        strides = [itemsize]
        for d in reversed(shape[1:]):
            strides.insert(0, builder.mul(strides[0], d))
        out = context.make_array(view)(context, builder)
        context.populate_array(out, data=builder.gep(src.data, [start]), shape=shape,
                               strides=strides, itemsize=itemsize, meminfo=None)
        return out._getvalue()

    return view(a, off, *dims), codegen


# The views kernels take of ``params``, ``grad`` and ``ws``, and of
# C-contiguous arrays flattened or regrouped (steps by rows as one matrix):
# built in place, where slicing and ``reshape`` compiled a size check and its
# error at each of their about 50 calls (1 s of an LSTM's cold fit), and
# ``reshape`` a library of its own. They read ``a``'s values in memory order
# (``a.ravel()``) whatever its dimensions, and do not check bounds: the
# offsets come from ``skrnn._network``, which sizes the vectors from the
# same specs, or from the viewed array's own shape.
@intrinsic
def vector(typingctx, a, off, n):
    """``a.ravel()[off : off + n]``."""
    return _view_signature(a, off, (n,))


@intrinsic
def view2(typingctx, a, off, d0, d1):
    """``a.ravel()[off : off + d0 * d1].reshape((d0, d1))``."""
    return _view_signature(a, off, (d0, d1))


@intrinsic
def view3(typingctx, a, off, d0, d1, d2):
    """``a.ravel()[off : off + d0 * d1 * d2].reshape((d0, d1, d2))``."""
    return _view_signature(a, off, (d0, d1, d2))


@intrinsic
def rows(typingctx, a, start):
    """``a[start:]``, ``0 <= start <= len(a)``: the slice, without the code
    that clamps its bounds (some 140 LLVM instructions a slice)."""
    if not isinstance(a, types.Array) or a.layout != "C" or not isinstance(
            start, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        src = context.make_array(sig.args[0])(context, builder, args[0])
        first = context.cast(builder, args[1], sig.args[1], types.intp)
        shape = cgutils.unpack_tuple(builder, src.shape)
        offset = builder.mul(first, cgutils.unpack_tuple(builder, src.strides)[0])
        data = builder.bitcast(
            builder.gep(builder.bitcast(src.data, cgutils.voidptr_t), [offset]), src.data.type)
        out = context.make_array(sig.return_type)(context, builder)
        context.populate_array(out, data=data, shape=[builder.sub(shape[0], first), *shape[1:]],
                               strides=src.strides, itemsize=src.itemsize, meminfo=None)
        return out._getvalue()

    return a(a, start), codegen


@intrinsic
def columns_from(typingctx, a, start):
    """``a[:, start:]`` of a C-contiguous matrix, ``0 <= start <= a.shape[1]``:
    the columns of the sequences a feature-major step computes (its first
    ``start`` are padding; see ``lstm``), without a slice's bound clamping.
    Its rows lie ``a.shape[1]`` values apart: layout "A", as ``blas.gemm``
    reads every operand."""
    if not isinstance(a, types.Array) or a.layout != "C" or a.ndim != 2 or not isinstance(
            start, types.Integer):
        return None
    view = a.copy(layout="A")

    def codegen(context, builder, sig, args):
        src = context.make_array(sig.args[0])(context, builder, args[0])
        first = context.cast(builder, args[1], sig.args[1], types.intp)
        n_rows, n_cols = cgutils.unpack_tuple(builder, src.shape)
        data = builder.gep(src.data, [first])
        out = context.make_array(view)(context, builder)
        context.populate_array(out, data=data, shape=[n_rows, builder.sub(n_cols, first)],
                               strides=src.strides, itemsize=src.itemsize, meminfo=None)
        return out._getvalue()

    return view(a, start), codegen


@intrinsic
def zero(typingctx, a):
    """``a[...] = 0`` of a C-contiguous float array, as one ``memset``: the
    assignment ``a[:] = 0.0`` compiled a loop nest per array it filled."""
    if not isinstance(a, types.Array) or a.layout != "C" or not isinstance(
            a.dtype, types.Float):
        return None

    def codegen(context, builder, sig, args):
        array = context.make_array(sig.args[0])(context, builder, args[0])
        cgutils.memset(builder, array.data, builder.mul(array.nitems, array.itemsize), 0)
        return context.get_dummy_value()

    return types.none(a), codegen


if config.DISABLE_JIT:  # Python bodies, as slices of ``a``

    def rows(a, start):
        return a[start:]

    def zero(a):
        a[...] = 0

    def columns_from(a, start):
        return a[:, start:]

    def vector(a, off, n):
        return a.reshape(-1)[off : off + n]

    def view2(a, off, d0, d1):
        return a.reshape(-1)[off : off + d0 * d1].reshape((d0, d1))

    def view3(a, off, d0, d1, d2):
        return a.reshape(-1)[off : off + d0 * d1 * d2].reshape((d0, d1, d2))


#: Rows of ``s_off``, shared by all layers, sized by ``skrnn._network``: the
#: gathered minibatch (inputs, targets, weights), the head's output and its
#: gradient, the gradient at the top layer's last output, two buffers of
#: gradients between recurrent layers and the recurrent step's scratch
#: (``step_scratch`` times H wide, as the layer kind declares: 0 where a
#: step needs none).
SHARED = columns("xb", "yb", "swb", "pred", "dpred", "dtop", "dh_a", "dh_b", "rec")
