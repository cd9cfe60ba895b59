"""WindowMLPRegressor and WindowMLPClassifier: the feed-forward baseline on a fixed window."""

from sklearn.utils._param_validation import StrOptions

from ._base import BaseSequenceRegressor, store_parameters
from ._classifier import BaseSequenceClassifier
from ._docstrings import fill_doc

# The parameters this network adds, the same for its regressor and classifier.
_MLP_PARAMETERS = {
    "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
}


@fill_doc
class WindowMLPRegressor(BaseSequenceRegressor):
    """Multi-layer perceptron on a fixed window of the sequence.

    The last ``window`` timesteps of each sequence (all features) are
    flattened into one input vector for dense layers and a linear head. The
    network's memory is exactly its window: what happened earlier cannot
    influence the prediction. It is the baseline the recurrent models must
    beat, with the same API and training loop.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Sizes of the dense hidden layers.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden layers.

    %(window)s

    %(standardize)s

    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    RNNRegressor : Recurrent network with memory over the whole sequence.
    LSTMRegressor : Gated recurrent network for long-range dependence.
    sklearn.neural_network.MLPRegressor : The same model on flat features.

    Notes
    -----
    With 2-D ``X`` and ``window=None`` this is MLPRegressor with skrnn's
    training loop (time-ordered validation split, gradient clipping,
    ``grad_norm_curve_``). Weights are initialised as in MLPRegressor.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import WindowMLPRegressor, make_windows
    >>> series = np.sin(np.arange(300) / 5)
    >>> X, y = make_windows(series, window=10)
    >>> model = WindowMLPRegressor(random_state=0).fit(X[:250], y[:250])
    >>> model.score(X[250:], y[250:]) > 0.9
    True
    """

    _network_kind = "dense"

    _parameter_constraints = {**BaseSequenceRegressor._parameter_constraints, **_MLP_PARAMETERS}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        window=None,
        standardize=True,
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
class WindowMLPClassifier(BaseSequenceClassifier):
    """Multi-layer perceptron classifier on a fixed window of the sequence.

    The network of :class:`WindowMLPRegressor` (dense layers on the last
    ``window`` timesteps of each sequence, flattened) with a classification
    head: logistic (two classes, or multilabel) or softmax outputs. It is
    the baseline the recurrent classifiers must beat; with 2-D ``X`` and
    ``window=None`` it is :class:`~sklearn.neural_network.MLPClassifier`
    with skrnn's training loop.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Sizes of the dense hidden layers.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden layers.

    %(window)s

    %(standardize)s

    %(class_weight)s

    %(training)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    WindowMLPRegressor : The same network for regression.
    LSTMClassifier : Recurrent classifier with memory over the whole sequence.
    sklearn.neural_network.MLPClassifier : The same model on flat features.

    Notes
    -----
    %(task_notes)s

    Examples
    --------
    %(examples)s
    """

    _network_kind = "dense"

    _parameter_constraints = {**BaseSequenceClassifier._parameter_constraints, **_MLP_PARAMETERS}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        window=None,
        standardize=True,
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
