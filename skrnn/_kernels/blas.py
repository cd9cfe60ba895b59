"""Matrix products that ``np.dot`` cannot express: ``C = A @ B + beta * C``.

``np.dot(A, B, out)`` in compiled code overwrites ``out`` and copies any
operand whose rows are not contiguous. :func:`gemm` calls the same BLAS
(Numba's C helper ``numba_xxgemm``, over SciPy's OpenBLAS: the function
``np.dot`` itself calls, resolved by name, so that cached kernels stay
valid in a new process) with its two other abilities: it accumulates into
C (``beta = 1``), and it reads operands whose rows, or columns, lie apart
in memory (a leading dimension), such as the transpose of a slice of a
time-major array. The kernels use it to add each block of steps' weight
gradients while its operands are still in cache (see
``recurrent.add_weight_grads``).
"""

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .config import INLINE, _compile_calls

# The BLAS's transpose flags as character codes: ord() in compiled code
# would compile Numba's string functions (0.3 s of a cold fit).
_N, _T = ord("n"), ord("t")


@intrinsic
def _xxgemm(typingctx, transa, transb, m, n, k, a, lda, b, ldb, beta, c, ldc):
    # Column-major C (m, n) = op(a) op(b) + beta * C through numba_xxgemm,
    # with np.dot's signature: the BLAS kind from the dtype, alpha 1, the
    # scalars passed by address as the Fortran BLAS takes them.
    if not all(isinstance(x, types.Array) for x in (a, b, c)):
        return None
    dtype = c.dtype
    if dtype not in (types.float32, types.float64) or a.dtype != dtype or b.dtype != dtype:
        return None

    def codegen(context, builder, sig, args):
        ta, tb, m_, n_, k_, a_, lda_, b_, ldb_, beta_, c_, ldc_ = args
        char = ir.IntType(8)
        intp = context.get_value_type(types.intp)
        void_p = cgutils.voidptr_t
        fnty = ir.FunctionType(ir.IntType(32), [char, char, char, intp, intp, intp, void_p,
                                                void_p, intp, void_p, intp, void_p, void_p,
                                                intp])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "numba_xxgemm")
        alpha_slot = cgutils.alloca_once_value(builder, context.get_constant(dtype, 1.0))
        beta_slot = cgutils.alloca_once_value(
            builder, context.cast(builder, beta_, sig.args[9], dtype))

        def data(ty, value):
            return builder.bitcast(context.make_array(ty)(context, builder, value).data, void_p)

        def integer(value, ty, to):
            return context.cast(builder, value, ty, to)

        kind = char(ord("s") if dtype == types.float32 else ord("d"))
        res = builder.call(fn, [
            kind,
            builder.trunc(integer(ta, sig.args[0], types.intp), char),
            builder.trunc(integer(tb, sig.args[1], types.intp), char),
            integer(m_, sig.args[2], types.intp), integer(n_, sig.args[3], types.intp),
            integer(k_, sig.args[4], types.intp),
            builder.bitcast(alpha_slot, void_p), data(sig.args[5], a_),
            integer(lda_, sig.args[6], types.intp), data(sig.args[7], b_),
            integer(ldb_, sig.args[8], types.intp), builder.bitcast(beta_slot, void_p),
            data(sig.args[10], c_), integer(ldc_, sig.args[11], types.intp),
        ])
        # As np.dot: the helper fails only if SciPy's BLAS cannot be found,
        # which importing skrnn (SciPy is a dependency) rules out.
        with builder.if_then(cgutils.is_not_null(builder, res), likely=False):
            pyapi = context.get_python_api(builder)
            pyapi.gil_ensure()
            pyapi.fatal_error("skrnn gemm: numba_xxgemm returned an error")
        return context.get_dummy_value()

    return types.none(transa, transb, m, n, k, a, lda, b, ldb, beta, c, ldc), codegen


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


@njit(**INLINE)
def _operand(rows, cols, row_stride, col_stride, itemsize):
    # How the column-major BLAS reads a row-major view (rows, cols) with
    # these strides in bytes: "n" for rows contiguous (it sees the view
    # transposed, its leading dimension the row stride), "t" for columns
    # contiguous, 0 for neither; the leading dimension at least the BLAS's
    # minimum where a dimension of one leaves the stride arbitrary.
    # Integers, not the view, and inlined: each compiled function costs
    # a cold fit time.
    if cols == 1 or col_stride == itemsize:
        return _N, max(row_stride // itemsize, cols, 1)
    if rows == 1 or row_stride == itemsize:
        return _T, max(col_stride // itemsize, rows, 1)
    return 0, 0


def _compiled_gemm(A, B, C, beta):
    m, k = A.shape
    n = B.shape[1]
    itemsize = C.itemsize
    ta, lda = _operand(m, k, A.strides[0], A.strides[1], itemsize)
    tb, ldb = _operand(k, n, B.strides[0], B.strides[1], itemsize)
    if B.shape[0] != k or C.shape[0] != m or C.shape[1] != n:
        raise ValueError("gemm: the shapes of A, B and C do not match")
    if m == 0 or n == 0:
        return
    if k == 0:  # the BLAS would not scale C
        for i in range(m):
            for j in range(n):
                C[i, j] = beta * C[i, j] if beta != 0 else 0.0
        return
    if ta == 0 or tb == 0 or not (n == 1 or C.strides[1] == itemsize):
        raise ValueError("gemm: an operand has its rows and its columns apart in memory "
                         "(C must have its rows contiguous)")
    ldc = max(C.strides[0] // itemsize, n, 1)
    # Row-major C = A @ B is column-major C^T = B^T A^T.
    _xxgemm(tb, ta, n, m, k, B, ldb, A, lda, beta, C, ldc)


_compile_calls(gemm, lambda A, B, C, beta: _compiled_gemm)
