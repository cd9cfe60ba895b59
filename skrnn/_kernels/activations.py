"""Elementwise activations and their derivatives, selected by an integer code.

``math.tanh`` and ``math.exp`` are library calls that LLVM cannot vectorise
(about 13 ns an element here). :func:`sigmoid` and :func:`tanh` below are
arithmetic only, so that loops over them vectorise: range reduction to
``|r| <= ln2 / 2``, a polynomial for ``expm1(r)`` (Taylor's of degree 13 in
float64, a minimax one of degree 6 in float32) and the power of two
``2**-k`` built from its bits. Each dtype computes in its own precision,
float32 at twice the vector width.
The float32 tanh is a rational function instead, a third faster (an LSTM
step computes 64 to 128 tanh values a row). They are accurate to a few ulp
(at most 5 for the float32 tanh, 2 to 4 otherwise) and saturate exactly
(tanh to +-1, sigmoid to 0 and 1) with no overflow for any input.

An integer code (not a Python callable) keeps one compiled specialisation per
kernel and dtype, whatever activation the estimator uses.
"""

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .config import INLINE, _compile_calls, helper
from .layout import vector
from .scalar import larger, smaller

# NumPy integers, not Python ints: Numba types a global int as a literal and
# compiles a kernel once per code a caller passes it as a constant (the LSTM
# cell's gates compiled three activation loops); an np.int64 is typed int64,
# so one compiled loop serves every activation.
IDENTITY, LOGISTIC, TANH, RELU = (np.int64(code) for code in range(4))

ACTIVATION_CODES = {"identity": IDENTITY, "logistic": LOGISTIC, "tanh": TANH, "relu": RELU}



@intrinsic
def _float_from_bits(typingctx, bits):
    # Reinterpret the bits of an int64 (int32) as a float64 (float32): the
    # exact power of two 2**e is the float whose exponent field is e + bias.
    if bits == types.int64:
        return types.float64(bits), lambda ctx, builder, sig, args: builder.bitcast(
            args[0], ir.DoubleType()
        )
    if bits == types.int32:
        return types.float32(bits), lambda ctx, builder, sig, args: builder.bitcast(
            args[0], ir.FloatType()
        )
    return None


def _expm1_coefficients(degree, dtype):
    return tuple(dtype(1.0 / math.factorial(n)) for n in range(degree, 1, -1))


_F64 = dict(  # ln 2 in two parts (Cody and Waite) so that k * ln2_hi is exact
    ln2_hi=6.93147180369123816490e-01, ln2_lo=1.90821492927058770002e-10,
    inv_ln2=1.44269504088896338700e00, top=708.3964, coef=_expm1_coefficients(13, float),
    one=1.0, half=0.5, two=2.0, exp_range=(-710.0, 709.0),
)
_F32 = dict(
    ln2_hi=np.float32(0.693359375), ln2_lo=np.float32(-2.12194440e-4),
    inv_ln2=np.float32(1.44269504088896341), top=np.float32(87.3365),
    # The relative-error minimax polynomial of degree 6 instead of Taylor's
    # of degree 7: as accurate (1.6e-8 against 1.3e-8), one operation less.
    coef=tuple(np.float32(c) for c in (
        0.0013946487, 0.008366612, 0.04166628, 0.16666543, 0.5
    )),
    one=np.float32(1.0), half=np.float32(0.5), two=np.float32(2.0),
    exp_range=(np.float32(-89.0), np.float32(88.0)),
)


@njit(**INLINE)
def _horner(coef, x):
    # A polynomial with constant coefficients (highest degree first), for
    # expm1 and the float32 tanh; LLVM unrolls the loop over the tuple.
    y = coef[0]
    for cn in coef[1:]:
        y = y * x + cn
    return y


def _exp_neg_parts_impl(c, int_type, bias, mantissa_bits):
    ln2_hi, ln2_lo, inv_ln2, coef = c["ln2_hi"], c["ln2_lo"], c["inv_ln2"], c["coef"]
    one, half = c["one"], c["half"]
    bias, shift = int_type(bias), int_type(mantissa_bits)

    def parts(a):
        # exp(-a) = s * (1 + p) with s = 2**-k and p = expm1(r), |r| <= ln2
        # / 2, so that both exp and expm1 are accurate. The caller bounds a:
        # s is a normal float for -top <= a <= top, exactly 0 (+inf) when k
        # is one more (less), and undefined further out.
        k = np.floor(a * inv_ln2 + half)
        r = (k * ln2_hi - a) + k * ln2_lo
        p = r * (one + r * _horner(coef, r))
        # numba widens int32 arithmetic to int64: cast back before the bitcast.
        s = _float_from_bits(int_type(int_type(bias - int_type(k)) << shift))
        return s, p

    return parts


_exp_neg_parts64 = njit(**INLINE)(_exp_neg_parts_impl(_F64, np.int64, 1023, 52))
_exp_neg_parts32 = njit(**INLINE)(_exp_neg_parts_impl(_F32, np.int32, 127, 23))


def _constants(x):
    if x == types.float32:
        return _F32, _exp_neg_parts32
    return _F64, _exp_neg_parts64


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)).

    This Python body runs only with NUMBA_DISABLE_JIT=1; compiled code uses
    the vectorisable implementation registered below.
    """
    return 0.5 * (1.0 + math.tanh(0.5 * x))


def tanh(x):
    """Hyperbolic tangent (Python body for NUMBA_DISABLE_JIT=1, as :func:`sigmoid`)."""
    return math.tanh(x)


# Compiled once per dtype and inlined by LLVM; inlining them in Numba's IR
# (inline="always") typed them again at every call site: 0.7 s of an LSTM's
# cold compile, for the same machine code.
def _sigmoid(x):
    c, parts = _constants(x)
    one = c["one"]
    lowest, highest = c["exp_range"]  # 2**-k exactly +inf and 0 there

    def impl(x):
        # 1 / (1 + exp(-x)) for every x, exp(-x) saturating to exactly 0 and
        # +inf (a NaN stays NaN), so that sigmoid is exactly 1 and 0 there:
        # without |x| and the two selects it needs, 10% faster (float32).
        s, p = parts(larger(smaller(x, highest), lowest))
        return one / (one + s * (one + p))  # not s + s * p: inf - inf

    return impl


# tanh(x) = x * P(x**2) / Q(x**2) in float32, P of degree 6 and Q of degree 3
# with P(0) = Q(0) = 1: the relative-error minimax fit (Loeb's linearised
# least squares with Lawson's weights) of tanh(x) / x for 0 <= x <= 9.02,
# where tanh rounds to 1 in float32. 14 operations instead of 25, a third
# faster, within 5 ulp of the correctly rounded tanh (checked at every
# float32; 5.4 ulp of the exact value).
_TANH32_P = tuple(np.float32(c) for c in (
    -8.508362e-14, 5.2889883e-11, -2.0255468e-08, 1.1163389e-05, 0.0031049296, 0.13084917, 1.0
))
_TANH32_Q = tuple(np.float32(c) for c in (0.0002547498, 0.024499165, 0.46418247, 1.0))
_TANH32_CLAMP = np.float32(9.02)


def _tanh(x):
    if x == types.float32:
        return _tanh32
    c, parts = _constants(x)
    one, two, top = c["one"], c["two"], c["top"]

    def impl(x):
        s, p = parts(smaller(two * abs(x), top))  # 2**-k a normal float
        em = s * p + (s - one)  # expm1(-2|x|) <= 0, accurate for small |x|
        t = abs(em) / (two + em)  # abs, not minus: tanh(+0.0) is +0.0
        return np.copysign(t, x)

    return impl


def _tanh32(x):
    y = larger(smaller(x, _TANH32_CLAMP), -_TANH32_CLAMP)  # a NaN stays NaN
    u = y * y
    return y * _horner(_TANH32_P, u) / _horner(_TANH32_Q, u)


_compile_calls(sigmoid, _sigmoid)
_compile_calls(tanh, _tanh)


@helper
def activate_rows(Z, b, kind):
    """Z = activation(Z + b) in place; Z (B, n), b (n,)."""
    # activate_vector is inlined here, so that LLVM takes the branch on
    # ``kind`` out of the row loop: called once per row, rows of 16 to 32
    # values (an RNN's hidden state) took 1.6 to 2.8 times as long per
    # float32 value as long ones, and an RNN's predict 7% to 22% longer.
    for i in range(Z.shape[0]):
        activate_vector(Z[i], b, kind)


@helper(forceinline=True)
def activate_vector(z, b, kind):
    """z = activation(z + b) in place; z and b (n,), contiguous."""
    # One contiguous vector, indexed from 0, one array written, the branch on
    # ``kind`` outside the loops: what the loops need to vectorise.
    n = z.shape[0]
    if kind == TANH:
        for j in range(n):
            z[j] = tanh(z[j] + b[j])
    elif kind == RELU:
        for j in range(n):
            z[j] = larger(z[j] + b[j], 0.0)
    elif kind == LOGISTIC:
        for j in range(n):
            z[j] = sigmoid(z[j] + b[j])
    else:
        for j in range(n):
            z[j] = z[j] + b[j]


@helper
def multiply_derivative(dA, A, kind):
    """dA *= activation'(.) in place, from the outputs A (every supported
    activation's derivative is a function of its output). Both C-contiguous."""
    d = vector(dA, 0, dA.size)
    a = vector(A, 0, A.size)
    if kind == TANH:
        for j in range(d.shape[0]):
            d[j] *= 1.0 - a[j] * a[j]
    elif kind == RELU:
        for j in range(d.shape[0]):
            d[j] = d[j] if a[j] > 0 else 0.0
    elif kind == LOGISTIC:
        for j in range(d.shape[0]):
            d[j] *= a[j] * (1.0 - a[j])
