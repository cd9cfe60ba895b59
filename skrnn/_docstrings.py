"""Docstring fragments shared by the three estimators.

One text per parameter, so that ``window`` or ``max_grad_norm`` read the same
everywhere; :func:`fill_doc` inserts them where a docstring says ``%(name)s``.
"""

_FRAGMENTS = {
    "window": """window : int or None, default=None
        Use only the last ``window`` timesteps of each sequence. ``None`` uses
        all of them. Must not exceed the number of timesteps of ``X``.""",
    "standardize": """standardize : bool, default=True
        Standardise inside the estimator: each feature of ``X`` by its mean
        and standard deviation over all samples and timesteps of the
        window, each output of ``y`` by its own, with sample-weighted
        statistics of the first fit (kept by ``warm_start`` and
        ``partial_fit``); ``predict`` returns ``y`` in its own units. Neural
        networks train badly on unscaled data, so this is on by default;
        ``False`` trains on the data as given (for data you scaled
        yourself, or to copy weights from another library).""",
    "training": """solver : {'adam', 'sgd'}, default='adam'
        The optimizer: Adam, or stochastic gradient descent with
        ``momentum``.

    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights (not on the biases),
        scaled by the sum of the sample weights of a minibatch as in
        :class:`~sklearn.neural_network.MLPRegressor`.

    batch_size : int or 'auto', default='auto'
        Minibatch size. ``'auto'`` uses ``min(32, n_samples)``: smaller than
        MLPRegressor's 200, because sequence data sets are often small and
        need the extra updates.

    learning_rate_init : float, default=1e-3
        The (constant) step size.

    max_iter : int, default=200
        Maximum number of epochs.

    shuffle : bool, default=True
        Shuffle the training samples into new minibatches each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation and shuffling. The same integer and the
        same data give a bit-identical model.

    tol : float, default=1e-4
        Training stops when the loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs.

    verbose : bool, default=False
        Print one line per epoch: loss, validation score (with
        ``early_stopping``), gradient norm and seconds.

    warm_start : bool, default=False
        Reuse the weights and optimizer state of the previous fit.

    momentum : float, default=0.9
        Momentum of ``solver='sgd'``.

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``solver='sgd'``.

    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the samples, in the
        order given, and stop when their R^2 score stops improving; the
        weights of the best epoch are kept. The split is never random:
        with time-ordered windows a random split would leak the future into
        the validation set.

    validation_fraction : float, default=0.1
        Fraction of the samples (the last ones) held out with
        ``early_stopping``.

    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates of the first and second moment estimates.

    epsilon : float, default=1e-8
        Adam's numerical stability constant.

    n_iter_no_change : int, default=10
        Epochs without improvement by ``tol`` before training stops.

    max_grad_norm : float or None, default=None
        Clip the global L2 norm of each minibatch gradient to this value
        before the update, the usual cure for exploding gradients. ``None``
        does not clip. ``grad_norm_curve_`` shows the norms before clipping.""",
    "bptt_steps": """bptt_steps : int or None, default=None
        Truncated backpropagation through time: gradients flow back at most
        ``bptt_steps`` timesteps from the output; earlier states are treated
        as constants. ``None`` backpropagates through the whole sequence.""",
    "attributes": """n_iter_ : int
        Number of epochs run.

    t_ : int
        Number of training samples seen by the optimizer.

    loss_ : float
        Training loss of the last epoch.

    loss_curve_ : list of float
        Training loss of each epoch: ``0.5 * mean squared error`` plus the L2
        penalty, as MLPRegressor reports it; of the standardised targets
        with ``standardize=True``.

    best_loss_ : float or None
        Lowest training loss; ``None`` with ``early_stopping``.

    validation_scores_ : list of float or None
        R^2 on the held-out samples for each epoch; ``None`` without
        ``early_stopping``.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; ``None`` without ``early_stopping``.

    grad_norm_curve_ : list of float
        Mean over the minibatches of each epoch of the global gradient L2
        norm, before clipping. Vanishing and exploding gradients show here.

    params_ : ndarray of shape (n_params,)
        All weights and biases in one flat vector, float32 when fitted on
        float32 ``X``, float64 otherwise. ``weights_`` names its parts.

    X_mean_, X_scale_ : ndarray of shape (n_sequence_features,) or None
        Mean and scale of each sequence feature that inputs are standardised
        with, ``(X - X_mean_) / X_scale_``; None with ``standardize=False``.

    y_mean_, y_scale_ : ndarray of shape (n_outputs,) or None
        Mean and scale of each target: the network learns
        ``(y - y_mean_) / y_scale_``; None with ``standardize=False``.

    n_features_in_ : int
        Number of timesteps of the training sequences (sklearn's convention
        for the second axis of ``X``).

    n_sequence_features_ : int
        Number of features per timestep (1 for 2-D ``X``).

    feature_names_in_ : ndarray of shape (n_timesteps,)
        Column names, when ``X`` was a DataFrame with string column names.

    n_outputs_ : int
        Number of targets.""",
}


def fill_doc(obj):
    """Replace each ``%(name)s`` in ``obj.__doc__`` by the shared fragment."""
    doc = obj.__doc__
    if doc is None:  # python -OO strips docstrings
        return obj
    for name, text in _FRAGMENTS.items():
        doc = doc.replace(f"%({name})s", text)
    obj.__doc__ = doc
    return obj
