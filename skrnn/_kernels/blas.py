"""Matrix products that ``np.dot`` cannot express: ``C = A @ B + beta * C``;
and a vector's :func:`dot` without the library ``np.dot`` compiles.

``np.dot(A, B, out)`` in compiled code overwrites ``out`` and copies any
operand whose rows are not contiguous. :func:`gemm` calls the same BLAS
(Numba's C helper ``numba_xxgemm``, over SciPy's OpenBLAS: the function
``np.dot`` itself calls, resolved by name, so that cached kernels stay
valid in a new process) with its two other abilities: it accumulates into
C (``beta = 1``), and it reads operands whose rows, or columns, lie apart
in memory (a leading dimension), such as the transpose of a slice of a
time-major array. The kernels use it to add each block of steps' weight
gradients while its operands are still in cache (see
``recurrent.add_weight_grads``), and for every other matrix product:
``np.dot``'s compiled implementation was one more function compiled into
a cold fit per layout of the operands. As ``np.dot``, gemm computes a
product with one row or one column whose vector is contiguous (a step of
one sequence, a head with one output) as a matrix-vector product (gemv):
the matrix routine copies the whole matrix into packed blocks at each
call.
"""

import numpy as np
from llvmlite import ir
from numba import config, types
from numba.core import cgutils
from numba.extending import intrinsic

from .config import _compile_calls, helper
from .scalar import larger, smaller

# The BLAS's transpose flags as character codes: ord() in compiled code
# would compile Numba's string functions (0.3 s of a cold fit).
_N, _T = ord("n"), ord("t")


def _call_blas(context, builder, name, argument_types, arguments):
    # A call of Numba's C helper ``name`` (numba_xxgemm, numba_xxdot), which
    # returns nonzero only if SciPy's BLAS cannot be found: as np.dot's
    # compiled code does, a fatal error then (importing skrnn, of which SciPy
    # is a dependency, rules it out).
    fnty = ir.FunctionType(ir.IntType(32), argument_types)
    fn = cgutils.get_or_insert_function(builder.module, fnty, name)
    res = builder.call(fn, arguments)
    with builder.if_then(cgutils.is_not_null(builder, res), likely=False):
        pyapi = context.get_python_api(builder)
        pyapi.gil_ensure()
        pyapi.fatal_error(f"skrnn: {name} returned an error")


def _blas_kind(dtype):
    # The BLAS's letter for the dtype: s(gemm) or d(gemm).
    return ir.IntType(8)(ord("s") if dtype == types.float32 else ord("d"))


def _data(context, builder, array_type, value):
    # An array's data pointer, as the C helpers take it.
    array = context.make_array(array_type)(context, builder, value)
    return builder.bitcast(array.data, cgutils.voidptr_t)


def _blas_codegen(name, dtype, arguments):
    # The codegen of a call of Numba's C helper ``name`` with the BLAS kind
    # of ``dtype`` first, then one argument per letter of ``arguments``:
    # "c" an integer as a character (a transpose flag), "i" an integer, "a"
    # an array's data, "s" a scalar by address (beta), "1" the scalar 1 by
    # address (alpha, taking no argument of the intrinsic), the scalars of
    # the dtype as the Fortran BLAS takes them.
    def codegen(context, builder, sig, args):
        char, intp = ir.IntType(8), context.get_value_type(types.intp)
        kinds, values = [char], [_blas_kind(dtype)]
        given = iter(zip(sig.args, args))
        for letter in arguments:
            if letter == "1":
                slot = cgutils.alloca_once_value(builder, context.get_constant(dtype, 1.0))
                kinds.append(cgutils.voidptr_t)
                values.append(builder.bitcast(slot, cgutils.voidptr_t))
                continue
            ty, value = next(given)
            if letter in "ci":
                value = context.cast(builder, value, ty, types.intp)
                kinds.append(char if letter == "c" else intp)
                values.append(builder.trunc(value, char) if letter == "c" else value)
            elif letter == "a":
                kinds.append(cgutils.voidptr_t)
                values.append(_data(context, builder, ty, value))
            else:
                slot = cgutils.alloca_once_value(builder, context.cast(builder, value, ty, dtype))
                kinds.append(cgutils.voidptr_t)
                values.append(builder.bitcast(slot, cgutils.voidptr_t))
        _call_blas(context, builder, name, kinds, values)
        return context.get_dummy_value()

    return codegen


def _float_arrays(*arrays):
    # The dtype the BLAS call computes in: the arrays', if all are arrays
    # of one float dtype, else None (no such call).
    if not all(isinstance(x, types.Array) for x in arrays):
        return None
    dtype = arrays[-1].dtype
    if dtype not in (types.float32, types.float64) or any(x.dtype != dtype for x in arrays):
        return None
    return dtype


@intrinsic
def _xxgemm(typingctx, transa, transb, m, n, k, a, lda, b, ldb, beta, c, ldc):
    # Column-major C (m, n) = op(a) op(b) + beta * C through numba_xxgemm,
    # with np.dot's signature: the BLAS kind from the dtype, alpha 1, the
    # scalars passed by address as the Fortran BLAS takes them.
    dtype = _float_arrays(a, b, c)
    if dtype is None:
        return None
    return (types.none(transa, transb, m, n, k, a, lda, b, ldb, beta, c, ldc),
            _blas_codegen("numba_xxgemm", dtype, "cciii1aiaisai"))


@intrinsic
def _xxgemv(typingctx, trans, m, n, a, lda, x, beta, y):
    # Column-major y = op(a) x + beta * y through numba_xxgemv (np.dot's
    # matrix-vector call): a (m, n) with leading dimension lda, x and y
    # contiguous, alpha 1.
    dtype = _float_arrays(a, x, y)
    if dtype is None:
        return None
    return (types.none(trans, m, n, a, lda, x, beta, y),
            _blas_codegen("numba_xxgemv", dtype, "cii1aiasa"))


@intrinsic
def dot(typingctx, a, b):
    """``np.dot(a, b)`` of two C-contiguous vectors of one float dtype and
    of one length: a call of the BLAS function that np.dot's compiled code
    calls (numba_xxdot), so the same value to the last bit, without the
    checks np.dot compiles into a library of its own (0.2 s of a cold fit)."""
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)
            and a.ndim == b.ndim == 1 and a.layout == b.layout == "C"
            and a.dtype == b.dtype and a.dtype in (types.float32, types.float64)):
        return None

    def codegen(context, builder, sig, args):
        void_p = cgutils.voidptr_t
        char = ir.IntType(8)
        n = cgutils.unpack_tuple(
            builder, context.make_array(sig.args[0])(context, builder, args[0]).shape)[0]
        out = cgutils.alloca_once(builder, context.get_value_type(a.dtype))
        _call_blas(context, builder, "numba_xxdot",
                   [char, char, context.get_value_type(types.intp), void_p, void_p, void_p],
                   [_blas_kind(a.dtype), char(0), n,
                    _data(context, builder, sig.args[0], args[0]),
                    _data(context, builder, sig.args[1], args[1]),
                    builder.bitcast(out, void_p)])
        return builder.load(out)

    return a.dtype(a, b), codegen


if config.DISABLE_JIT:  # an intrinsic has no Python body

    def dot(a, b):
        return np.dot(a, b)


def gemm(A, B, C, beta):
    """C = A @ B + beta * C in place; with ``beta = 0``, C is only written.

    A (m, k), B (k, n) and C (m, n) are 2-D arrays of one float dtype. A and
    B may have either their rows or their columns contiguous, each at any
    distance from the next (a transposed view, a slice of columns); C must
    have its rows contiguous. Compiled code calls the BLAS directly (see the
    module's docstring); this Python body serves Python callers and
    ``NUMBA_DISABLE_JIT=1``.
    """
    if beta == 0:
        C[...] = A @ B
    else:
        C[...] = A @ B + beta * C


@helper
def _operand(rows, cols, row_stride, col_stride, itemsize):
    # How the column-major BLAS reads a row-major view (rows, cols) with
    # these strides in bytes: "n" for rows contiguous (it sees the view
    # transposed, its leading dimension the row stride), "t" for columns
    # contiguous, 0 for neither; the leading dimension at least the BLAS's
    # minimum where a dimension of one leaves the stride arbitrary.
    if cols == 1 or col_stride == itemsize:
        return _N, larger(larger(row_stride // itemsize, cols), 1)
    if rows == 1 or row_stride == itemsize:
        return _T, larger(larger(col_stride // itemsize, rows), 1)
    return 0, 0


@helper
def _plan(m, k, n, b_rows, c_rows, c_cols, a_strides, b_strides, c_strides, itemsize):
    # gemm's checks, and the BLAS's transpose flags and leading dimensions
    # (ta, lda, tb, ldb, ldc; ta = 0 when m, n or k is 0: nothing to
    # multiply). Integers only, so that it compiles once whatever the
    # layouts of the operands: compiled per layout, gemm cost 0.3 s of a
    # cold fit for each.
    if b_rows != k or c_rows != m or c_cols != n:
        raise ValueError("gemm: the shapes of A, B and C do not match")
    if m == 0 or n == 0 or k == 0:
        return 0, 0, 0, 0, 0
    ta, lda = _operand(m, k, a_strides[0], a_strides[1], itemsize)
    tb, ldb = _operand(k, n, b_strides[0], b_strides[1], itemsize)
    if ta == 0 or tb == 0 or not (n == 1 or c_strides[1] == itemsize):
        raise ValueError("gemm: an operand has its rows and its columns apart in memory "
                         "(C must have its rows contiguous)")
    return ta, lda, tb, ldb, larger(larger(c_strides[0] // itemsize, n), 1)


@helper
def _scale(C, beta):
    # C = beta * C (0 for beta = 0): a product over k = 0, which the BLAS
    # would not compute.
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[i, j] = beta * C[i, j] if beta != 0 else 0.0


def _compiled_gemm(A, B, C, beta):
    # Compiled for operands of layout "A" (see _any_layout): only what needs
    # the arrays themselves (their shapes, strides and data), the rest in _plan.
    m, k = A.shape
    n = B.shape[1]
    ta, lda, tb, ldb, ldc = _plan(m, k, n, B.shape[0], C.shape[0], C.shape[1], A.strides,
                                  B.strides, C.strides, C.itemsize)
    if ta != 0 and m == 1 and (k == 1 or A.strides[1] == A.itemsize):
        # One row (a step of one sequence): C^T = B^T a, a matrix-vector
        # product. The matrix routine copies all of B into packed blocks at
        # every call: 42% of a one-sequence predict of the 256/100/8/128
        # float32 LSTM (OpenBLAS's Haswell kernels).
        if tb == _N:
            _xxgemv(_N, n, k, B, ldb, A, beta, C)
        else:
            _xxgemv(_T, k, n, B, ldb, A, beta, C)
    elif ta != 0 and n == 1 and (k == 1 or B.strides[0] == B.itemsize) and (
            m == 1 or C.strides[0] == C.itemsize):
        # One column (a head with one output): c = A b likewise.
        if ta == _N:
            _xxgemv(_T, k, m, A, lda, B, beta, C)
        else:
            _xxgemv(_N, m, k, A, lda, B, beta, C)
    elif ta != 0:
        # Row-major C = A @ B is column-major C^T = B^T A^T.
        _xxgemm(tb, ta, n, m, k, B, ldb, A, lda, beta, C, ldc)
    elif k == 0:
        _scale(C, beta)


@intrinsic
def _any_layout(typingctx, a):
    # A view of ``a`` typed with layout "A" (strides of any kind). The BLAS
    # call reads only shapes, strides and data, so a function compiled once
    # for "A" serves operands of every layout: compiled for each layout
    # (C, F, a slice of rows of F), gemm and gemm_direct were six
    # functions in a cold LSTM fit instead of two. The view holds no
    # reference (Numba's reference counts cost the one-sequence predict of
    # an RNN 1.5 us in atomic increments): only for an argument passed on,
    # which its caller keeps alive for the call.
    if not isinstance(a, types.Array):
        return None
    view = a.copy(layout="A")

    def codegen(context, builder, sig, args):
        src = context.make_array(a)(context, builder, args[0])
        out = context.make_array(view)(context, builder)
        context.populate_array(out, data=src.data, shape=src.shape, strides=src.strides,
                               itemsize=src.itemsize, meminfo=None)
        return out._getvalue()

    return view(a), codegen


def _gemm_any_layout(A, B, C, beta):
    # What calls with other layouts compile: a call of the one compiled for "A".
    gemm(_any_layout(A), _any_layout(B), _any_layout(C), beta)


def _typed_any_layout(*arrays):
    return all(a.layout == "A" for a in arrays)


_compile_calls(
    gemm,
    lambda A, B, C, beta: _compiled_gemm if _typed_any_layout(A, B, C) else _gemm_any_layout,
)


#: Blocks of rows of :func:`gemm_direct` are a multiple of this many rows,
#: and at least twice it: OpenBLAS's direct kernels for AVX-512 ran at 112
#: to 116 GFLOP/s on float32 products of 8, 12 or 16 rows by (136, 512) or
#: (136, 128) matrices, 94 to 105 on 9 to 14 rows that are not a multiple
#: of 4 (float64: 56 to 58 against 47 to 52), at one thread on the Zen 4.
_ROW_UNIT = 4


@helper
def direct_rows(k, n, direct):
    """The most rows, a multiple of ``_ROW_UNIT``, of a product (rows, k) @
    (k, n) of at most ``direct`` multiply-adds (the largest the BLAS
    computes directly: see ``skrnn._threads.direct_product_size``); 0 if
    that is fewer than ``2 * _ROW_UNIT``, too few to be worth a block."""
    rows = direct // larger(k * n, 1) // _ROW_UNIT * _ROW_UNIT
    return rows if rows >= 2 * _ROW_UNIT else 0


def gemm_direct(A, B, C, beta, direct):
    """:func:`gemm`, in blocks of rows of A and C that the BLAS computes
    directly when the whole product is larger than ``direct`` multiply-adds
    (see :func:`direct_rows`; whole otherwise). Blocks of equal size, within
    a unit of rows. At one thread on the Zen 4, a 128-row float32 product
    by a (136, 128) matrix (a half minibatch of the 256/100/8/128 RNN) took
    48.1 us whole, 38.9 in blocks of 44, 44 and 40 rows; by (136, 512) (the
    LSTM's) 187.8 against 154.4 us in blocks of 12 and 8; float64, 93.3
    against 78.1 and 356.6 against 332.1 us."""
    m, k, n = A.shape[0], A.shape[1], B.shape[1]
    most = direct_rows(k, n, direct)
    if m * k * n <= direct or most == 0:
        gemm(A, B, C, beta)
        return
    units = -(-m // _ROW_UNIT)
    blocks = -(-units // (most // _ROW_UNIT))
    start = 0
    for i in range(blocks):
        stop = smaller(m, start + _ROW_UNIT * (units // blocks + (1 if i < units % blocks else 0)))
        gemm(A[start:stop], B, C[start:stop], beta)
        start = stop


def _gemm_direct_any_layout(A, B, C, beta, direct):
    # As _gemm_any_layout: A is C-contiguous (a step's input) or a transposed
    # view (the weight gradients'); B and C are always C-contiguous.
    gemm_direct(_any_layout(A), B, C, beta, direct)


# Compiled code runs gemm_direct's body typed for an A of layout "A"; Python
# callers run it as it is.
_compile_calls(
    gemm_direct,
    lambda A, B, C, beta, direct: (
        gemm_direct if _typed_any_layout(A) else _gemm_direct_any_layout
    ),
)
