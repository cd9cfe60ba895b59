"""GRURegressor and GRUClassifier: stacked GRU layers trained by BPTT."""

from numbers import Integral

from sklearn.utils._param_validation import Interval

from ._base import BaseSequenceRegressor, store_parameters
from ._classifier import BaseSequenceClassifier
from ._docstrings import fill_doc

# The parameters this network adds, the same for its regressor and classifier.
_GRU_PARAMETERS = {
    "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
}


@fill_doc
class GRURegressor(BaseSequenceRegressor):
    """Gated recurrent unit (GRU) network regressor.

    Each layer carries its hidden state through the sequence under two
    sigmoid gates: the reset gate ``r`` decides how much of the previous
    state enters the candidate ``n``, the update gate ``z`` how much of the
    previous state is kept::

        r = sigmoid(x_t @ W_ir + b_ir + h_{t-1} @ W_hr + b_hr)
        z = sigmoid(x_t @ W_iz + b_iz + h_{t-1} @ W_hz + b_hz)
        n = tanh(x_t @ W_in + b_in + r * (h_{t-1} @ W_hn + b_hn))
        h_t = (1 - z) * n + z * h_{t-1}

    Like the LSTM's cell state, the update ``z * h_{t-1}`` lets gradients
    flow over many timesteps, with three weight blocks where the LSTM has
    four. A linear head maps the last hidden state of the top layer to the
    targets. Trained by backpropagation through time on the unrolled
    network, with Numba-compiled kernels.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Sizes of the stacked GRU layers.

    %(window)s

    %(standardize)s

    %(bptt_steps)s

    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    LSTMRegressor : Gated recurrent network with a separate cell state.
    RNNRegressor : Plain recurrent network, fewer weights.
    WindowMLPRegressor : Feed-forward baseline on a fixed window.

    Notes
    -----
    The equations and the gate order (reset, update, new) are PyTorch's
    ``nn.GRU``. The gates are stored along the columns of ``W_ih`` and
    ``W_hh`` (shapes ``(n_in, 3 * H)`` and ``(H, 3 * H)``), and of the two
    bias vectors ``b_ih`` and ``b_hh`` (``3 * H`` each): ``b_hn`` acts inside
    the reset product, so the two cannot be merged. PyTorch's
    ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}`` and
    ``bias_hh_l{k}`` are these arrays transposed (weights) or as they are
    (biases). Initialisation: Glorot-uniform input weights, orthogonal
    recurrent weights, zero biases (see the user guide for the
    measurement behind it).

    ``X`` of shape ``(n_samples, n_timesteps)`` is read as univariate
    sequences; ``(n_samples, n_timesteps, n_features)`` as multivariate ones.
    sklearn's ``n_features_in_`` is then the number of timesteps. Unlike
    MLPRegressor, a 2-D ``y`` with one column is predicted as 2-D, and
    ``early_stopping`` validates on the last samples, not a random split.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import GRURegressor, make_windows
    >>> series = np.sin(np.arange(300) / 5)
    >>> X, y = make_windows(series, window=10)
    >>> model = GRURegressor(random_state=0).fit(X[:250], y[:250])
    >>> model.score(X[250:], y[250:]) > 0.9
    True
    """

    _network_kind = "gru"

    _parameter_constraints = {**BaseSequenceRegressor._parameter_constraints, **_GRU_PARAMETERS}

    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        window=None,
        standardize=True,
        bptt_steps=None,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_grad_norm=None,
    ):
        store_parameters(self, locals())


@fill_doc
class GRUClassifier(BaseSequenceClassifier):
    """Gated recurrent unit (GRU) network classifier.

    The network of :class:`GRURegressor` (stacked GRU layers with reset
    and update gates, PyTorch's equations) with a classification head: a
    linear layer on the last hidden state of the top layer gives one score
    per class, turned into probabilities by a logistic function (two
    classes, or multilabel) or a softmax.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Sizes of the stacked GRU layers.

    %(window)s

    %(standardize)s

    %(bptt_steps)s

    %(class_weight)s

    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    GRURegressor : The same network for regression.
    LSTMClassifier : Gated recurrent network with a separate cell state.
    WindowMLPClassifier : Feed-forward baseline on a fixed window.

    Notes
    -----
    The weights, their layout and initialisation are those of
    :class:`GRURegressor`.

    %(task_notes)s

    Examples
    --------
    %(examples)s
    """

    _network_kind = "gru"

    _parameter_constraints = {**BaseSequenceClassifier._parameter_constraints, **_GRU_PARAMETERS}

    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        window=None,
        standardize=True,
        bptt_steps=None,
        class_weight=None,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=500,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=50,
        max_grad_norm=None,
    ):
        store_parameters(self, locals())
