"""Finite-difference checks of every kernel's gradient, in float64, and the
kernels' forward pass against a NumPy forward pass written from the equations.

The error reported is max_k |analytic_k - numeric_k| / max_k |numeric_k|:
the worst absolute error relative to the largest gradient entry. Central
differences with step 1e-6 in float64 are accurate to about 1e-9 here.
"""

import numpy as np
import pytest

from skrnn import _network
from skrnn._kernels.blas import direct_rows
from skrnn._kernels.recurrent import completed_block, ring_slot, steps_per_product
from skrnn._network import Network

TOL = 1e-6

# (network kind, activation): every recurrent cell, and both RNN activations.
CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)]
CELL_IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru"]


def _perturbed_params(net, seed):
    # Initial weights plus noise, so that no gradient is accidentally tiny
    # (the LSTM's zero biases, relu's dead units at init).
    rng = np.random.RandomState(seed)
    return net.init_params(rng, np.float64) + rng.normal(scale=0.3, size=net.layout.size)


def _relative_gradient_error(net, params, Xp, y, sw, alpha, bptt_steps=None, loss=None):
    grad = np.zeros_like(params)
    net.loss_grad(params, Xp, y, sw, alpha, grad, bptt_steps)
    if loss is None:
        def loss(p):
            return net.loss_grad(p, Xp, y, sw, alpha, np.zeros_like(p), bptt_steps)
    numeric = np.empty_like(params)
    eps = 1e-6
    for k in range(params.size):
        step = np.zeros_like(params)
        step[k] = eps
        numeric[k] = (loss(params + step) - loss(params - step)) / (2 * eps)
    return np.abs(grad - numeric).max() / np.abs(numeric).max()


def _data(n_samples=4, n_timesteps=5, n_features=2, n_outputs=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_timesteps, n_features))
    y = rng.normal(size=(n_samples, n_outputs))
    sw = rng.uniform(0.2, 3.0, size=n_samples)
    return X, y, sw


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("hidden", [(3,), (4, 3)], ids=["one-layer", "stacked"])
def test_recurrent_gradient_matches_finite_differences(kind, activation, hidden):
    X, y, sw = _data()
    net = Network(kind, 2, hidden, 2, activation)
    err = _relative_gradient_error(net, _perturbed_params(net, 1), X, y, sw, 0.0)
    assert err < TOL


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("hidden", [(5,), (5, 4)], ids=["one-layer", "stacked"])
def test_dense_gradient_matches_finite_differences(activation, hidden):
    X, y, sw = _data()
    net = Network("dense", 10, hidden, 2, activation)
    err = _relative_gradient_error(net, _perturbed_params(net, 1), X, y, sw, 0.0)
    assert err < TOL


@pytest.mark.parametrize(
    "net",
    [
        Network("rnn", 2, (3, 3), 2, "tanh"),
        Network("lstm", 2, (3, 3), 2),
        Network("gru", 2, (3, 3), 2),
        Network("dense", 10, (4,), 2, "tanh"),
    ],
    ids=["rnn", "lstm", "gru", "dense"],
)
def test_gradient_with_alpha_and_sample_weight(net):
    X, y, sw = _data(seed=3)
    params = _perturbed_params(net, 2)
    err = _relative_gradient_error(net, params, X, y, sw, alpha=0.7)
    assert err < TOL


def _class_targets(loss, n_samples, n_outputs, seed):
    # 0/1 targets as the classifiers encode them: one-hot rows for the
    # softmax, independent indicators for logistic outputs.
    rng = np.random.RandomState(seed)
    if loss == "log_loss":
        return np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    return rng.randint(2, size=(n_samples, n_outputs)).astype(float)


LOG_LOSSES = [("binary_log_loss", 1), ("binary_log_loss", 3), ("log_loss", 3)]
LOG_LOSS_IDS = ["binary", "multilabel", "softmax"]


@pytest.mark.parametrize("loss, n_outputs", LOG_LOSSES, ids=LOG_LOSS_IDS)
@pytest.mark.parametrize("kind, activation", CELLS + [("dense", "tanh")],
                         ids=CELL_IDS + ["dense"])
@pytest.mark.parametrize("hidden", [(3,), (4, 3)], ids=["one-layer", "stacked"])
def test_classifier_heads_gradient_matches_finite_differences(kind, activation, hidden, loss,
                                                              n_outputs):
    X, _, sw = _data(seed=6)
    y = _class_targets(loss, 4, n_outputs, seed=7)
    n_inputs = 10 if kind == "dense" else 2
    net = Network(kind, n_inputs, hidden, n_outputs, activation, loss)
    err = _relative_gradient_error(net, _perturbed_params(net, 1), X, y, sw, alpha=0.3)
    assert err < TOL


def _reference_log_loss(loss, z, y, sw):
    # MLPClassifier's log-losses written out: cross-entropy of the
    # probabilities, summed over outputs, sample-weighted mean.
    if loss == "log_loss":
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        per_sample = -(y * np.log(p)).sum(axis=1)
    else:
        p = 1 / (1 + np.exp(-z))
        per_sample = -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1)
    return float(sw @ per_sample) / sw.sum()


@pytest.mark.parametrize("loss, n_outputs", LOG_LOSSES, ids=LOG_LOSS_IDS)
def test_log_losses_are_mlpclassifiers_and_stay_finite_for_extreme_scores(loss, n_outputs):
    X, _, sw = _data(seed=2)
    y = _class_targets(loss, 4, n_outputs, seed=3)
    net = Network("lstm", 2, (3,), n_outputs, loss=loss)
    params = _perturbed_params(net, 4)
    z = net.predict(params, X)
    assert net.loss_grad(params, X, y, sw, 0.0, np.zeros_like(params)) == pytest.approx(
        _reference_log_loss(loss, z, y, sw), rel=1e-12)
    # Scores of +-1e4 (the head's bias) overflow exp() in the formula above;
    # the kernels' log-sum-exp gives the exact, finite loss: a wrong score
    # of size s costs s, and a right one nothing.
    for dtype in (np.float64, np.float32):
        huge = params.astype(dtype)
        bias = net.layout.views(huge)["output.b"]
        bias[:] = 1e4 * np.where(np.arange(n_outputs) == 0, 1, -1)
        z = net.predict(huge, X.astype(dtype))
        grad = np.zeros_like(huge)
        value = net.loss_grad(huge, X.astype(dtype), y, sw, 0.0, grad)
        assert np.isfinite(value) and np.isfinite(grad).all()
        if loss == "log_loss":
            wrong = z.max(axis=1) - (z * y).sum(axis=1)
        else:
            wrong = (np.maximum(z, 0) - y * z).sum(axis=1)
        assert value == pytest.approx(float(sw @ wrong) / sw.sum(), rel=1e-6)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_sample_weight_enters_the_loss(kind):
    # A zero weight removes a sample: same loss and gradient as dropping it.
    X, y, sw = _data(n_samples=5, seed=4)
    sw[2] = 0.0
    net = Network(kind, 2, (3,), 2)
    params = _perturbed_params(net, 0)
    keep = np.array([0, 1, 3, 4])
    g_all, g_kept = np.zeros_like(params), np.zeros_like(params)
    loss_all = net.loss_grad(params, X, y, sw, 0.1, g_all)
    loss_kept = net.loss_grad(params, X[keep], y[keep], sw[keep], 0.1, g_kept)
    assert loss_all == pytest.approx(loss_kept, rel=1e-12)
    np.testing.assert_allclose(g_all, g_kept, rtol=1e-10, atol=1e-14)


# --- A NumPy forward pass from the equations ---------------------------------
# It uses "frozen" weights for the steps before the truncation point and
# "live" weights after it, so that its derivative with respect to the live
# weights is the gradient of the truncated graph (earlier states are
# constants).


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _reference_step(net, v, k, x, h, c):
    """One step of layer k from the documented equations: (h, c)."""
    p = f"layer{k}."
    H = h.shape[1]
    if net.kind == "gru":  # PyTorch's nn.GRU: r, z, n; b_hn inside r * (...)
        a_x = x @ v[p + "W_ih"] + v[p + "b_ih"]
        a_h = h @ v[p + "W_hh"] + v[p + "b_hh"]
        r = _sigmoid(a_x[:, :H] + a_h[:, :H])
        z = _sigmoid(a_x[:, H : 2 * H] + a_h[:, H : 2 * H])
        n = np.tanh(a_x[:, 2 * H :] + r * a_h[:, 2 * H :])
        return (1 - z) * n + z * h, c
    a = x @ v[p + "W_ih"] + h @ v[p + "W_hh"] + v[p + "b"]
    if net.kind == "lstm":  # PyTorch's nn.LSTM: i, f, g, o
        i, f, g, o = np.split(a, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        return _sigmoid(o) * np.tanh(c), c
    return (np.tanh(a) if net.activation == "tanh" else np.maximum(a, 0)), c


def _reference_predict(net, live, frozen, X, t_stop=0):
    views_live, views_frozen = net.layout.views(live), net.layout.views(frozen)
    seq = X.transpose(1, 0, 2)  # (T, B, D)
    T, B, _ = seq.shape
    for k, n_h in enumerate(net.sizes[1:-1]):
        h = np.zeros((B, n_h))
        c = np.zeros((B, n_h))
        outputs = []
        for t in range(T):
            v = views_live if t >= t_stop else views_frozen
            h, c = _reference_step(net, v, k, seq[t], h, c)
            outputs.append(h)
        seq = np.stack(outputs)
    return h @ views_live["output.W"] + views_live["output.b"]


def _reference_loss(net, live, frozen, X, y, sw, t_stop):
    pred = _reference_predict(net, live, frozen, X, t_stop)
    return 0.5 * float(sw @ ((pred - y) ** 2).sum(axis=1)) / (sw.sum() * y.shape[1])


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("n_features", [1, 2])  # 1: the input product is a plain loop
def test_predict_matches_the_numpy_forward_pass_across_chunks(
    kind, activation, dtype, rtol, n_features, monkeypatch
):
    # predict keeps no history where training keeps every step's state, and
    # runs in chunks: a tiny budget forces several, the last one partial.
    monkeypatch.setattr(_network, "_PREDICT_WORKSPACE_BYTES", 3000)
    X, _, _ = _data(n_samples=23, n_timesteps=7, n_features=n_features, seed=8)
    net = Network(kind, n_features, (4, 3), 2, activation)
    params = _perturbed_params(net, 5)
    batch = net._predict_batch_size(7, 23, dtype)
    assert 1 < batch < 23 and 23 % batch
    pred = net.predict(params.astype(dtype), X.astype(dtype))
    assert pred.dtype == dtype
    expected = _reference_predict(net, params, params, X)
    np.testing.assert_allclose(pred, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_predict_memory_grows_with_the_sequence_only_by_what_later_layers_read(kind):
    # One layer: only the gathered input grows with T. Stacked: also the
    # lower layer's outputs, the upper layer's input; never the top's states
    # or the gates and cell states.
    def extra(hidden):
        net = Network(kind, 3, hidden, 1, "tanh" if kind == "rnn" else None)
        short = net.workspace(10, 64, np.float64, training=False)[0].size
        return net.workspace(1000, 64, np.float64, training=False)[0].size - short

    assert extra((16,)) == (1000 - 10) * 64 * 3
    assert extra((16, 8)) == (1000 - 10) * 64 * (3 + 16)


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("bptt_steps", [1, 2, 4])
def test_truncated_bptt_is_the_gradient_of_the_truncated_graph(kind, activation, bptt_steps):
    X, y, sw = _data(n_timesteps=6, seed=5)
    net = Network(kind, 2, (3, 2), 2, activation)
    params = _perturbed_params(net, 3)
    t_stop = 6 - bptt_steps
    # The reference with live == frozen is the ordinary forward pass.
    assert _reference_loss(net, params, params, X, y, sw, t_stop) == pytest.approx(
        net.loss_grad(params, X, y, sw, 0.0, np.zeros_like(params)), rel=1e-12
    )
    err = _relative_gradient_error(
        net, params, X, y, sw, 0.0, bptt_steps,
        loss=lambda p: _reference_loss(net, p, params, X, y, sw, t_stop),
    )
    assert err < TOL


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
def test_truncated_bptt_reads_nothing_stale_from_the_workspace(kind, activation, monkeypatch):
    # A fresh workspace is np.empty, often zeroed pages: a kernel that reads
    # a row it never wrote (the steps before truncation) would pass the test
    # above by luck. Filled with NaN, such a read poisons the gradient.
    X, y, sw = _data(n_timesteps=6, seed=5)
    net = Network(kind, 2, (3, 2), 2, activation)
    params = _perturbed_params(net, 3)
    clean = np.zeros_like(params)
    net.loss_grad(params, X, y, sw, 0.0, clean, 2)
    workspace = Network.workspace

    def poisoned(self, *args, **kwargs):
        ws, w_off, s_off = workspace(self, *args, **kwargs)
        ws[:] = np.nan
        return ws, w_off, s_off

    monkeypatch.setattr(Network, "workspace", poisoned)
    grad = np.zeros_like(params)
    net.loss_grad(params, X, y, sw, 0.0, grad, 2)
    np.testing.assert_array_equal(grad, clean)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_truncation_changes_the_gradient(kind):
    # Guards the test above against a reference that ignores truncation.
    X, y, sw = _data(n_timesteps=6, seed=5)
    net = Network(kind, 2, (3,), 2, "tanh" if kind == "rnn" else None)
    params = _perturbed_params(net, 3)
    g_full, g_cut = np.zeros_like(params), np.zeros_like(params)
    net.loss_grad(params, X, y, sw, 0.0, g_full, None)
    net.loss_grad(params, X, y, sw, 0.0, g_cut, 2)
    assert np.abs(g_full - g_cut).max() > 1e-3
    g_long = np.zeros_like(params)
    net.loss_grad(params, X, y, sw, 0.0, g_long, 6)
    np.testing.assert_array_equal(g_full, g_long)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_kernels_agree_with_float64(kind):
    X, y, sw = _data(seed=6)
    net = Network(kind, 2, (4, 3), 2, "tanh" if kind == "rnn" else None)
    params = _perturbed_params(net, 4)
    g64, g32 = np.zeros_like(params), np.zeros(params.size, dtype=np.float32)
    p32 = params.astype(np.float32)
    Xp32 = X.astype(np.float32)
    loss64 = net.loss_grad(params, X, y, sw, 0.1, g64)
    loss32 = net.loss_grad(p32, Xp32, y.astype(np.float32), sw.astype(np.float32), 0.1, g32)
    assert net.predict(p32, Xp32).dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5 * np.abs(g64).max())


# The steps of padding before each sequence of a minibatch: in any order
# (padding rows zeroed), and shortest first as the kernels order a
# minibatch (padding rows skipped by the steps).
LEADS = {"any order": [0, 2, 4, 1], "shortest first": [4, 2, 1, 0]}


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("hidden", [(3,), (4, 3)], ids=["one-layer", "stacked"])
@pytest.mark.parametrize("order", LEADS)
def test_padded_minibatch_gradient_matches_finite_differences(kind, activation, hidden, order):
    # Sequences of 5, 3, 1 and 4 real steps, right-aligned after padding
    # (any values: the kernels must not read them).
    X, y, sw = _data(n_samples=4, n_timesteps=5, seed=9)
    lead = np.array(LEADS[order])
    net = Network(kind, 2, hidden, 2, activation)
    params = _perturbed_params(net, 4)
    grad = np.zeros_like(params)
    net.loss_grad(params, X, y, sw, 0.2, grad, lead=lead)

    def loss(p):
        return net.loss_grad(p, X, y, sw, 0.2, np.zeros_like(p), lead=lead)

    numeric = np.empty_like(params)
    for k in range(params.size):
        step = np.zeros_like(params)
        step[k] = 1e-6
        numeric[k] = (loss(params + step) - loss(params - step)) / 2e-6
    assert np.abs(grad - numeric).max() / np.abs(numeric).max() < TOL


def _sequence_by_sequence(net, params, X, y, sw, lead, bptt_steps):
    # The sample-weighted sums of each sequence's loss and gradient, each
    # computed alone, from its first real step (after lead[i] of padding).
    g_sum, v_sum = np.zeros_like(params), 0.0
    for i, k in enumerate(lead):
        g = np.zeros_like(params)
        v_sum += sw[i] * net.loss_grad(params, X[i : i + 1, k:], y[i : i + 1], sw[i : i + 1],
                                       0.0, g, bptt_steps)
        g_sum += sw[i] * g
    return v_sum, g_sum


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("lead", [[3, 0, 5], [5, 3, 0]], ids=["any order", "shortest first"])
@pytest.mark.parametrize("bptt_steps", [None, 2], ids=["full BPTT", "truncated"])
def test_a_padded_minibatch_is_the_weighted_sum_of_its_sequences_alone(kind, activation, lead,
                                                                         bptt_steps):
    # Loss and gradient of a padded batch equal the sample-weighted average
    # of each sequence's own, computed without any padding: the padding's
    # values, and the other sequences, change nothing. Truncated BPTT
    # counts each sequence's last real steps.
    X, y, sw = _data(n_samples=3, n_timesteps=6, seed=10)
    lead = np.array(lead)
    X_noisy = X.copy()
    for i, k in enumerate(lead):
        X_noisy[i, :k] = 1e3  # padding values the kernels must ignore
    net = Network(kind, 2, (4, 3), 2, activation)
    params = _perturbed_params(net, 5)
    g_batch = np.zeros_like(params)
    value = net.loss_grad(params, X_noisy, y, sw, 0.0, g_batch, bptt_steps, lead=lead)
    v_sum, g_sum = _sequence_by_sequence(net, params, X, y, sw, lead, bptt_steps)
    assert value == pytest.approx(v_sum / sw.sum(), rel=1e-12)
    np.testing.assert_allclose(g_batch, g_sum / sw.sum(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kind, activation", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("bptt_steps", [None, 4], ids=["full BPTT", "truncated"])
@pytest.mark.parametrize("direct", [0, 150_000, 10**9],
                         ids=["blocks", "step by step in rows", "step by step"])
def test_weight_gradients_added_block_by_block_are_the_sum_over_sequences(kind, activation,
                                                                           bptt_steps, direct):
    # A minibatch wide enough that the backward pass adds its weight
    # gradients a few steps at a time (recurrent.add_weight_grads), or one
    # step at a time where the BLAS computes a step's product directly,
    # whole or in blocks of rows (blas.gemm_direct: then each step's
    # forward and backward products go in blocks too), padded and
    # truncated, against each sequence's gradient alone.
    n, T, H = 64, 10, 64
    X, y, sw = _data(n_samples=n, n_timesteps=T, seed=11)
    lead = np.random.RandomState(12).randint(0, 6, size=n)
    net = Network(kind, 2, (H, 3), 2, activation)
    net.kernel_net = net.kernel_net._replace(direct=np.int64(direct))
    params = _perturbed_params(net, 6)
    G = {"rnn": 1, "lstm": 4, "gru": 3}[kind] * H
    k = {"rnn": 2 + H, "lstm": 2 + H, "gru": H}[kind]
    per_product = steps_per_product(n, k, G, 8, direct)
    assert (per_product == 1) if direct else (1 < per_product < T - 1)
    if direct == 150_000:  # every product of a step is split
        assert n * k * G > direct and 0 < direct_rows(k, G, direct) < n
        assert 0 < direct_rows(n, G, direct) < k and 0 < direct_rows(G, H, direct) < n
    g_batch = np.zeros_like(params)
    value = net.loss_grad(params, X, y, sw, 0.0, g_batch, bptt_steps, lead=lead)
    v_sum, g_sum = _sequence_by_sequence(net, params, X, y, sw, lead, bptt_steps)
    assert value == pytest.approx(v_sum / sw.sum(), rel=1e-12)
    np.testing.assert_allclose(g_batch, g_sum / sw.sum(), rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("T", [1, 2, 5, 12])
def test_each_block_of_steps_lies_in_consecutive_slots_of_its_ring(T):
    # The GRU's backward keeps its gradients in a ring of a block's steps
    # (recurrent.ring_slot): each block that completed_block closes must lie
    # in consecutive slots, in step order (its product reads them as one
    # matrix), inside the T rows of the workspace, whatever the block size
    # (larger than T too: a small model's) and the truncation.
    for per_product in range(1, T + 4):
        for t_stop in range(T):
            block = []
            for t in range(T - 1, t_stop - 1, -1):
                block.insert(0, ring_slot(t, T, per_product))
                t_hi = completed_block(t, T, t_stop, per_product)
                if t_hi:
                    assert len(block) == t_hi - t
                    assert block == list(range(block[0], block[0] + len(block)))
                    assert 0 <= block[0] and block[-1] < min(per_product, T)
                    block = []
            assert block == []


# Every cell with and without a window; the window MLP needs one no longer
# than every sequence.
READERS = [(kind, act, w) for kind, act in CELLS for w in (None, 3)] + [("dense", "tanh", 3)]


@pytest.mark.parametrize("kind, activation, window", READERS,
                         ids=[f"{k}-{a}-window{w}" for k, a, w in READERS])
def test_predict_reads_each_sequences_real_steps_wherever_the_padding_is(kind, activation,
                                                                         window):
    # Sequences of 7, 4, 5 and 3 real steps in one array of 9, padded with
    # garbage before, after or on both sides: each prediction is that of the
    # sequence alone (its last `window` steps), whatever its neighbours.
    rng = np.random.RandomState(11)
    lengths, firsts = [7, 4, 5, 3], [0, 5, 1, 3]
    alone = [rng.normal(size=(n, 2)) for n in lengths]
    X = rng.normal(size=(4, 9, 2)) * 1e3
    spans = np.zeros((4, 2), dtype=np.int64)
    for i, (seq, first) in enumerate(zip(alone, firsts)):
        X[i, first : first + len(seq)] = seq
        spans[i] = first, first + len(seq)
    T = window or 9  # the network reads at most T steps of each
    n_inputs = 2 * window if kind == "dense" else 2
    net = Network(kind, n_inputs, (4, 3), 2, activation)
    params = _perturbed_params(net, 6)
    pred = net.predict(params, X, t0=9 - T, spans=spans)
    for i, seq in enumerate(alone):
        expected = net.predict(params, seq[np.newaxis, -T:])
        np.testing.assert_allclose(pred[i], expected[0], rtol=1e-12, atol=1e-14)
