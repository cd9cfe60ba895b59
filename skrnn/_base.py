"""The estimator all models share: the sklearn API, the fitted architecture, persistence.

The public estimators say which network kind they train (``_network_kind``)
and which parameters they add; :class:`BaseSequenceModel` does the rest,
with the modules it calls: ``_validation`` (input), ``_standardize``
(statistics), ``_network`` (the network of an architecture) and
``_training`` (the epoch loop). What differs between regression and
classification (targets, loss, hold-out split, validation score, predict)
is a handful of methods that :class:`BaseSequenceRegressor` here and
``BaseSequenceClassifier`` (``_classifier``) implement.

The architecture (network kind, sizes, activation, loss, dtype, window,
standardisation) is recorded at the first fit in ``_architecture``;
``predict``, pickling, ``warm_start`` and ``partial_fit`` read only that,
never the current constructor parameters.
"""

import copy
import threading
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _standardize, _training
from ._network import Network
from ._sequences import check_window_lengths
from ._threads import one_blas_thread, thread_setting
from ._validation import (
    check_hidden_layer_sizes,
    check_y_like_fit,
    columns,
    hold_out_last,
    kernel_array,
    validate_fit,
    validate_predict,
)
from ._version import __version__

# The fitted attributes that training reads and updates: what warm start and
# partial_fit copy before they train.
_TRAINING_STATE = (
    "_rng", "params_", "_optimizer_state", "n_iter_", "t_", "loss_curve_", "grad_norm_curve_",
    "best_loss_", "validation_scores_", "best_validation_score_", "_no_improvement_count",
)

# The fitted attributes that stay as the first fit made them (with the task's
# own, ``_TASK_STATE``).
_FIXED_STATE = ("_architecture", "_net", "X_mean_", "X_scale_")

# The estimators being fitted now, by id, and the lock that guards the set:
# a second fit of the same object from another thread is refused, never
# interleaved with the first.
_FITTING = set()
_FITTING_LOCK = threading.Lock()

# The constructor parameters that the fitted network is made of: a warm start
# or partial_fit continues that network, so they must not have changed.
_ARCHITECTURE_PARAMETERS = ("hidden_layer_sizes", "activation", "window", "standardize")


class InconsistentVersionWarning(UserWarning):
    """A model is unpickled with another skrnn version than the one that saved it.

    Like scikit-learn's warning of the same name: the model may load and
    predict fine, or not; refit it with the installed version to be safe.
    """


def store_parameters(estimator, parameters):
    """sklearn's rule for ``__init__``: every parameter stored as given, under
    its own name, and nothing else; ``parameters`` is ``__init__``'s
    ``locals()``. One line in each estimator instead of one per parameter."""
    for name, value in parameters.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class BaseSequenceModel(BaseEstimator):
    """Training machinery shared by the sequence regressors and classifiers."""

    #: The network the subclass trains: 'rnn', 'lstm', 'gru' or 'dense'.
    _network_kind = None

    #: The fitted attributes of the task that stay as the first fit made them.
    _TASK_STATE = ()

    #: Whether ``standardize=True`` also standardises the targets.
    _standardizes_targets = False

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "window": [None, Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"adam", "sgd"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
        "standardize": ["boolean"],
    }

    # ------------------------------------------------------------------ API

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # NaN is padding: whole steps before or after a sequence's real ones
        # (any other NaN is an error naming the sample and step).
        tags.input_tags.allow_nan = True
        return tags

    def __sklearn_is_fitted__(self):
        # check_is_fitted's default scans every attribute (~6 us a call, a
        # tenth of predicting one sequence). fit sets params_ together with
        # every other fitted attribute, in one dictionary update.
        return hasattr(self, "params_")

    @property
    def weights_(self):
        """Dict of name -> array: named views into ``params_``.

        Names are ``'layer{k}.<name>'`` for the arrays of hidden layer ``k``
        as each estimator's Notes list them (``W_ih``, ``W_hh``, ``b`` for
        RNN and LSTM layers; ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh`` for GRU
        layers; ``W``, ``b`` for dense layers), and ``'output.W'``,
        ``'output.b'`` for the linear head. Weight matrices have shape
        ``(n_inputs, n_outputs)``, applied as ``x @ W``. With
        ``standardize=True`` the network, and so these weights, act on
        standardised data: its inputs are ``(X - X_mean_) / X_scale_``
        (and a regressor's outputs ``(y - y_mean_) / y_scale_``).
        """
        check_is_fitted(self)
        return self._net.layout.views(self.params_)

    def _network_output(self, X):
        """The head's outputs (n, n_out) for ``X``, of the model's dtype:
        a regressor's standardised predictions, a classifier's scores."""
        if not self.__sklearn_is_fitted__():
            # Only then: check_is_fitted reads the tags first (~1.5 us a
            # call, a tenth of predicting one sequence).
            check_is_fitted(self)
        X, spans = validate_predict(self, X)
        architecture = self._architecture
        if architecture["network"] == "dense":
            check_window_lengths(self, architecture["window"], spans, X, fitting=False)
        scaling = _standardize.input_scaling(vars(self), X.shape[2], X.dtype)
        t0 = X.shape[1] - steps_read(architecture, X.shape[1])
        out = self._net.predict(self.params_, X, t0, scaling, self.verbose, spans=spans)
        if not np.isfinite(out).all():
            raise ValueError(
                "The predictions overflowed to infinity or NaN: X holds values far "
                f"outside those seen in fit (largest magnitude {np.nanmax(np.abs(X)):.3g}). "
                "Scale X as it was scaled for fit, for example with a StandardScaler "
                "in a Pipeline."
            )
        return out

    # ---------------------------------------------------------------- tasks
    # What a regressor and a classifier each do their own way.

    def _task_state(self, y, classes):
        """The fitted attributes a first fit derives from its targets (a dict
        with the loss's name under "_loss"); errors on targets of the wrong kind."""
        raise NotImplementedError

    def _check_targets(self, y):
        """Validated ``y`` (or ``y_val``) as the task reads it."""
        return y

    def _encode_targets(self, y, name, state, incremental):
        """Targets (n, n_out) in the units the loss reads, before any
        standardisation; errors when they do not fit the fitted model."""
        raise NotImplementedError

    def _training_weights(self, y, name, sample_weight, state, incremental, y_train):
        """The weight of each sample of ``y`` (or ``y_val``) in the loss (or
        the validation score); ``y_train`` the training targets, whose
        statistics any task-level weights come from."""
        return sample_weight

    def _hold_out(self, y, state):
        """Indices of the training and validation samples of early stopping."""
        raise NotImplementedError

    def _network_targets(self, Y, state):
        """Encoded targets as the network learns them."""
        return Y

    def _validation_score(self, Y, out, sample_weight, state):
        """Early stopping's score of network outputs ``out`` for targets ``Y``
        (as the network learns them) in a fit of ``state``; higher is better."""
        raise NotImplementedError

    # --------------------------------------------------------- architecture

    def _architecture_now(self, n_timesteps, n_features, n_outputs, loss, dtype):
        """The architecture the current parameters give for this data."""
        return {
            "network": self._network_kind,
            "hidden_layer_sizes": check_hidden_layer_sizes(self.hidden_layer_sizes),
            "activation": getattr(self, "activation", None),
            "window": n_timesteps if self.window is None else self.window,
            # Without a window a recurrent network reads whole sequences, of
            # any length at predict.
            "window_set": self.window is not None,
            "standardize": bool(self.standardize),
            "n_sequence_features": n_features,
            "n_outputs": n_outputs,
            "loss": loss,
            "dtype": np.dtype(dtype).name,
        }

    def _check_architecture_unchanged(self, incremental):
        """A warm start or partial_fit continues the fitted network: the
        parameters it is made of must still be those of the first fit."""
        fitted = self._architecture
        now = self._architecture_now(self.n_features_in_, fitted["n_sequence_features"],
                                     fitted["n_outputs"], fitted["loss"], fitted["dtype"])
        for name in _ARCHITECTURE_PARAMETERS:
            if now[name] != fitted[name]:
                how = "call fit" if incremental else "set warm_start=False"
                raise ValueError(
                    f"{name}={now[name]!r} differs from the fitted model's "
                    f"{name}={fitted[name]!r}: {'partial_fit' if incremental else 'warm_start'} "
                    f"continues training the fitted network. Set {name} back, or {how} to "
                    "train a new one."
                )

    # ------------------------------------------------------------- training

    def _fit(self, X, y, sample_weight, incremental, validation=(None, None, None),
             classes=None):
        # A failed call must leave a fitted model exactly as it was: every
        # attribute is set from local results at the end, and on any error
        # the instance dictionary is restored.
        with _FITTING_LOCK:
            if id(self) in _FITTING:
                raise RuntimeError(
                    f"This {type(self).__name__} is being fitted in another thread. One "
                    "estimator object trains one model at a time: fit a clone "
                    "(sklearn.base.clone) in each thread."
                )
            _FITTING.add(id(self))
        saved = dict(self.__dict__)
        try:
            thread_setting()  # a setting that is not a number is an error first
            # One BLAS thread for the whole fit, NumPy's calls too (the
            # orthogonal initialisation's QR): left at several threads, its
            # worker would spin for a while after the call on the core that
            # the second half of each minibatch needs.
            with one_blas_thread():
                return self._fit_unsafe(X, y, sample_weight, incremental, validation, classes)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
        finally:
            with _FITTING_LOCK:
                _FITTING.discard(id(self))

    def _fit_unsafe(self, X, y, sample_weight, incremental, validation, classes):
        first = not hasattr(self, "params_") or not (self.warm_start or incremental)
        check_hidden_layer_sizes(self.hidden_layer_sizes)
        dtype = None if first else self.params_.dtype
        data = validate_fit(self, X, y, sample_weight, validation, reset=first, dtype=dtype)
        y = self._check_targets(data.y)
        if first:
            state = self._task_state(y, classes)
        else:
            self._check_architecture_unchanged(incremental)
            state = self._state_copy()
        X, spans = data.X, data.spans
        Y = self._encode_targets(y, "y", state, incremental)
        sw = self._training_weights(y, "y", data.sample_weight, state, incremental, y)
        validation = data.validation
        if validation is not None:
            X_val, y_val, sw_val, spans_val = validation
            y_val = self._check_targets(y_val)
            validation = (X_val, spans_val,
                          self._encode_targets(y_val, "y_val", state, incremental),
                          self._training_weights(y_val, "y_val", sw_val, state, incremental, y))
        elif self.early_stopping:
            train, held_out = self._hold_out(y, state)
            validation = X[held_out], _take(spans, held_out), Y[held_out], sw[held_out]
            X, spans, Y, sw = X[train], _take(spans, train), Y[train], sw[train]
        if first:
            state.update(self._initial_state(X, spans, Y, sw, state["_loss"]))
        architecture = state["_architecture"]

        def samples(X, spans, Y, sw):  # as the kernels read them
            if architecture["network"] == "dense":
                check_window_lengths(self, architecture["window"], spans, X, fitting=True)
            t0 = X.shape[1] - steps_read(architecture, X.shape[1])
            Y = kernel_array(self._network_targets(Y, state), X.dtype)
            return _training.Samples(X, t0, spans, Y, sw)

        if validation is not None:
            validation = samples(*validation)
        scaling = _standardize.input_scaling(state, X.shape[2], X.dtype)
        _training.run_epochs(self, state, state["_net"], samples(X, spans, Y, sw), scaling,
                             incremental, validation)
        self.__dict__.update(state)
        return self

    def _initial_state(self, X, spans, Y, sw, loss):
        """The state of a first fit: architecture, network, statistics, weights,
        from the training samples (never the validation set)."""
        architecture = self._architecture_now(X.shape[1], X.shape[2], Y.shape[1], loss,
                                              X.dtype)
        net = _network(architecture)
        rng = check_random_state(self.random_state)
        params = net.init_params(rng, X.dtype)
        targets = Y if self._standardizes_targets else None
        if self.standardize and spans is None:
            window = X[:, X.shape[1] - architecture["window"] :]
            stats = _standardize.statistics(window, targets, sw, X.dtype)
        elif self.standardize:  # over the steps the network reads
            first = np.maximum(spans[:, 0], spans[:, 1] - architecture["window"])
            read = np.column_stack([first, spans[:, 1]])
            stats = _standardize.statistics(X, targets, sw, X.dtype, spans=read)
        else:
            stats = dict.fromkeys(_standardize.statistics_names(targets is not None))
        return {
            "_architecture": architecture,
            "_net": net,
            **stats,
            "n_sequence_features_": X.shape[2],
            **_training.initial_training_state(self, rng, params),
        }

    def _state_copy(self):
        # Warm start and partial_fit train on copies, so that an error or an
        # interrupt half-way leaves the fitted attributes untouched; what
        # stays fixed after the first fit is shared.
        state = {key: copy.deepcopy(getattr(self, key)) for key in _TRAINING_STATE}
        state.update({key: getattr(self, key) for key in _FIXED_STATE + self._TASK_STATE})
        if (state["validation_scores_"] is None) == self.early_stopping:
            # early_stopping was switched since the last fit.
            state.update(_training.fresh_stopping_state(self))
        return state

    # ---------------------------------------------------------- persistence

    def __getstate__(self):
        # The network object is derived state: rebuilt on loading from the
        # recorded architecture, so that a pickle holds only parameters and
        # plain data.
        state = dict(super().__getstate__())  # a copy: it may be self.__dict__
        state.pop("_net", None)
        state["_skrnn_version"] = __version__
        return state

    def __setstate__(self, state):
        version = state.pop("_skrnn_version", "pre-0.1")
        if version != __version__:
            warnings.warn(
                f"Trying to unpickle estimator {type(self).__name__} from skrnn "
                f"version {version} when using version {__version__}. This might "
                "lead to breaking code or invalid results. Use at your own risk.",
                InconsistentVersionWarning,
            )
        if "params_" in state and "_architecture" not in state:
            raise ValueError(
                f"This {type(self).__name__} was pickled by a development version of skrnn "
                f"{version} that did not record its fitted architecture; refit it with "
                f"skrnn {__version__}."
            )
        super().__setstate__(state)
        if "params_" in state:
            self._net = _network(self._architecture)


class BaseSequenceRegressor(MultiOutputMixin, RegressorMixin, BaseSequenceModel):
    """The sequence regressors: squared error, time-ordered validation, R^2."""

    _TASK_STATE = ("y_mean_", "y_scale_", "n_outputs_", "_y_ndim")
    _standardizes_targets = True

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Input sequences, oldest timestep first. 2-D input holds one
            feature per timestep; a DataFrame is read as 2-D input.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets. ``predict`` returns the same shape.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.
        X_val : array-like of shape (n_val, n_timesteps) or \
                (n_val, n_timesteps, n_features), default=None
            Validation sequences for early stopping, used instead of holding
            out the last ``validation_fraction`` of ``X`` (all of ``X`` is
            then trained on). Requires ``early_stopping=True`` and ``y_val``,
            as in :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.
            In a :class:`~sklearn.pipeline.Pipeline`, ``X_val`` is
            transformed as ``X`` is with ``Pipeline(...,
            transform_input=["X_val"])`` and metadata routing enabled.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in their R^2 score.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``X, y``, starting from the current weights.

        The first call initialises the model. ``early_stopping`` is not
        supported here, as in MLPRegressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Input sequences with the timesteps (and features) of the first
            call.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict the targets of sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Sequences with as many timesteps (and features) as in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Same shape as the ``y`` given to ``fit``, in its units; dtype of
            the model (float32 when fitted on float32 input).
        """
        out = _standardize.to_target_units(self._network_output(X), vars(self))
        return out.ravel() if self._y_ndim == 1 else out

    def _task_state(self, y, classes):
        return {"n_outputs_": columns(y).shape[1], "_y_ndim": y.ndim, "_loss": "squared_error"}

    def _encode_targets(self, y, name, state, incremental):
        check_y_like_fit(y, name, state["_y_ndim"], state["n_outputs_"])
        return columns(y)

    def _hold_out(self, y, state):
        # The LAST validation_fraction of the samples, in order: with
        # time-ordered windows a random split would leak the future.
        return hold_out_last(self.validation_fraction, len(y))

    def _network_targets(self, Y, state):
        return _standardize.network_targets(Y, state)

    def _validation_score(self, Y, out, sample_weight, state):
        # R^2 is the same in standardised units: each output's is invariant
        # under its own shift and scale.
        return r2_score(Y, out, sample_weight=sample_weight)


def steps_read(architecture, n_timesteps):
    """How many of the last steps of sequences padded to ``n_timesteps`` the
    network reads: the window, or every step for a recurrent network fitted
    without one (models saved before ``window_set`` existed read the
    window)."""
    if architecture["network"] != "dense" and not architecture.get("window_set", True):
        return n_timesteps
    return min(architecture["window"], n_timesteps)


def _take(spans, index):
    """The spans of the samples ``index`` selects (None stays None)."""
    return None if spans is None else spans[index]


def _network(architecture):
    """The network of a recorded architecture."""
    n_inputs = architecture["n_sequence_features"]
    if architecture["network"] == "dense":
        n_inputs *= architecture["window"]  # the flattened window
    return Network(architecture["network"], n_inputs, architecture["hidden_layer_sizes"],
                   architecture["n_outputs"], architecture["activation"], architecture["loss"])
