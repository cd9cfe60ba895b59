"""RNNRegressor and RNNClassifier: stacked vanilla recurrent layers trained by BPTT."""

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSequenceRegressor, store_parameters
from ._classifier import BaseSequenceClassifier
from ._docstrings import fill_doc

# The parameters this network adds, the same for its regressor and classifier.
_RNN_PARAMETERS = {
    "activation": [StrOptions({"tanh", "relu"})],
    "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
}


@fill_doc
class RNNRegressor(BaseSequenceRegressor):
    """Recurrent neural network (Elman RNN) regressor.

    Each layer computes ``h_t = activation(x_t @ W_ih + h_{t-1} @ W_hh + b)``
    over the whole sequence; a linear head maps the last hidden state of the
    top layer to the targets. Trained by backpropagation through time on the
    unrolled network, with Numba-compiled kernels.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Sizes of the stacked recurrent layers.

    activation : {'tanh', 'relu'}, default='tanh'
        Activation of the recurrent layers.

    %(window)s

    %(standardize)s

    %(bptt_steps)s

    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    LSTMRegressor : Gated recurrent network; trains where gradients of a
        plain RNN vanish.
    WindowMLPRegressor : Feed-forward baseline on a fixed window.

    Notes
    -----
    ``X`` of shape ``(n_samples, n_timesteps)`` is read as univariate
    sequences; ``(n_samples, n_timesteps, n_features)`` as multivariate ones.
    sklearn's ``n_features_in_`` is then the number of timesteps. Unlike
    MLPRegressor, a 2-D ``y`` with one column is predicted as 2-D, and
    ``early_stopping`` validates on the last samples, not a random split.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor, make_windows
    >>> series = np.sin(np.arange(300) / 5)
    >>> X, y = make_windows(series, window=10)
    >>> model = RNNRegressor(random_state=0).fit(X[:250], y[:250])
    >>> model.score(X[250:], y[250:]) > 0.9
    True
    """

    _network_kind = "rnn"

    _parameter_constraints = {**BaseSequenceRegressor._parameter_constraints, **_RNN_PARAMETERS}

    def __init__(
        self,
        hidden_layer_sizes=(32,),
        activation="tanh",
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
class RNNClassifier(BaseSequenceClassifier):
    """Recurrent neural network (Elman RNN) classifier.

    The network of :class:`RNNRegressor` (stacked layers computing
    ``h_t = activation(x_t @ W_ih + h_{t-1} @ W_hh + b)``) with a
    classification head: a linear layer on the last hidden state of the top
    layer gives one score per class, turned into probabilities by a
    logistic function (two classes, or multilabel) or a softmax.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Sizes of the stacked recurrent layers.

    activation : {'tanh', 'relu'}, default='tanh'
        Activation of the recurrent layers.

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
    RNNRegressor : The same network for regression.
    LSTMClassifier : Gated recurrent network; trains where gradients of a
        plain RNN vanish.
    WindowMLPClassifier : Feed-forward baseline on a fixed window.

    Notes
    -----
    %(task_notes)s

    Examples
    --------
    %(examples)s
    """

    _network_kind = "rnn"

    _parameter_constraints = {**BaseSequenceClassifier._parameter_constraints, **_RNN_PARAMETERS}

    def __init__(
        self,
        hidden_layer_sizes=(32,),
        activation="tanh",
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
