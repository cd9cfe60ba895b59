"""Dense (fully connected) layers: the output head, and the window MLP built of them."""

from typing import NamedTuple

from .activations import activate_rows, multiply_derivative
from .blas import gemm
from .config import helper, implementation
from .layout import GRAD, SHARED, STEPS, named, vector, view2


@helper
def dense_forward(X, W, b, kind, out):
    """out = activation(X @ W + b); X (B, n_in), W (n_in, n_out), out (B, n_out)."""
    gemm(X, W, out, 0.0)
    activate_rows(out, b, kind)


@helper
def linear_forward(X, W, b, out):
    """out = X @ W + b: the head, a dense layer without activation. Its own
    helper, not ``dense_forward`` with the identity, so that a recurrent
    network compiles no activation it does not use (see :func:`linear_backward`)."""
    gemm(X, W, out, 0.0)
    for i in range(out.shape[0]):
        row = out[i]
        for j in range(row.shape[0]):
            row[j] = row[j] + b[j]


@helper
def dense_backward(X, W, A, dA, kind, dW, db, dX, need_dX):
    """Gradients of a dense layer.

    ``dA`` holds the gradient of the loss with respect to the outputs ``A``
    and is overwritten with the gradient with respect to the pre-activations.
    ``dW`` and ``db`` are written (not accumulated); ``dX`` only when
    ``need_dX``.
    """
    multiply_derivative(dA, A, kind)
    linear_backward(X, W, dA, dW, db, dX, need_dX)


@helper
def linear_backward(X, W, dA, dW, db, dX, need_dX):
    """Gradients of :func:`linear_forward` (as :func:`dense_backward`'s, ``dA``
    the gradient at its outputs, left as it is). The head's: through
    ``dense_backward`` with the identity, the LSTM's and GRU's training
    compiled every activation's derivative for none (0.2 s of a cold fit)."""
    gemm(X.T, dA, dW, 0.0)
    column_sums(dA, db)
    if need_dX:
        gemm(dA, W.T, dX, 0.0)


@helper
def column_sums(A, out):
    """out[j] = sum_i A[i, j]: bias gradients."""
    for j in range(out.shape[0]):
        out[j] = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[j] += A[i, j]


@helper
def input_product(x, W, out):
    """out = x @ W. By hand for one input feature (a univariate series),
    where the BLAS call costs more than its multiplications."""
    if x.shape[1] != 1:
        gemm(x, W, out, 0.0)
        return
    w = W[0]
    for i in range(x.shape[0]):
        xi, oi = x[i, 0], out[i]
        for j in range(oi.shape[0]):
            oi[j] = xi * w[j]


# ------------------------------------------------------------ the window MLP

#: Each hidden layer's weights, as MLPRegressor initialises them.
WEIGHTS = named(W=("inputs", 1, "glorot"), b=(None, 1, "glorot"))

#: Each hidden layer's workspace: its activations and their gradient.
ROWS = named(act=(STEPS, 1), delta=(GRAD, 1))


@implementation
def gather_flat(net, X, t0, spans, scaling, rows, ws, s_off, lead):
    """The MLP's minibatch: row i holds the last T = X.shape[1] - t0 real
    steps of sequence ``rows[i]`` (those before ``spans[r, 1]``, of which
    there must be T), standardised and flattened (step-major), in the shared
    ``xb`` row; returns it (b, F). ``lead`` stays 0: no padding is read."""
    b, D, T = rows.shape[0], X.shape[2], X.shape[1] - t0
    xb = view2(ws, s_off[SHARED.xb], b, T * D)
    shift, scale = scaling[0], scaling[1]
    for i in range(b):
        r = rows[i]
        start = spans[r if spans.shape[0] > 1 else 0, 1] - T
        lead[i] = 0
        for t in range(T):
            for d in range(D):
                xb[i, t * D + d] = (X[r, start + t, d] - shift[d]) / scale[d]
    return xb


@implementation
def dense_network_forward(net, xb, sizes, p_off, params, ws, w_off, s_off, keep, lead):
    """The hidden layers on the flat windows ``xb`` (b, F); the last layer's
    activations (b, n_last), the head's input, are :func:`dense_top`'s."""
    b = xb.shape[0]
    for k in range(sizes.shape[0] - 2):
        n_in, n_out = sizes[k], sizes[k + 1]
        inp = xb if k == 0 else view2(ws, w_off[k - 1, ROWS.act], b, n_in)
        A = view2(ws, w_off[k, ROWS.act], b, n_out)
        W = view2(params, p_off[k, WEIGHTS.W], n_in, n_out)
        dense_forward(inp, W, vector(params, p_off[k, WEIGHTS.b], n_out), net.activation, A)


@implementation
def dense_top(net, xb, sizes, ws, w_off, keep):
    """The last hidden layer's activations (b, n_last) after a forward pass."""
    L = sizes.shape[0] - 2
    return view2(ws, w_off[L - 1, ROWS.act], xb.shape[0], sizes[L])


@implementation
def dense_network_backward(net, xb, bptt_steps, sizes, p_off, params, grad, ws, w_off, s_off,
                           d_top, lead):
    """Gradients of the hidden layers, from ``d_top``: the loss's gradient
    with respect to the last layer's activations. ``bptt_steps`` is unused
    (the MLP has no time axis)."""
    b = xb.shape[0]
    L = sizes.shape[0] - 2
    d_out = d_top
    for k in range(L - 1, -1, -1):
        n_in, n_out = sizes[k], sizes[k + 1]
        inp = xb if k == 0 else view2(ws, w_off[k - 1, ROWS.act], b, n_in)
        # No gradient below the first layer: an empty array (see config.helper).
        d_in = view2(ws, 0, 0, n_in) if k == 0 else view2(ws, w_off[k - 1, ROWS.delta], b, n_in)
        dense_backward(
            inp, view2(params, p_off[k, WEIGHTS.W], n_in, n_out),
            view2(ws, w_off[k, ROWS.act], b, n_out), d_out, net.activation,
            view2(grad, p_off[k, WEIGHTS.W], n_in, n_out),
            vector(grad, p_off[k, WEIGHTS.b], n_out), d_in, k > 0,
        )
        d_out = d_in


class Dense(NamedTuple):
    """The window MLP, as the generic kernels see it: ``activation`` is the
    hidden layers' activation code. Its kernels do not read ``direct`` (see
    ``recurrent.steps_per_product``); ``skrnn._network`` sizes predict's
    chunks by it for every kind (window MLP, 24 inputs and 64 units, 50,000
    windows: 4.5 ms in chunks of 651 against 4.8 to 5.0 in chunks of 1,680)."""

    activation: int
    direct: int

    weights = WEIGHTS
    rows = ROWS
    step_scratch = 0
    feature_major = False
    gather = gather_flat
    network_forward = dense_network_forward
    network_top = dense_top
    network_backward = dense_network_backward
