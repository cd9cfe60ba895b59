"""GRURegressor: stacked GRU layers trained by BPTT."""

from numbers import Integral

from sklearn.utils._param_validation import Interval

from ._base import BaseSequenceRegressor
from ._docstrings import fill_doc


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

    _parameter_constraints = {
        **BaseSequenceRegressor._parameter_constraints,
        "bptt_steps": [None, Interval(Integral, 1, None, closed="left")],
    }

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
        self.hidden_layer_sizes = hidden_layer_sizes
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
