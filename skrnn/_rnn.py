"""RNNRegressor: stacked vanilla recurrent layers trained by BPTT."""

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSequenceRegressor
from ._docstrings import fill_doc


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

    _parameter_constraints = {
        **BaseSequenceRegressor._parameter_constraints,
        "activation": [StrOptions({"tanh", "relu"})],
        "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
    }

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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.window = window
        self.standardize = standardize
        self.bptt_steps = bptt_steps
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
