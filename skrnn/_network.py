"""A network built from its architecture: weights, workspace, kernel calls.

Every weight of a network lives in one flat float vector; a :class:`Layout`
names the arrays inside it (name, shape, offset). The optimizer, gradient
clipping, the gradient norm and pickling then each work on one array, and the
kernels get their weights as reshaped views without copies.

A :class:`Network` is the bridge between the estimator and the generic
kernels of ``skrnn._kernels.train``. It is built from an architecture (the
network kind, sizes, activation and loss that the estimator records at its
first fit) and reads everything else from the kind's declarations in
``skrnn._kernels``: the weight arrays and their initialisation
(``weights``), the workspace rows (``rows``). It holds no fitted state: the
estimator owns the parameter vector.
"""

import os
from contextlib import nullcontext

import numpy as np

from ._kernels import train as K
from ._kernels._cache import compile_notice
from ._kernels.activations import ACTIVATION_CODES
from ._kernels.blas import direct_rows
from ._kernels.dense import WEIGHTS as HEAD_WEIGHTS
from ._kernels.dense import Dense
from ._kernels.gru import GRU
from ._kernels.layout import (
    BIASED,
    CARRY,
    GRAD,
    KEPT,
    OUTPUTS,
    SHARED,
    STACKED,
    STEP,
    STEPS,
    TRANSPOSED,
    WEIGHTS_T,
)
from ._kernels.losses import LOSS_CODES, Loss, add_penalty
from ._kernels.lstm import LSTM
from ._kernels.rnn import RNN
from ._threads import (
    MIN_THREADED_WORK,
    direct_product_size,
    one_blas_thread,
    parallel_parts,
    run_parts,
)

#: The network kinds, by the name an estimator records.
KINDS = {"rnn": RNN, "lstm": LSTM, "gru": GRU, "dense": Dense}

# Predictions run in chunks whose scratch memory stays under this many bytes,
# however many sequences are passed; chunks that fit in cache predict fastest.
# A large predict (the rule below) runs its chunks as pieces that two
# threads share out, each on its thread's workspace (see Network.predict).
_PREDICT_WORKSPACE_BYTES = 2**20
# Where the BLAS computes small products directly (see
# skrnn._threads.direct_product_size), a batch-major cell's (RNN, GRU)
# chunks are also no larger than the rows of a step's product it computes
# so (blas.direct_rows: a multiple of 4, at least 8): a step's rows are its
# sequences. The 64/50/1/64 float32 LSTM, batch-major then, predicted in
# chunks of 240 sequences at 96 GFLOP/s and in chunks of 60 at 114 (Zen 4).
# The LSTM is feature-major: its step multiplies the weights by [x ; h ; 1]
# (K, b), a sequence per column, and the BLAS's direct kernels run along
# those columns in 512-bit vectors: its chunks are a multiple of two
# vectors and keep that operand within the L1 cache. At one thread on the
# Zen 5 (SkylakeX kernels) its 64/50/1/64 float32 predict of 1,920
# sequences took 21.5 ms in chunks of 60 (the rows rule), 22.1 in 56, 20.3
# in 48, 18.4 in 64 and 18.2 in 96; the 256/100/8/128 one of 4,096
# sequences 484 ms in chunks of 12 (the rows rule), 362 in 16, 282 in 32
# and 294 in 128 (its float64 884 ms in 8, 644 in 32, 828 in 64: 70 KB of
# operand).
_DIRECT_COLUMNS_BYTES = 128
_DIRECT_OPERAND_BYTES = 2**15  # the L1 data cache of most CPUs with AVX-512

# A training minibatch of b sequences of T steps, in a network of P
# parameters, is computed as two halves, each on its own workspace and,
# where a second core is free, on its own thread, whose gradients are
# summed, when its multiply-adds (about 3 * b * T * P forward and backward)
# reach this; a predict of b sequences likewise (b * T * P). Below it (a
# millisecond or so) waking the second thread and handing over would cost
# more than it saves. The rule depends on the sizes only, so that a model
# and its predictions are the same whatever the number of threads.
_PARTS_ABOVE_WORK = 2**25
_MIN_PART_ROWS = 8
# A split predict runs in this many pieces or more (see Network.predict).
_PREDICT_PIECES = 8

# Workspaces above this size are checked against the available memory
# before they are allocated. Reading it costs 30 us, as much again as a
# whole predict of one sequence; a smaller allocation that fails is
# NumPy's own MemoryError, not the operating system killing the process.
_CHECKED_ABOVE_BYTES = 64 * 2**20


def _row_width(width, n_in, H):
    # A workspace row's width in values (see layout.named): a multiple of H,
    # STACKED (n_in + H), BIASED (n_in + H + 1) or (m, either).
    if isinstance(width, tuple):
        return width[0] * _row_width(width[1], n_in, H)
    if width in (STACKED, BIASED):
        return n_in + H + (width == BIASED)
    return width * H


def available_memory():
    """Bytes of memory the system can still give, or None where unknown.

    A workspace larger than this fails with a clear error before it is
    allocated, instead of the operating system killing the process. Linux's
    ``MemAvailable`` (what can be allocated without swapping), lowered to
    what a cgroup v2 memory limit (a container's) leaves; else the free
    physical pages where ``os.sysconf`` knows them; else None (no check).
    """
    available = _read_number("/proc/meminfo", "MemAvailable:", 1024)
    if available is None:
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            return None
    limit = _read_number("/sys/fs/cgroup/memory.max")
    used = _read_number("/sys/fs/cgroup/memory.current")
    if limit is not None and used is not None:
        available = min(available, max(0, limit - used))
    return available


def _read_number(path, key=None, unit=1):
    # The first number of a file, or of its line starting with ``key``; None
    # when the file is missing or says something else ("max": no limit).
    try:
        with open(path) as f:
            for line in f:
                if key is None or line.startswith(key):
                    return int(line.split()[1 if key else 0]) * unit
    except (OSError, ValueError, IndexError):
        pass
    return None


def _gib(n_bytes):
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**28 else f"{n_bytes / 2**20:.1f} MiB"


class Layout:
    """Names, shapes and offsets of the arrays packed into one flat vector.

    Parameters
    ----------
    entries : list of (str, tuple, bool)
        Name, shape and whether the L2 penalty ``alpha`` applies (weights:
        yes, biases: no), in storage order.
    """

    def __init__(self, entries):
        self.names, self.shapes, self.offsets, self.penalized = [], [], [], []
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


def full_spans(X):
    """The kernels' ``spans`` of a rectangular X, every step of every sequence
    real: one row for all sequences, so that predict's memory stays bounded.
    Remembered by length: making it took 2 us of the 45 us of predicting one
    sequence. (Writable, as the spans of padded data will be: a read-only
    array is another type to Numba, and another compilation.)"""
    T = X.shape[1]
    if T not in _FULL_SPANS:
        if len(_FULL_SPANS) >= 64:
            _FULL_SPANS.clear()
        _FULL_SPANS[T] = np.array([[0, T]], dtype=np.int64)
    return _FULL_SPANS[T]


_FULL_SPANS = {}

# predict's order of a rectangular X: the sequences as they come.
_NO_ORDER = np.zeros(0, dtype=np.int64)


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


def _initial_values(init, shape, n_in, n_out, rng, dtype):
    # One array's initial values by its scheme's name (``init`` of the
    # layer kind's weights); n_in, n_out: the layer's fan-in and fan-out.
    if init == "glorot":
        return _glorot_uniform(rng, n_in, n_out, shape, dtype)
    if init == "orthogonal":
        return _orthogonal(rng, shape, dtype)
    values = np.zeros(shape, dtype=dtype)
    if init == "forget_gate_one":  # LSTM biases: 1 for the forget gate, the second block
        H = shape[0] // 4
        values[H : 2 * H] = 1.0
    elif init != "zeros":
        raise ValueError(f"unknown initialisation {init!r}")
    return values


class Network:
    """The network of an architecture.

    Parameters
    ----------
    kind : {'rnn', 'lstm', 'gru', 'dense'}
        Stacked recurrent layers of that cell, or the window MLP.
    n_inputs : int
        Features per timestep (recurrent), or timesteps times features of
        a window (dense).
    hidden_layer_sizes : tuple of int
    n_outputs : int
    activation : str or None
        The hidden layers' activation (RNN and MLP; None for LSTM and GRU).
    loss : {'squared_error', 'binary_log_loss', 'log_loss'}, default='squared_error'
        What the network is trained on (see ``skrnn._kernels.losses``).
    """

    #: "glorot-orthogonal" (Keras' scheme, the default) or "uniform"
    #: (PyTorch's, for the recurrent layers). Private:
    #: benchmarks/init_schemes.py switches it to measure.
    _init_scheme = "glorot-orthogonal"

    def __init__(self, kind, n_inputs, hidden_layer_sizes, n_outputs, activation=None,
                 loss="squared_error"):
        self.kind = kind
        self.activation = activation
        self.recurrent = kind != "dense"
        net_type = KINDS[kind]
        self.kernel_net = net_type(ACTIVATION_CODES[activation] if activation else 0,
                                   np.int64(direct_product_size()))
        self.kernel_loss = Loss(LOSS_CODES[loss])
        self.sizes = np.array([n_inputs, *hidden_layer_sizes, n_outputs], dtype=np.int64)
        self.n_layers = len(hidden_layer_sizes)
        self.n_outputs = int(n_outputs)
        self._weights = net_type.weights
        self._rows = type(net_type.rows).specs
        self._step_scratch = net_type.step_scratch
        # (layer, name, shape, init) of every array, in storage order: each
        # hidden layer's as its kind declares them, then the linear head's.
        self._arrays = []
        layers = [(f"layer{k}", self._weights) for k in range(self.n_layers)]
        for k, (prefix, weights) in enumerate(layers + [("output", HEAD_WEIGHTS)]):
            n_in, size = int(self.sizes[k]), int(self.sizes[k + 1])
            for name, (rows, width, init) in zip(weights._fields, type(weights).specs):
                n_rows = {"inputs": n_in, "hidden": size}.get(rows)
                shape = (n_rows, width * size) if n_rows else (width * size,)
                self._arrays.append((k, f"{prefix}.{name}", shape, init))
        self.layout = Layout([(name, shape, len(shape) == 2) for _, name, shape, _ in self._arrays])
        width = max(len(self._weights), len(HEAD_WEIGHTS))
        self.p_off = np.full((self.n_layers + 1, width), -1, dtype=np.int64)
        for (k, *_), offset in zip(self._arrays, self.layout.offsets):
            self.p_off[k, np.argmax(self.p_off[k] < 0)] = offset
        # n_in * n_out of the largest weight matrix: a product with b rows
        # multiplies b times this many pairs.
        self._widest_product = max(int(np.prod(s)) for s in self.layout.shapes)
        # The multiply-adds per row of the largest product of a step: a
        # stacked cell's (see recurrent.stack_step) multiplies by its
        # layer's matrices stacked, (n_in + H, G).
        combine = sum if any(width in (STACKED, BIASED) for _, width in self._rows) else max
        self._step_product = max(
            combine(shape[0] * shape[1] for k, _, shape, _ in self._arrays
                    if k == layer and len(shape) == 2)
            for layer in range(self.n_layers + 1))
        # A feature-major cell's step operand [x ; h ; 1]: its rows, K, in
        # the widest layer (the columns are the sequences).
        self._feature_major = net_type.feature_major
        self._step_operand_rows = max(
            _row_width(BIASED, int(self.sizes[k]), int(self.sizes[k + 1]))
            for k in range(self.n_layers))
        self._penalty_masks = {}
        self._workspace_layouts = {}
        self._predict_chunks = {}  # the most sequences a predict chunk holds, by (T, dtype)
        self._variants = {task: f"{kind} {task}" for task in ("training", "prediction")}

    # ------------------------------------------------------------ weights

    def init_params(self, rng, dtype):
        """Initial parameter vector, each array by its kind's scheme.

        Recurrent layers: Glorot-uniform input weights, orthogonal recurrent
        weights, zero biases (the LSTM's forget gate 1); dense layers and the
        head as sklearn's MLP. ``benchmarks/init_schemes.py`` measures this
        against PyTorch's U(-1/sqrt(H), 1/sqrt(H)) for every array.
        """
        params = np.zeros(self.layout.size, dtype=dtype)
        views = self.layout.views(params)
        for k, name, shape, init in self._arrays:
            if self.recurrent and k < self.n_layers and self._init_scheme == "uniform":
                bound = 1.0 / np.sqrt(self.sizes[k + 1])
                views[name][...] = rng.uniform(-bound, bound, shape)
            else:
                # A bias shares the fan-in of its layer's input matrix.
                fan_in = shape[0] if len(shape) == 2 else int(self.sizes[k])
                views[name][...] = _initial_values(init, shape, fan_in, shape[-1], rng, dtype)
        return params

    def penalty_mask(self, dtype):
        dtype = np.dtype(dtype)
        if dtype not in self._penalty_masks:
            self._penalty_masks[dtype] = self.layout.penalty_mask(dtype)
        return self._penalty_masks[dtype]

    # ---------------------------------------------------------- workspace

    def workspace(self, n_timesteps, batch_size, dtype, training=True, reduce=""):
        """Scratch for minibatches of up to ``batch_size`` sequences.

        Returns the flat buffer and the tables of offsets the kernels read:
        ``w_off`` (a row per layer) and ``s_off`` (the shared rows). A large
        buffer beyond the memory the system has available is a MemoryError
        before anything is allocated, whose message ends with ``reduce``
        (what the user can change).
        """
        ws, w_off, s_off = self.workspaces(1, n_timesteps, batch_size, dtype, training, reduce)
        return ws[0], w_off, s_off

    def workspaces(self, parts, n_timesteps, batch_size, dtype, training=True, reduce=""):
        """``parts`` workspaces as :meth:`workspace` makes one, the rows of
        one array: the parts of a split minibatch, or of a predict."""
        size, w_off, s_off = self._workspace_layout(n_timesteps, batch_size, training)
        needed = parts * size * np.dtype(dtype).itemsize
        available = available_memory() if needed > _CHECKED_ABOVE_BYTES else None
        if available is not None and needed > available:
            task = "training" if training else "prediction"
            raise MemoryError(
                f"The {self.kind} {task} workspace for minibatches of {parts * batch_size} "
                f"sequences of {n_timesteps} steps needs {_gib(needed)} of memory, and "
                f"{_gib(available)} is available. {reduce}".rstrip()
            )
        return np.empty((parts, size), dtype=dtype), w_off, s_off

    def training_workspaces(self, n_timesteps, batch_size, dtype, reduce=""):
        """The workspaces of a fit's minibatches: one, or two of half the
        rows when its minibatches are computed in two parts."""
        parts = self._parts(batch_size, n_timesteps, training=True)
        return self.workspaces(parts, n_timesteps, -(-batch_size // parts), dtype,
                               reduce=reduce)

    def _parts(self, n_sequences, n_timesteps, training):
        # 2 when a minibatch or predict of this many sequences is large
        # enough to be computed in two halves (see _PARTS_ABOVE_WORK), else 1.
        work = n_sequences * (n_timesteps if self.recurrent else 1) * self.layout.size
        work *= 3 if training else 1
        return 2 if work >= _PARTS_ABOVE_WORK and n_sequences >= 2 * _MIN_PART_ROWS else 1

    def _workspace_layout(self, T, B, training):
        # Remembered: laying it out in Python took longer (~5 us) than the
        # kernels take to predict one short sequence.
        key = (T, B, training)
        if key not in self._workspace_layouts:
            if len(self._workspace_layouts) >= 64:  # predict sees many batch sizes
                self._workspace_layouts.clear()
            self._workspace_layouts[key] = self._lay_out(T, B, training)
        return self._workspace_layouts[key]

    def _lay_out(self, T, B, training):
        # The sizes of the rows declared by the layer kind (per layer) and of
        # the shared rows, placed one after the other.
        if not self.recurrent:
            T = 1  # the window is already part of sizes[0]
        sizes = self.sizes.tolist()
        L = self.n_layers
        layer_rows = []
        for k, (n_in, H) in enumerate(zip(sizes[:-2], sizes[1:-1])):
            rows = {
                OUTPUTS: (T + 1 if training or k < L - 1 else 2) * B,
                KEPT: (T + 1 if training else 2) * B,
                STEPS: (T if training else 1) * B,
                GRAD: (T if training else 0) * B,
                CARRY: B if training else 0,
                STEP: B,
                TRANSPOSED: H if training else 0,
                # A one-sequence predict keeps the batch-major product.
                WEIGHTS_T: H if training or B > 1 else 0,
            }
            layer_rows.append([rows[length] * _row_width(width, n_in, H)
                               for length, width in self._rows])
        n_out, n_last = sizes[-1], sizes[-2]
        grad = int(training and self.recurrent)
        shared = dict(
            xb=T * B * sizes[0], yb=B * n_out, swb=B, pred=B * n_out, dpred=B * n_out,
            dtop=B * n_last, dh_a=grad * T * B * max(sizes[:-1]),
            dh_b=grad * T * B * max(sizes[:-1]),
            rec=B * self._step_scratch * max(sizes[1:-1]),
        )
        w_off = np.full((L, len(self._rows)), -1, dtype=np.int64)
        offset = 0
        for k, row in enumerate(layer_rows):
            for j, size in enumerate(row):
                w_off[k, j] = offset
                offset += size
        s_off = np.empty(len(SHARED), dtype=np.int64)
        for j, name in enumerate(SHARED._fields):
            s_off[j] = offset
            offset += shared[name]
        return offset, w_off, s_off

    # ------------------------------------------------------------ kernels

    def _predict_batch_size(self, n_timesteps, n_samples, dtype):
        key = (n_timesteps, dtype)
        if key not in self._predict_chunks:  # remembered, as the layouts
            if len(self._predict_chunks) >= 64:
                self._predict_chunks.clear()
            # The values a workspace holds per sequence: not the LSTM's
            # transposed weights, which its steps read instead of the weights
            # (from two sequences on: hence 3 - 2).
            two = self._workspace_layout(n_timesteps, 2, False)[0]
            per_sequence = self._workspace_layout(n_timesteps, 3, False)[0] - two
            itemsize = np.dtype(dtype).itemsize
            fit = _PREDICT_WORKSPACE_BYTES // (per_sequence * itemsize)
            if self.kernel_net.direct and self._feature_major:
                unit = _DIRECT_COLUMNS_BYTES // itemsize
                in_cache = _DIRECT_OPERAND_BYTES // (self._step_operand_rows * itemsize)
                chunk = min(fit, max(unit, in_cache // unit * unit))
            else:
                direct = direct_rows(self._step_product, 1, self.kernel_net.direct)
                chunk = min(fit, direct) if direct else fit
            self._predict_chunks[key] = max(1, chunk)
        return int(max(1, min(n_samples, self._predict_chunks[key])))

    def predict_chunks(self, n_samples, n_timesteps, dtype):
        """How :meth:`predict` runs ``n_samples`` sequences: ``(split, batch)``,
        whether in pieces that two threads share out, and the most sequences
        of a chunk (each piece is one chunk). The benchmarks time the same
        chunks' matrix products alone."""
        split = self._parts(n_samples, n_timesteps, training=False) == 2
        # Split, the sequences go in pieces of one chunk each, at most an
        # eighth of them, which the two threads take as they come free (a
        # thread slowed by other work takes fewer); consecutive ones along
        # the length order for unequal lengths, so that a chunk pads little.
        # The pieces depend on the sizes only: the same predictions on one
        # thread or two.
        most = -(-n_samples // _PREDICT_PIECES) if split else n_samples
        return split, self._predict_batch_size(n_timesteps, most, dtype)

    def _notice(self, kernel, dtype, task, verbose):
        return compile_notice(kernel, dtype, self._variants[task], verbose)

    def predict(self, params, X, t0=0, scaling=None, verbose=False, spans=None):
        """The head's outputs ``(n_samples, n_outputs)`` for X (n, t0 + T, D),
        C-contiguous: predictions of a regressor, scores of a classifier.

        ``scaling`` (2, D): the shift and scale that standardise each feature
        (None: the data as given). ``spans`` (n, 2) int64: each sequence's
        first real step and the end of its real steps, of which the network
        reads the last T (None: every step of X is real; one row: the same
        for every sequence).
        """
        if scaling is None:
            scaling = identity_scaling(X.shape[2], params.dtype)
        order = _NO_ORDER
        if spans is None:
            spans = full_spans(X)
        elif spans.shape[0] > 1:
            order = np.argsort(spans[:, 1] - spans[:, 0], kind="stable")
        n, T = X.shape[0], X.shape[1] - t0
        split, batch = self.predict_chunks(n, T, params.dtype)
        out = np.empty((n, self.n_outputs), dtype=params.dtype)
        ws, w_off, s_off = self.workspaces(
            2 if split else 1, T, batch, params.dtype, training=False,
            reduce="Predict on fewer timesteps (a model fitted with a smaller window).")
        ints = np.empty((len(ws), 2, batch), dtype=np.int64)  # each slot's scratch

        def part(i, slot):
            # Piece i, sliced only when a thread takes it: a list of every
            # piece's views grew with n (4.7 MB for a million sequences).
            part_X, sequences, part_out = X, order, out
            if split:
                rows = slice(i * batch, (i + 1) * batch)
                if order.shape[0]:
                    sequences = order[rows]
                else:
                    part_X, part_out = X[rows], out[rows]
            K.predict(self.kernel_net, part_X, t0, spans, sequences, scaling, self.sizes,
                      self.p_off, params, ws[slot], w_off, s_off, batch, part_out, ints[slot])

        small = batch * self._widest_product < MIN_THREADED_WORK
        with nullcontext() if small else one_blas_thread(), self._notice(
            K.predict, params.dtype, "prediction", verbose
        ):
            if split:
                run_parts(part, -(-n // batch), parallel_parts())
            else:
                part(0, 0)  # a predict of a few sequences: no thread machinery
        return out

    def loss_grad(self, params, X, y, sample_weight, alpha, grad, bptt_steps=None, lead=None):
        """Loss of one minibatch X (b, T, D), y (b, n_out); writes ``grad``.

        ``lead`` (b,): steps of padding at the start of each sequence (its
        real steps are the last ``T - lead[i]``); None: no padding.

        The loss is sklearn's MLP loss of the network's task (for
        regression ``0.5 * mean over outputs of the sample-weighted average
        of squared errors``) ``+ 0.5 * alpha * ||W||^2 / sum(sample_weight)``.
        The training kernels compute exactly this for each minibatch; here
        it is exposed for the gradient tests.
        """
        X = np.asarray(X, dtype=params.dtype)
        b, T = X.shape[:2]
        ws, w_off, s_off = self.workspace(T, b, params.dtype)
        # The minibatch as the network's gather lays it out: time-major, or
        # flat windows for the MLP.
        xb = np.ascontiguousarray(X.transpose(1, 0, 2) if self.recurrent else X.reshape(b, -1))
        y = np.ascontiguousarray(y, dtype=params.dtype).reshape(b, self.n_outputs)
        sw = np.ascontiguousarray(sample_weight, dtype=params.dtype)
        sw_total = sw.sum()
        lead = np.zeros(b, dtype=np.int64) if lead is None else np.asarray(lead, np.int64)
        value = K.loss_grad(self.kernel_net, self.kernel_loss, xb, y, sw, sw_total, lead,
                            bptt_steps or 0, self.sizes, self.p_off, params, grad, ws, w_off,
                            s_off)
        return float(value + add_penalty(params, grad, self.penalty_mask(params.dtype),
                                         params.dtype.type(alpha), sw_total))

    def train_epoch(self, X, t0, scaling, Y, SW, order, batch_size, params, grad, opt, hyper,
                    stop, bptt_steps, workspaces, w_off, s_off, verbose=False, spans=None):
        """Run the minibatches of ``order`` (``spans`` as for :meth:`predict`)
        on the :meth:`training_workspaces`: with two, each minibatch runs in
        two parts.

        Returns the per-minibatch losses and gradient norms (-1: skipped) of
        the minibatches done, their number (fewer than all when one turned
        non-finite or ``stop`` was set) and whether one diverged.
        """
        n_batches = -(-len(order) // batch_size)
        losses = np.zeros(n_batches)
        norms = np.zeros(n_batches)
        if spans is None:
            spans = full_spans(X)
        mask = self.penalty_mask(params.dtype)
        whole = workspaces.shape[0] == 1
        kernel = K.train_epoch if whole else K.part_gradient  # the one that compiles longest
        with self._notice(kernel, params.dtype, "training", verbose):
            if whole:
                opt["step"], done = K.train_epoch(
                    self.kernel_net, self.kernel_loss, X, t0, spans, scaling, Y, SW, order,
                    batch_size, bptt_steps or 0, self.sizes, self.p_off, params, grad, mask,
                    opt["m"], opt["v"], hyper, stop, opt["step"], workspaces[0], w_off, s_off,
                    losses, norms, np.empty((3, batch_size), dtype=np.int64),
                )
            else:
                done = self._train_in_parts(X, t0, spans, scaling, Y, SW, order, batch_size,
                                            params, grad, mask, opt, hyper, stop,
                                            bptt_steps or 0, workspaces, w_off, s_off,
                                            losses, norms)
        diverged = done < n_batches and not np.isfinite(losses[done] + norms[done])
        return losses[:done], norms[:done], done, diverged

    def _train_in_parts(self, X, t0, spans, scaling, Y, SW, order, batch_size, params, grad,
                        mask, opt, hyper, stop, bptt_steps, workspaces, w_off, s_off, losses,
                        norms):
        # train_epoch's loop, in Python: each minibatch's rows, shortest
        # first, split into halves whose gradients part_gradient computes
        # on their own workspaces (and threads), finish_parts sums and steps.
        other = np.empty_like(grad)
        leads = np.zeros((2, -(-batch_size // 2)), dtype=np.int64)
        lengths = spans[:, 1] - spans[:, 0] if spans.shape[0] > 1 else None
        parallel = parallel_parts()

        def part(slot, rows, part_grad, sw_total):
            if len(rows) == 0:  # the second half of a minibatch of one sequence
                part_grad[:] = 0
                return 0.0
            # The workspace of the thread's slot: in turn, both halves use the
            # first, which is in cache. (The kernels write every value of a
            # workspace before reading it.)
            return K.part_gradient(
                self.kernel_net, self.kernel_loss, X, t0, spans, scaling, Y, SW, rows, sw_total,
                bptt_steps, self.sizes, self.p_off, params, part_grad, workspaces[slot], w_off,
                s_off, leads[slot, : len(rows)])

        n_batches = len(losses)
        for bi in range(n_batches):
            if stop[0]:
                return bi
            rows = order[bi * batch_size : (bi + 1) * batch_size]
            if lengths is not None:
                rows = rows[np.argsort(lengths[rows], kind="stable")]
            sw_total = params.dtype.type(SW[rows].sum())
            if sw_total == 0:  # no information, no update, as train_epoch
                losses[bi], norms[bi] = 0.0, -1.0
                continue
            h = -(-len(rows) // 2)
            halves = [(rows[:h], grad), (rows[h:], other)]
            first, second = run_parts(
                lambda i, slot: part(slot, *halves[i], sw_total), 2, parallel)
            if not K.finish_parts(first, second, grad, other, params, mask, sw_total, opt["m"],
                                  opt["v"], hyper, opt["step"], bi, losses, norms):
                return bi
            opt["step"] += 1
        return n_batches
