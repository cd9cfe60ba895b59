"""WindowMLPRegressor: the feed-forward baseline on a fixed window."""

from sklearn.utils._param_validation import StrOptions

from ._base import BaseSequenceRegressor
from ._docstrings import fill_doc


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

    _parameter_constraints = {
        **BaseSequenceRegressor._parameter_constraints,
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
    }

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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.window = window
        self.standardize = standardize
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_grad_norm = max_grad_norm
