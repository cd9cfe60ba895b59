"""Networks as a flat parameter vector plus a layout table.

Every weight of a network lives in one flat float vector; a :class:`Layout`
names the arrays inside it (name, shape, offset). The optimizer, gradient
clipping, the gradient norm and pickling then each work on one array, and the
kernels get their weights as reshaped views without copies.

A network object is the bridge between the estimator and the kernels of
``skrnn._kernels.train``: it knows the architecture, the offsets of the
weights and of the scratch workspace, and calls the kernels. It holds no
fitted state: the estimator owns the parameter vector.
"""

from contextlib import nullcontext

import numpy as np

from ._kernels import train as K
from ._kernels._cache import compile_notice
from ._kernels.activations import ACTIVATION_CODES
from ._threads import MIN_THREADED_WORK, one_blas_thread

# Predictions run in chunks whose scratch memory stays under this many bytes,
# however many sequences are passed; chunks that fit in cache predict fastest.
_PREDICT_WORKSPACE_BYTES = 2 * 2**20


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


def identity_scaling(n_features, dtype):
    """The kernels' ``scaling`` that leaves the data as given: shift 0, scale 1."""
    return np.array([np.zeros(n_features), np.ones(n_features)], dtype=dtype)


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
    """What every network shares: weights layout, workspace, kernel calls."""

    def __init__(self, entries, sizes):
        self.layout = Layout(entries)
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.n_layers = len(sizes) - 2
        self.n_outputs = int(sizes[-1])
        # Offsets of each layer's arrays (in storage order), the head last.
        groups = {}
        for name, offset in zip(self.layout.names, self.layout.offsets):
            groups.setdefault(name.split(".")[0], []).append(offset)
        rows = [groups[f"layer{k}"] for k in range(self.n_layers)] + [groups["output"]]
        width = max(len(r) for r in rows)
        self.p_off = np.array([r + [-1] * (width - len(r)) for r in rows], dtype=np.int64)
        self._penalty_masks = {}
        self._workspace_layouts = {}
        # n_in * n_out of the largest weight matrix: a product with b rows
        # multiplies b times this many pairs.
        self._widest_product = max(int(np.prod(s)) for s in self.layout.shapes)

    def penalty_mask(self, dtype):
        dtype = np.dtype(dtype)
        if dtype not in self._penalty_masks:
            self._penalty_masks[dtype] = self.layout.penalty_mask(dtype)
        return self._penalty_masks[dtype]

    def workspace(self, n_timesteps, batch_size, dtype, training=True):
        """Scratch for minibatches of up to ``batch_size`` sequences.

        Returns the flat buffer and the table of offsets the kernels read.
        """
        size, w_off = self._workspace_layout(n_timesteps, batch_size, training)
        return np.empty(size, dtype=dtype), w_off

    def _workspace_layout(self, T, B, training):
        # Remembered: laying it out in Python took longer (~5 us) than the
        # kernels take to predict one short sequence.
        key = (T, B, training)
        if key not in self._workspace_layouts:
            if len(self._workspace_layouts) >= 64:  # predict sees many batch sizes
                self._workspace_layouts.clear()
            rows = self._workspace_rows(T, B, training)
            w_off = np.full((len(rows), max(len(r) for r in rows)), -1, dtype=np.int64)
            offset = 0
            for i, row in enumerate(rows):
                for j, size in enumerate(row):
                    w_off[i, j] = offset
                    offset += size
            self._workspace_layouts[key] = offset, w_off
        return self._workspace_layouts[key]

    def _predict_batch_size(self, n_timesteps, n_samples, dtype):
        per_sequence = self._workspace_layout(n_timesteps, 1, False)[0]
        fit = _PREDICT_WORKSPACE_BYTES // (per_sequence * np.dtype(dtype).itemsize)
        return int(max(1, min(n_samples, fit)))

    def predict(self, params, X, t0=0, scaling=None, verbose=False):
        """Predictions ``(n_samples, n_outputs)`` for X (n, t0 + T, D), C-contiguous.

        ``scaling`` (2, D): the shift and scale that standardise each feature
        (None: the data as given).
        """
        if scaling is None:
            scaling = identity_scaling(X.shape[2], params.dtype)
        T = X.shape[1] - t0
        batch = self._predict_batch_size(T, X.shape[0], params.dtype)
        ws, w_off = self.workspace(T, batch, params.dtype, training=False)
        out = np.empty((X.shape[0], self.n_outputs), dtype=params.dtype)
        small = batch * self._widest_product < MIN_THREADED_WORK
        with nullcontext() if small else one_blas_thread(), compile_notice(
            self._predict_kernel, params.dtype, f"{self.kind} prediction", verbose
        ):
            self._predict(params, X, t0, scaling, ws, w_off, batch, out)
        return out

    def loss_grad(self, params, X, y, sample_weight, alpha, grad, bptt_steps=None):
        """Loss of one minibatch X (b, T, D), y (b, n_out); writes ``grad``.

        The loss is sklearn's: ``0.5 * mean over outputs of the
        sample-weighted average of squared errors + 0.5 * alpha * ||W||^2 /
        sum(sample_weight)``. The training kernels compute exactly this for
        each minibatch; here it is exposed for the gradient tests.
        """
        X = np.ascontiguousarray(X, dtype=params.dtype)
        ws, w_off = self.workspace(X.shape[1], X.shape[0], params.dtype)
        y = np.ascontiguousarray(y, dtype=params.dtype).reshape(len(X), self.n_outputs)
        sw = np.ascontiguousarray(sample_weight, dtype=params.dtype)
        mask = self.penalty_mask(params.dtype)
        alpha = params.dtype.type(alpha)
        return float(self._loss_grad(params, X, y, sw, alpha, grad, bptt_steps, mask, ws, w_off))

    def train_epoch(self, X, t0, scaling, Y, SW, order, batch_size, params, grad, opt, hyper,
                    solver, nesterov, bptt_steps, ws, w_off, verbose=False):
        """Run the minibatches of ``order``.

        Returns the per-minibatch losses and gradient norms (-1: skipped) of
        the minibatches done, their number (fewer than all when one turned
        non-finite or ``hyper[STOP]`` was set) and whether one diverged.
        """
        n_batches = -(-len(order) // batch_size)
        losses = np.zeros(n_batches)
        norms = np.zeros(n_batches)
        with compile_notice(self._train_kernel, params.dtype, f"{self.kind} training", verbose):
            opt["step"], done = self._train(
                X, t0, scaling, Y, SW, order, batch_size, bptt_steps, params, grad,
                self.penalty_mask(params.dtype), opt["m"], opt["v"], hyper, solver, nesterov,
                opt["step"], ws, w_off, losses, norms,
            )
        diverged = done < n_batches and not np.isfinite(losses[done] + norms[done])
        return losses[:done], norms[:done], done, diverged


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

    kind = "recurrent"
    _train_kernel, _predict_kernel = K.recurrent_train, K.recurrent_predict

    #: "glorot-orthogonal" (Keras' scheme, the default) or "uniform"
    #: (PyTorch's). Private: benchmarks/lstm_init.py switches it to measure.
    _init_scheme = "glorot-orthogonal"

    def __init__(self, cell, n_features, hidden_layer_sizes, n_outputs, activation="tanh"):
        self.cell = cell
        self.cell_code = K.LSTM if cell == "lstm" else K.RNN
        self.n_gates = 4 if cell == "lstm" else 1
        self.activation = ACTIVATION_CODES[activation]
        sizes = [n_features, *hidden_layer_sizes, n_outputs]
        entries = []
        for k, (n_in, n_h) in enumerate(zip(sizes[:-2], sizes[1:-1])):
            g = self.n_gates * n_h
            entries += [
                (f"layer{k}.W_ih", (n_in, g), True),
                (f"layer{k}.W_hh", (n_h, g), True),
                (f"layer{k}.b", (g,), False),
            ]
        entries += [
            ("output.W", (sizes[-2], n_outputs), True),
            ("output.b", (n_outputs,), False),
        ]
        super().__init__(entries, sizes)

    def init_params(self, rng, dtype):
        """Initial parameter vector.

        Input weights Glorot-uniform, recurrent weights orthogonal, biases
        zero and (LSTM) a forget-gate bias of 1; the head as sklearn's MLP.
        ``benchmarks/lstm_init.py`` measures this against PyTorch's
        U(-1/sqrt(H), 1/sqrt(H)) for everything.
        """
        params = np.zeros(self.layout.size, dtype=dtype)
        views = self.layout.views(params)
        sizes = self.sizes.tolist()
        for k, (n_in, n_h) in enumerate(zip(sizes[:-2], sizes[1:-1])):
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
        n_last = sizes[-2]
        views["output.W"][...] = _glorot_uniform(
            rng, n_last, self.n_outputs, (n_last, self.n_outputs), dtype
        )
        views["output.b"][...] = _glorot_uniform(
            rng, n_last, self.n_outputs, self.n_outputs, dtype
        )
        return params

    def _workspace_rows(self, T, B, training):
        # Training keeps every step's state for BPTT; predict (see
        # K.recurrent_forward) only what later steps and layers read.
        sizes = self.sizes.tolist()
        lstm = self.cell == "lstm"
        hidden = sizes[1:-1]
        widest = max(sizes[:-1])
        grad_only = 1 if training else 0
        kept = T + 1 if training else 2  # states of the top layer, LSTM cell states
        steps = T if training else 1  # gates and tanh(c)
        rows = []
        for k, n_h in enumerate(hidden):
            G = self.n_gates * n_h
            below_top = k < len(hidden) - 1  # its outputs are the next layer's input
            rows.append([
                (T + 1 if below_top else kept) * B * n_h,  # HS
                kept * B * n_h if lstm else 0,             # CS
                steps * B * G if lstm else 0,              # GATES
                steps * B * n_h if lstm else 0,            # TC
                T * B * G * grad_only,                     # DZ
            ])
        n_out = self.n_outputs
        rows.append([
            T * B * sizes[0],                       # XB
            B * n_out, B, B * n_out, B * n_out,     # YB, SWB, PRED, DPRED
            T * B * widest * grad_only,             # DH_A
            T * B * widest * grad_only,             # DH_B
            B * self.n_gates * max(hidden),         # REC
            B * max(hidden) * grad_only,            # CARRY_H
            B * max(hidden) * grad_only,            # CARRY_C
        ])
        return rows

    def _predict(self, params, X, t0, scaling, ws, w_off, batch, out):
        K.recurrent_predict(
            X, t0, scaling, self.cell_code, self.activation, self.sizes, self.p_off, params, ws,
            w_off, batch, out,
        )

    def _loss_grad(self, params, X, y, sw, alpha, grad, bptt_steps, mask, ws, w_off):
        xb = np.ascontiguousarray(X.transpose(1, 0, 2))
        return K.recurrent_loss_grad(
            xb, y, sw, self.cell_code, self.activation, self.sizes, self.p_off,
            bptt_steps or 0, params, grad, mask, alpha, ws, w_off,
        )

    def _train(self, X, t0, scaling, Y, SW, order, batch_size, bptt_steps, params, grad, mask,
               m, v, hyper, solver, nesterov, step, ws, w_off, losses, norms):
        return K.recurrent_train(
            X, t0, scaling, Y, SW, order, batch_size, self.cell_code, self.activation, self.sizes,
            self.p_off, bptt_steps or 0, params, grad, mask, m, v, hyper, solver, nesterov,
            step, ws, w_off, losses, norms,
        )


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

    kind = "dense"
    _train_kernel, _predict_kernel = K.dense_train, K.dense_predict

    def __init__(self, n_inputs, hidden_layer_sizes, n_outputs, activation="relu"):
        self.activation = ACTIVATION_CODES[activation]
        sizes = [n_inputs, *hidden_layer_sizes, n_outputs]
        entries = []
        for k, (n_in, n_out) in enumerate(zip(sizes[:-2], sizes[1:-1])):
            entries += [(f"layer{k}.W", (n_in, n_out), True), (f"layer{k}.b", (n_out,), False)]
        entries += [
            ("output.W", (sizes[-2], n_outputs), True),
            ("output.b", (n_outputs,), False),
        ]
        super().__init__(entries, sizes)

    def init_params(self, rng, dtype):
        """Initial parameter vector: Glorot-uniform weights and biases, as sklearn's MLP."""
        params = np.zeros(self.layout.size, dtype=dtype)
        views = self.layout.views(params)
        sizes = self.sizes.tolist()
        names = [f"layer{k}" for k in range(self.n_layers)] + ["output"]
        for name, n_in, n_out in zip(names, sizes[:-1], sizes[1:]):
            views[f"{name}.W"][...] = _glorot_uniform(rng, n_in, n_out, (n_in, n_out), dtype)
            views[f"{name}.b"][...] = _glorot_uniform(rng, n_in, n_out, n_out, dtype)
        return params

    def _workspace_rows(self, T, B, training):
        # T is unused: the window is already part of sizes[0].
        sizes = self.sizes.tolist()
        rows = [[B * n, B * n * training] for n in sizes[1:-1]]  # ACT, DELTA
        n_out = self.n_outputs
        rows.append([B * sizes[0], B * n_out, B, B * n_out, B * n_out])  # XB, YB, SWB, PRED, DPRED
        return rows

    def _predict(self, params, X, t0, scaling, ws, w_off, batch, out):
        K.dense_predict(X, t0, scaling, self.activation, self.sizes, self.p_off, params, ws, w_off,
                        batch, out)

    def _loss_grad(self, params, X, y, sw, alpha, grad, bptt_steps, mask, ws, w_off):
        xb = np.ascontiguousarray(X.reshape(X.shape[0], -1))
        return K.dense_loss_grad(
            xb, y, sw, self.activation, self.sizes, self.p_off, params, grad, mask, alpha,
            ws, w_off,
        )

    def _train(self, X, t0, scaling, Y, SW, order, batch_size, bptt_steps, params, grad, mask,
               m, v, hyper, solver, nesterov, step, ws, w_off, losses, norms):
        return K.dense_train(
            X, t0, scaling, Y, SW, order, batch_size, self.activation, self.sizes, self.p_off,
            params, grad, mask, m, v, hyper, solver, nesterov, step, ws, w_off, losses, norms,
        )
