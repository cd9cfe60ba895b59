"""Networks as a flat parameter vector plus a layout table.

Every weight of a network lives in one flat float vector; a :class:`Layout`
names the arrays inside it (name, shape, offset). The optimizer, gradient
clipping, the gradient norm and pickling then each work on one array, and the
layers get their weights as reshaped views without copies.

A network turns validated ``(n_samples, n_timesteps, n_features)`` input into
the layout its kernels want (:meth:`prepare`), and computes predictions and
the loss gradient on minibatches of that layout. It holds no fitted state:
the estimator owns the parameter vector.
"""

import numpy as np

from ._kernels.activations import ACTIVATION_CODES, IDENTITY
from ._kernels.dense import dense_backward, dense_forward
from ._kernels.lstm import lstm_backward, lstm_forward
from ._kernels.rnn import rnn_backward, rnn_forward


class Layout:
    """Names, shapes and offsets of the arrays packed into one flat vector.

    Parameters
    ----------
    entries : list of (str, tuple, bool)
        Name, shape and whether the L2 penalty ``alpha`` applies (weights:
        yes, biases: no), in storage order.
    """

    def __init__(self, entries):
        self.names = []
        self.shapes = []
        self.offsets = []
        self.penalized = []
        offset = 0
        for name, shape, penalized in entries:
            self.names.append(name)
            self.shapes.append(tuple(shape))
            self.offsets.append(offset)
            self.penalized.append(penalized)
            offset += int(np.prod(shape))
        self.size = offset

    def views(self, flat):
        """Dict of name -> reshaped view into ``flat`` (no copy)."""
        return {
            name: flat[off : off + int(np.prod(shape))].reshape(shape)
            for name, shape, off in zip(self.names, self.shapes, self.offsets)
        }

    def penalty_mask(self, dtype):
        """1 where ``alpha`` penalizes the parameter, 0 elsewhere."""
        mask = np.zeros(self.size, dtype=dtype)
        views = self.views(mask)
        for name, penalized in zip(self.names, self.penalized):
            if penalized:
                views[name][...] = 1
        return mask


def _glorot_uniform(rng, n_in, n_out, size, dtype):
    # sklearn's MLP initialisation: U(-b, b), b = sqrt(6 / (fan_in + fan_out)).
    bound = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-bound, bound, size=size).astype(dtype)


def _orthogonal(rng, shape, dtype):
    # Keras' orthogonal initializer: Q of the QR decomposition of a Gaussian
    # matrix, signs fixed so that the distribution is uniform (Haar).
    rows, cols = shape
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q.astype(dtype)


class _Network:
    """What every network shares: the output head, loss and gradient."""

    #: Axis of the prepared input that indexes samples.
    sample_axis = 0

    def __init__(self, layout, n_outputs):
        self.layout = layout
        self.n_outputs = n_outputs
        self._penalty_masks = {}

    def penalty_mask(self, dtype):
        dtype = np.dtype(dtype)
        if dtype not in self._penalty_masks:
            self._penalty_masks[dtype] = self.layout.penalty_mask(dtype)
        return self._penalty_masks[dtype]

    def take(self, Xp, idx):
        """The minibatch ``idx`` of prepared input, C-contiguous."""
        return np.take(Xp, idx, axis=self.sample_axis)

    def predict(self, params, Xp):
        """Predictions ``(B, n_outputs)`` for a prepared batch."""
        return self._forward(self.layout.views(params), Xp)[0]

    def loss_grad(self, params, Xp, y, sample_weight, alpha, grad, bptt_steps=None):
        """Loss of a minibatch; its gradient is written into ``grad``.

        The loss is sklearn's: ``0.5 * mean over outputs of the
        sample-weighted average of squared errors + 0.5 * alpha * ||W||^2 /
        sum(sample_weight)``.
        """
        views = self.layout.views(params)
        pred, cache = self._forward(views, Xp)
        sw_sum = sample_weight.sum()
        scale = 1.0 / (sw_sum * self.n_outputs)
        diff = pred - y
        loss = 0.5 * scale * float(sample_weight @ (diff * diff).sum(axis=1))
        d_pred = diff * (sample_weight * scale)[:, None]
        self._backward(views, self.layout.views(grad), cache, d_pred, bptt_steps)
        if alpha > 0:
            mask = self.penalty_mask(params.dtype)
            loss += 0.5 * alpha * float(params @ (mask * params)) / sw_sum
            grad += params * mask * params.dtype.type(alpha / sw_sum)
        return loss

    def _head_forward(self, views, top):
        out = np.empty((top.shape[0], self.n_outputs), dtype=top.dtype)
        dense_forward(top, views["output.W"], views["output.b"], IDENTITY, out)
        return out

    def _head_backward(self, views, grads, top, pred, d_pred):
        d_top = np.empty_like(top)
        dense_backward(
            top, views["output.W"], pred, d_pred, IDENTITY,
            grads["output.W"], grads["output.b"], d_top, True,
        )
        return d_top


class RecurrentNetwork(_Network):
    """Stacked RNN or LSTM layers over the sequence, a linear head on the last state.

    Parameters
    ----------
    cell : {'rnn', 'lstm'}
    n_features : int
        Features per timestep.
    hidden_layer_sizes : tuple of int
    n_outputs : int
    activation : {'tanh', 'relu'}
        The RNN's activation (ignored by the LSTM).
    """

    sample_axis = 1  # prepared input is time-major: (T, n_samples, D)

    def __init__(self, cell, n_features, hidden_layer_sizes, n_outputs, activation="tanh"):
        self.cell = cell
        self.n_gates = 4 if cell == "lstm" else 1
        self.activation = ACTIVATION_CODES[activation]
        self.sizes = [n_features, *hidden_layer_sizes]
        entries = []
        for k, (n_in, n_h) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            g = self.n_gates * n_h
            entries += [
                (f"layer{k}.W_ih", (n_in, g), True),
                (f"layer{k}.W_hh", (n_h, g), True),
                (f"layer{k}.b", (g,), False),
            ]
        entries += [
            ("output.W", (self.sizes[-1], n_outputs), True),
            ("output.b", (n_outputs,), False),
        ]
        super().__init__(Layout(entries), n_outputs)

    #: "glorot-orthogonal" (Keras' scheme, the default) or "uniform"
    #: (PyTorch's). Private: benchmarks/lstm_init.py switches it to measure.
    _init_scheme = "glorot-orthogonal"

    def init_params(self, rng, dtype):
        """Initial parameter vector.

        Input weights Glorot-uniform, recurrent weights orthogonal, biases
        zero and (LSTM) a forget-gate bias of 1; the head as sklearn's MLP.
        ``benchmarks/lstm_init.py`` measures this against PyTorch's
        U(-1/sqrt(H), 1/sqrt(H)) for everything.
        """
        params = np.zeros(self.layout.size, dtype=dtype)
        views = self.layout.views(params)
        for k, (n_in, n_h) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            g = self.n_gates * n_h
            names = [f"layer{k}.W_ih", f"layer{k}.W_hh", f"layer{k}.b"]
            if self._init_scheme == "uniform":
                bound = 1.0 / np.sqrt(n_h)
                for name in names:
                    views[name][...] = rng.uniform(-bound, bound, views[name].shape)
                continue
            views[names[0]][...] = _glorot_uniform(rng, n_in, g, (n_in, g), dtype)
            views[names[1]][...] = _orthogonal(rng, (n_h, g), dtype)
            if self.cell == "lstm":
                views[names[2]][n_h : 2 * n_h] = 1.0
        n_last = self.sizes[-1]
        views["output.W"][...] = _glorot_uniform(
            rng, n_last, self.n_outputs, (n_last, self.n_outputs), dtype
        )
        views["output.b"][...] = _glorot_uniform(
            rng, n_last, self.n_outputs, self.n_outputs, dtype
        )
        return params

    def prepare(self, X):
        """(n_samples, T, D) -> time-major (T, n_samples, D), C-contiguous."""
        return np.ascontiguousarray(X.transpose(1, 0, 2))

    def _forward(self, views, X):
        T, B, _ = X.shape
        states = []
        inp = X
        for k, n_h in enumerate(self.sizes[1:]):
            W_ih = views[f"layer{k}.W_ih"]
            W_hh = views[f"layer{k}.W_hh"]
            b = views[f"layer{k}.b"]
            Hs = np.empty((T + 1, B, n_h), dtype=X.dtype)
            if self.cell == "lstm":
                Cs = np.empty_like(Hs)
                gates = np.empty((T, B, 4 * n_h), dtype=X.dtype)
                TC = np.empty((T, B, n_h), dtype=X.dtype)
                lstm_forward(inp, W_ih, W_hh, b, Hs, Cs, gates, TC)
                states.append((inp, Hs, Cs, gates, TC))
            else:
                rnn_forward(inp, W_ih, W_hh, b, self.activation, Hs)
                states.append((inp, Hs))
            inp = Hs[1:]
        top = Hs[T]
        pred = self._head_forward(views, top)
        return pred, (states, top, pred)

    def _backward(self, views, grads, cache, d_pred, bptt_steps):
        states, top, pred = cache
        d_top = self._head_backward(views, grads, top, pred, d_pred)
        T = states[0][0].shape[0]
        t_stop = 0 if bptt_steps is None else max(0, T - bptt_steps)
        dH = np.zeros((T,) + top.shape, dtype=top.dtype)
        dH[T - 1] = d_top
        for k in range(len(states) - 1, -1, -1):
            inp = states[k][0]
            W_ih = views[f"layer{k}.W_ih"]
            W_hh = views[f"layer{k}.W_hh"]
            # The first layer's input gradient is not needed: pass inp as an unused stand-in.
            dX = np.empty_like(inp) if k > 0 else inp
            args = (grads[f"layer{k}.W_ih"], grads[f"layer{k}.W_hh"], grads[f"layer{k}.b"])
            if self.cell == "lstm":
                _, Hs, Cs, gates, TC = states[k]
                lstm_backward(inp, W_ih, W_hh, Hs, Cs, gates, TC, dH, t_stop, *args, dX, k > 0)
            else:
                Hs = states[k][1]
                rnn_backward(inp, W_ih, W_hh, self.activation, Hs, dH, t_stop, *args, dX, k > 0)
            dH = dX


class DenseNetwork(_Network):
    """The window MLP: dense layers on the flattened window, a linear head.

    Parameters
    ----------
    n_inputs : int
        Timesteps times features of a window.
    hidden_layer_sizes : tuple of int
    n_outputs : int
    activation : {'identity', 'logistic', 'tanh', 'relu'}
    """

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation="relu"):
        self.activation = ACTIVATION_CODES[activation]
        self.sizes = [n_inputs, *hidden_layer_sizes]
        entries = []
        for k, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            entries += [(f"layer{k}.W", (n_in, n_out), True), (f"layer{k}.b", (n_out,), False)]
        entries += [
            ("output.W", (self.sizes[-1], n_outputs), True),
            ("output.b", (n_outputs,), False),
        ]
        super().__init__(Layout(entries), n_outputs)

    def init_params(self, rng, dtype):
        """Initial parameter vector: Glorot-uniform weights and biases, as sklearn's MLP."""
        params = np.zeros(self.layout.size, dtype=dtype)
        views = self.layout.views(params)
        sizes = self.sizes + [self.n_outputs]
        names = [f"layer{k}" for k in range(len(self.sizes) - 1)] + ["output"]
        for name, n_in, n_out in zip(names, sizes[:-1], sizes[1:]):
            views[f"{name}.W"][...] = _glorot_uniform(rng, n_in, n_out, (n_in, n_out), dtype)
            views[f"{name}.b"][...] = _glorot_uniform(rng, n_in, n_out, n_out, dtype)
        return params

    def prepare(self, X):
        """(n_samples, T, D) -> (n_samples, T * D), C-contiguous."""
        return np.ascontiguousarray(X.reshape(X.shape[0], -1))

    def _forward(self, views, X):
        acts = [X]
        for k, n_out in enumerate(self.sizes[1:]):
            out = np.empty((X.shape[0], n_out), dtype=X.dtype)
            dense_forward(acts[-1], views[f"layer{k}.W"], views[f"layer{k}.b"], self.activation, out)
            acts.append(out)
        pred = self._head_forward(views, acts[-1])
        return pred, (acts, pred)

    def _backward(self, views, grads, cache, d_pred, bptt_steps):
        acts, pred = cache
        d_out = self._head_backward(views, grads, acts[-1], pred, d_pred)
        for k in range(len(acts) - 2, -1, -1):
            d_in = np.empty_like(acts[k]) if k > 0 else acts[0]  # unused stand-in
            dense_backward(
                acts[k], views[f"layer{k}.W"], acts[k + 1], d_out, self.activation,
                grads[f"layer{k}.W"], grads[f"layer{k}.b"], d_in, k > 0,
            )
            d_out = d_in
