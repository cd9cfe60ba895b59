"""Docstring fragments shared by the estimators.

One text per parameter, so that ``window`` or ``max_grad_norm`` read the same
everywhere; :func:`fill_doc` inserts them where a docstring says ``%(name)s``.
Where regressors and classifiers differ (standardisation, early stopping,
the loss and its curves), each task has its own text under the same name.
"""

from sklearn.base import ClassifierMixin

_FRAGMENTS = {
    "window": """window : int or None, default=None
        Use only the last ``window`` timesteps of each sequence. ``None`` uses
        all of them. Must not exceed the number of timesteps of ``X``.""",
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

    %(max_iter)s

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

    %(early_stopping)s

    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates of the first and second moment estimates.

    epsilon : float, default=1e-8
        Adam's numerical stability constant.

    %(n_iter_no_change)s

    max_grad_norm : float or None, default=None
        Clip the global L2 norm of each minibatch gradient to this value
        before the update, the usual cure for exploding gradients. ``None``
        does not clip. ``grad_norm_curve_`` shows the norms before clipping.""",
    "class_weight": """class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, ``{label: weight}``, as in
        :class:`~sklearn.linear_model.LogisticRegression`: each sample's
        weight is multiplied by its class's. ``'balanced'`` weighs classes
        inversely to their frequency in ``y``, ``n_samples / (n_classes *
        np.bincount(y))``. ``None`` gives every class weight 1. Not for
        multilabel ``y``.""",
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

    %(loss_curve)s

    best_loss_ : float or None
        Lowest training loss; ``None`` with ``early_stopping``.

    %(validation_scores)s

    best_validation_score_ : float or None
        Best of ``validation_scores_``; ``None`` without ``early_stopping``.

    grad_norm_curve_ : list of float
        Mean over the minibatches of each epoch of the global gradient L2
        norm, before clipping. Vanishing and exploding gradients show here.

    params_ : ndarray of shape (n_params,)
        All weights and biases in one flat vector, float32 when fitted on
        float32 ``X``, float64 otherwise. ``weights_`` names its parts.

    %(statistics)s

    n_features_in_ : int
        Number of timesteps of the training sequences (sklearn's convention
        for the second axis of ``X``).

    n_sequence_features_ : int
        Number of features per timestep (1 for 2-D ``X``).

    feature_names_in_ : ndarray of shape (n_timesteps,)
        Column names, when ``X`` was a DataFrame with string column names.

    %(outputs)s""",
}


_TASK_FRAGMENTS = {
    "regressor": {
        "max_iter": """max_iter : int, default=200
        Maximum number of epochs.""",
        "n_iter_no_change": """n_iter_no_change : int, default=10
        Epochs without improvement by ``tol`` before training stops.""",
        "standardize": """standardize : bool, default=True
        Standardise inside the estimator: each feature of ``X`` by its mean
        and standard deviation over all samples and timesteps of the
        window, each output of ``y`` by its own, with sample-weighted
        statistics of the first fit (kept by ``warm_start`` and
        ``partial_fit``); ``predict`` returns ``y`` in its own units. Neural
        networks train badly on unscaled data, so this is on by default;
        ``False`` trains on the data as given (for data you scaled
        yourself, or to copy weights from another library).""",
        "early_stopping": """early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the samples, in the
        order given, and stop when their R^2 score stops improving; the
        weights of the best epoch are kept. The split is never random:
        with time-ordered windows a random split would leak the future into
        the validation set.

    validation_fraction : float, default=0.1
        Fraction of the samples (the last ones) held out with
        ``early_stopping``.""",
        "loss_curve": """loss_curve_ : list of float
        Training loss of each epoch: ``0.5 * mean squared error`` plus the L2
        penalty, as MLPRegressor reports it; of the standardised targets
        with ``standardize=True``.""",
        "validation_scores": """validation_scores_ : list of float or None
        R^2 on the held-out samples for each epoch; ``None`` without
        ``early_stopping``.""",
        "statistics": """X_mean_, X_scale_ : ndarray of shape (n_sequence_features,) or None
        Mean and scale of each sequence feature that inputs are standardised
        with, ``(X - X_mean_) / X_scale_``; None with ``standardize=False``.

    y_mean_, y_scale_ : ndarray of shape (n_outputs,) or None
        Mean and scale of each target: the network learns
        ``(y - y_mean_) / y_scale_``; None with ``standardize=False``.""",
        "outputs": """n_outputs_ : int
        Number of targets.""",
    },
    "classifier": {
        "max_iter": """max_iter : int, default=500
        Maximum number of epochs. More than the regressors' 200: see
        ``n_iter_no_change``.""",
        "n_iter_no_change": """n_iter_no_change : int, default=50
        Epochs without improvement by ``tol`` before training stops. More
        patient than MLPClassifier's 10: a recurrent classifier's loss often
        stalls for tens of epochs before it falls (on GunPoint, the LSTM's
        test accuracy rises from 86% to 94% over three seeds; see the user
        guide).""",
        "standardize": """standardize : bool, default=True
        Standardise each feature of ``X`` inside the estimator by its mean
        and standard deviation over all samples and timesteps of the
        window, with sample-weighted statistics of the first fit (kept by
        ``warm_start`` and ``partial_fit``). Neural networks train badly on
        unscaled data, so this is on by default; ``False`` trains on the
        data as given.""",
        "early_stopping": """early_stopping : bool, default=False
        Hold out a stratified random ``validation_fraction`` of the samples
        (drawn with ``random_state``, as MLPClassifier does) and stop when
        their accuracy stops improving; the weights of the best epoch are
        kept. For time-ordered data pass ``X_val, y_val`` to ``fit``
        instead.

    validation_fraction : float, default=0.1
        Fraction of the samples held out with ``early_stopping``.""",
        "loss_curve": """loss_curve_ : list of float
        Training loss of each epoch: the sample-weighted mean
        cross-entropy (log-loss) plus the L2 penalty, as MLPClassifier
        reports it.""",
        "validation_scores": """validation_scores_ : list of float or None
        Accuracy on the held-out samples for each epoch; ``None`` without
        ``early_stopping``.""",
        "statistics": """X_mean_, X_scale_ : ndarray of shape (n_sequence_features,) or None
        Mean and scale of each sequence feature that inputs are standardised
        with, ``(X - X_mean_) / X_scale_``; None with ``standardize=False``.""",
        "task_notes": """``X`` of shape ``(n_samples, n_timesteps)`` is read as univariate
    sequences; ``(n_samples, n_timesteps, n_features)`` as multivariate ones.
    sklearn's ``n_features_in_`` is then the number of timesteps. Binary
    ``y`` gets one logistic output, multiclass ``y`` a softmax, a 2-D 0/1
    indicator ``y`` independent logistic outputs (multilabel), as in
    :class:`~sklearn.neural_network.MLPClassifier`; the loss is its
    log-loss. Unlike MLPClassifier, ``y`` with a single class is an error.""",
        "examples": """>>> import numpy as np
    >>> from skrnn import %(class)s
    >>> rng = np.random.default_rng(0)
    >>> y = rng.choice(["fast", "slow"], size=200)
    >>> period = np.where(y == "fast", 2.0, 5.0)[:, np.newaxis]
    >>> X = np.sin(np.arange(30) / period + rng.uniform(0, 6, size=(200, 1)))
    >>> model = %(class)s(random_state=0).fit(X[:150], y[:150])
    >>> model.score(X[150:], y[150:]) > 0.9
    True
    >>> model.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])""",
        "outputs": """classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel ``y``, ``0 .. n_labels - 1``).

    n_outputs_ : int
        Number of output units: 1 for two classes, one per class for more,
        one per label for multilabel ``y``.

    out_activation_ : {'logistic', 'softmax'}
        The head's output function: logistic for binary and multilabel
        ``y``, softmax for multiclass.""",
    },
}


def fill_doc(obj):
    """Replace each ``%(name)s`` in ``obj.__doc__`` by the shared fragment,
    or by the fragment of the estimator's task (regressor or classifier)."""
    doc = obj.__doc__
    if doc is None:  # python -OO strips docstrings
        return obj
    task = _TASK_FRAGMENTS["classifier" if issubclass(obj, ClassifierMixin) else "regressor"]
    for name, text in {**_FRAGMENTS, **task}.items():  # shared ones first: they hold task ones
        doc = doc.replace(f"%({name})s", text)
    obj.__doc__ = doc.replace("%(class)s", obj.__name__)
    return obj
