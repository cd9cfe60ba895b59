"""LSTMRegressor and LSTMClassifier: stacked LSTM layers trained by BPTT."""

from numbers import Integral

from sklearn.utils._param_validation import Interval

from ._base import BaseSequenceRegressor, store_parameters
from ._classifier import BaseSequenceClassifier
from ._docstrings import fill_doc

# The parameters this network adds, the same for its regressor and classifier.
_LSTM_PARAMETERS = {
    "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
}


@fill_doc
class LSTMRegressor(BaseSequenceRegressor):
    """Long short-term memory (LSTM) network regressor.

    Each layer carries a memory cell through the sequence, guarded by three
    sigmoid gates: the input gate ``i`` decides what enters the cell, the
    forget gate ``f`` what it keeps, the output gate ``o`` what it shows::

        i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (x_t @ W_ih + h_{t-1} @ W_hh + b)
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    The additive cell update lets gradients flow over many timesteps where
    those of a plain RNN vanish. A linear head maps the last hidden state of
    the top layer to the targets. Trained by backpropagation through time on
    the unrolled network, with Numba-compiled kernels.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Sizes of the stacked LSTM layers.

    %(window)s

    %(standardize)s

    %(bptt_steps)s

    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    RNNRegressor : Plain recurrent network, fewer weights.
    WindowMLPRegressor : Feed-forward baseline on a fixed window.

    Notes
    -----
    Gates are stored in PyTorch's order (input, forget, cell candidate,
    output) along the columns of ``W_ih``, ``W_hh`` (shapes
    ``(n_in, 4 * H)`` and ``(H, 4 * H)``) and ``b``; there is one bias
    vector where PyTorch has two. Initialisation: Glorot-uniform input
    weights, orthogonal recurrent weights, zero biases except a forget-gate
    bias of 1 (see the user guide for the measurement behind it).

    ``X`` of shape ``(n_samples, n_timesteps)`` is read as univariate
    sequences; ``(n_samples, n_timesteps, n_features)`` as multivariate ones.
    sklearn's ``n_features_in_`` is then the number of timesteps. Unlike
    MLPRegressor, a 2-D ``y`` with one column is predicted as 2-D, and
    ``early_stopping`` validates on the last samples, not a random split.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import LSTMRegressor, make_windows
    >>> series = np.sin(np.arange(300) / 5)
    >>> X, y = make_windows(series, window=10)
    >>> model = LSTMRegressor(random_state=0).fit(X[:250], y[:250])
    >>> model.score(X[250:], y[250:]) > 0.9
    True
    """

    _network_kind = "lstm"

    _parameter_constraints = {**BaseSequenceRegressor._parameter_constraints, **_LSTM_PARAMETERS}

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
class LSTMClassifier(BaseSequenceClassifier):
    """Long short-term memory (LSTM) network classifier.

    The network of :class:`LSTMRegressor` (stacked LSTM layers, whose
    gated cell state carries information over many timesteps) with a
    classification head: a linear layer on the last hidden state of the top
    layer gives one score per class, turned into probabilities by a
    logistic function (two classes, or multilabel) or a softmax.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Sizes of the stacked LSTM layers.

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
    LSTMRegressor : The same network for regression.
    GRUClassifier : Gated recurrent network with three weight blocks.
    WindowMLPClassifier : Feed-forward baseline on a fixed window.

    Notes
    -----
    The weights, their layout and initialisation are those of
    :class:`LSTMRegressor`.

    %(task_notes)s

    Examples
    --------
    %(examples)s
    """

    _network_kind = "lstm"

    _parameter_constraints = {**BaseSequenceClassifier._parameter_constraints, **_LSTM_PARAMETERS}

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
