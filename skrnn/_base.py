"""The estimator all three models share: validation, training loop, predict.

The public estimators only say which network they train (:meth:`_make_network`)
and which parameters they add; everything else happens here, once.
"""

import copy
import threading
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._kernels.optim import ADAM, SGD, STOP
from ._network import identity_scaling
from ._threads import one_blas_thread
from ._version import __version__

# The fitted attributes that training reads and updates: what warm start and
# partial_fit copy before they train.
_TRAINING_STATE = (
    "n_sequence_features_", "_window", "_rng", "params_", "_optimizer_state", "n_iter_",
    "t_", "loss_curve_", "grad_norm_curve_", "best_loss_", "validation_scores_",
    "best_validation_score_", "_no_improvement_count",
)

# The standardisation of the first fit, frozen: input mean and scale per
# sequence feature, target mean and scale per output (None: not standardised).
_STATISTICS = ("X_mean_", "X_scale_", "y_mean_", "y_scale_")


class InconsistentVersionWarning(UserWarning):
    """A model is unpickled with another skrnn version than the one that saved it.

    Like scikit-learn's warning of the same name: the model may load and
    predict fine, or not; refit it with the installed version to be safe.
    """


class BaseSequenceRegressor(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Training machinery shared by the RNN, LSTM and window-MLP regressors."""

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
            Same shape as the ``y`` given to ``fit``; dtype of the model
            (float32 when fitted on float32 input).
        """
        check_is_fitted(self)
        if not self._ready_for_kernels(X):
            X = _kernel_array(self._validate_X(X, reset=False), self.params_.dtype)
        X = X.reshape(X.shape[0], X.shape[1], -1)
        scaling = _input_scaling(self.X_mean_, self.X_scale_, X.shape[2], X.dtype)
        out = self._net.predict(self.params_, X, X.shape[1] - self._window, scaling, self.verbose)
        if self.y_mean_ is not None:
            out *= self.y_scale_
            out += self.y_mean_
        if not np.isfinite(out).all():
            raise ValueError(
                "The predictions overflowed to infinity or NaN: X holds values far "
                f"outside those seen in fit (largest magnitude {np.abs(X).max():.3g}). "
                "Scale X as it was scaled for fit, for example with a StandardScaler "
                "in a Pipeline."
            )
        return out.ravel() if self._y_ndim == 1 else out

    def __sklearn_is_fitted__(self):
        # check_is_fitted's default scans every attribute (~6 us a call, a
        # tenth of predicting one sequence). fit sets params_ together with
        # every other fitted attribute, in one dictionary update.
        return hasattr(self, "params_")

    def _ready_for_kernels(self, X):
        # The fast path of predict: a finite array that validate_data would
        # pass through unchanged. Saves ~60 us a call, which matters when
        # predicting one sequence at a time; anything else is validated.
        return (
            type(X) is np.ndarray
            and X.dtype == self.params_.dtype
            and X.flags.c_contiguous
            and X.flags.writeable
            and X.ndim in (2, 3)
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and (X.shape[2] if X.ndim == 3 else 1) == self.n_sequence_features_
            and not hasattr(self, "feature_names_in_")
            # Finite sum, hence finite entries, without an array of flags the
            # size of X (a sum that overflows just takes the validated path).
            and np.isfinite(X.sum())
        )

    @property
    def weights_(self):
        """Dict of name -> array: named views into ``params_``.

        Names are ``'layer{k}.W_ih'``, ``'layer{k}.W_hh'``, ``'layer{k}.b'``
        for recurrent layers, ``'layer{k}.W'``, ``'layer{k}.b'`` for dense
        layers, and ``'output.W'``, ``'output.b'`` for the linear head.
        Weight matrices have shape ``(n_inputs, n_outputs)``, applied as
        ``x @ W``. With ``standardize=True`` the network, and so these
        weights, act on standardised data: its inputs are
        ``(X - X_mean_) / X_scale_`` and its outputs ``(y - y_mean_) /
        y_scale_``.
        """
        check_is_fitted(self)
        return self._net.layout.views(self.params_)

    # ------------------------------------------------------- subclass hooks

    def _make_network(self, n_window, n_features, n_outputs):
        """The network for windows of ``n_window`` steps (see ``skrnn._network``)."""
        raise NotImplementedError

    def _bptt_steps(self):
        return getattr(self, "bptt_steps", None)

    # ----------------------------------------------------------- validation

    def _validate_X(self, X, reset, y="no_validation", n_sequence_features=None):
        """Validate ``X`` (and ``y`` unless "no_validation") into a 3-D float array.

        Without ``reset``, the features per timestep must be
        ``n_sequence_features`` (default: the fitted ``n_sequence_features_``).
        """
        kwargs = dict(reset=reset, allow_nd=True, dtype=[np.float64, np.float32])
        X_only = isinstance(y, str) and y == "no_validation"
        try:
            if X_only:
                X = validate_data(self, X, **kwargs)
            else:
                X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, **kwargs)
        except ValueError as exc:
            raise self._explained(exc, X) from exc
        if X.ndim > 3:
            raise ValueError(
                f"X must be 2-D (n_samples, n_timesteps) or 3-D (n_samples, "
                f"n_timesteps, n_features); got an array with {X.ndim} dimensions."
            )
        if X.ndim == 2:
            X = X[:, :, np.newaxis]
        if X.shape[2] == 0:
            raise ValueError(
                f"X has 0 features per timestep (shape {X.shape}); at least 1 is required."
            )
        if reset:
            if self.window is not None and self.window > X.shape[1]:
                raise ValueError(
                    f"window={self.window} is longer than the sequences in X "
                    f"({X.shape[1]} timesteps). Pass longer sequences or a smaller window."
                )
        elif X.shape[2] != (expected := n_sequence_features or self.n_sequence_features_):
            raise ValueError(
                f"X has {X.shape[2]} features per timestep, but "
                f"{type(self).__name__} was fitted with {expected}. "
                f"Pass X of shape (n_samples, {self.n_features_in_}, {expected})."
            )
        return X if X_only else (X, y)

    def _explained(self, exc, X):
        """sklearn's validation error, with what it means for sequences."""
        message = str(exc)
        if "features, but" in message and "is expecting" in message:
            # sklearn counts the columns of X, which skrnn reads as timesteps.
            return ValueError(
                f"{message} For {type(self).__name__} the features of X are its "
                f"timesteps (axis 1): pass sequences of {self.n_features_in_} timesteps, "
                "as in fit."
            )
        if "inhomogeneous" in message and isinstance(X, (list, tuple)):
            lengths = sorted({len(seq) for seq in X if hasattr(seq, "__len__")})
            return ValueError(
                f"X holds sequences of unequal lengths ({', '.join(map(str, lengths[:5]))}"
                f"{', ...' if len(lengths) > 5 else ''} timesteps). skrnn needs sequences "
                "of one length: crop them to the shortest, or make windows of one length "
                "with make_windows."
            )
        return exc

    def _check_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if len(sizes) == 0 or any(
            not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive int or a non-empty tuple of "
                f"positive ints, got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    # ------------------------------------------------------------- training

    def _fit(self, X, y, sample_weight, incremental, validation=(None, None, None)):
        # A failed call must leave a fitted model exactly as it was: every
        # attribute is set from local results at the end, and on any error
        # the instance dictionary is restored.
        saved = dict(self.__dict__)
        try:
            return self._fit_unsafe(X, y, sample_weight, incremental, validation)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit_unsafe(self, X, y, sample_weight, incremental, validation):
        fitted = hasattr(self, "params_")
        first_pass = not fitted or (not self.warm_start and not incremental)
        self._check_hidden_layer_sizes()
        X, y = self._validate_X(X, reset=first_pass, y=y)
        if not first_pass:
            self._check_y_like_fit(y, "y", self._y_ndim, self.n_outputs_)
            if self.standardize != (self.X_mean_ is not None):
                raise ValueError(
                    f"standardize={self.standardize} differs from the first fit "
                    f"(standardize={not self.standardize}), whose weights act on "
                    f"{'standardised' if self.X_mean_ is not None else 'unscaled'} data; "
                    "warm_start and partial_fit continue that fit. Set it back, or fit "
                    "from scratch (warm_start=False)."
                )
        dtype = X.dtype if first_pass else self.params_.dtype
        X = _kernel_array(X, dtype)
        sw = _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)
        validation = self._validate_validation_set(*validation, X, y, dtype)
        if self.early_stopping and validation is None:
            (X, y, sw), validation = self._split_validation(X, y, sw)
        # The standardisation's statistics come from the training samples only.
        state = self._initial_state(X, y, sw, dtype) if first_pass else self._state_copy()

        def targets(y):  # as the network learns them
            Y = _standardized_targets(_columns(y), state["y_mean_"], state["y_scale_"])
            return _kernel_array(Y, dtype)

        if validation is not None:
            X_val, y_val, sw_val = validation
            validation = X_val, targets(y_val), sw_val
        self._run_epochs(state, X, targets(y), sw, incremental, validation)
        self.__dict__.update(state)
        return self

    @staticmethod
    def _check_y_like_fit(y, name, y_ndim, n_outputs):
        """Targets must keep the dimensions and outputs of the first fit."""
        if y.ndim != y_ndim:
            dim = "1-D" if y_ndim == 1 else "2-D"
            raise ValueError(f"{name} must be {dim}, as y was in the first fit.")
        outputs = _columns(y).shape[1]
        if outputs != n_outputs:
            raise ValueError(f"{name} has {outputs} outputs, but the model has {n_outputs}.")

    def _validate_validation_set(self, X_val, y_val, sample_weight_val, X, y, dtype):
        """The ``(X_val, y_val, sw_val)`` given to fit, validated, or None.

        The errors follow HistGradientBoostingRegressor's.
        """
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val is given without X_val and y_val.")
            return None
        if y_val is None:
            raise ValueError("X_val is provided, but y_val was not provided.")
        if X_val is None:
            raise ValueError("y_val is provided, but X_val was not provided.")
        if not self.early_stopping:
            raise ValueError(
                "X_val and y_val are passed to fit while early_stopping is False. "
                "Set early_stopping=True to stop on them."
            )
        try:
            X_val, y_val = self._validate_X(X_val, reset=False, y=y_val,
                                            n_sequence_features=X.shape[2])
        except ValueError as exc:  # sklearn's messages name X and y
            raise ValueError(f"Invalid X_val or y_val: {exc}") from exc
        self._check_y_like_fit(y_val, "y_val", y.ndim, _columns(y).shape[1])
        if len(y_val) < 2:
            raise ValueError(
                f"X_val has {len(y_val)} sample; the R^2 score of early stopping needs at "
                "least 2."
            )
        sw_val = _check_sample_weight(sample_weight_val, X_val, dtype=dtype,
                                      ensure_non_negative=True)
        return _kernel_array(X_val, dtype), y_val, sw_val

    def _initial_state(self, X, y, sw, dtype):
        rng = check_random_state(self.random_state)
        n_outputs = _columns(y).shape[1]
        window = X.shape[1] if self.window is None else self.window
        net = self._make_network(window, X.shape[2], n_outputs)
        params = net.init_params(rng, dtype)
        if self.standardize:
            statistics = _standardization(X[:, X.shape[1] - window :], _columns(y), sw, dtype)
        else:
            statistics = (None,) * 4
        return {
            **dict(zip(_STATISTICS, statistics)),
            "n_sequence_features_": X.shape[2],
            "_window": window,
            "n_outputs_": n_outputs,
            "_y_ndim": y.ndim,
            "_rng": rng,
            "params_": params,
            "_optimizer_state": {
                "m": np.zeros_like(params),
                "v": np.zeros_like(params),
                "step": 0,
            },
            "n_iter_": 0,
            "t_": 0,
            "loss_curve_": [],
            "grad_norm_curve_": [],
            **self._fresh_stopping_state(),
        }

    def _fresh_stopping_state(self):
        return {
            "best_loss_": None if self.early_stopping else np.inf,
            "validation_scores_": [] if self.early_stopping else None,
            "best_validation_score_": -np.inf if self.early_stopping else None,
            "_no_improvement_count": 0,
        }

    def _state_copy(self):
        # Warm start and partial_fit train on copies, so that an error or an
        # interrupt half-way leaves the fitted attributes untouched.
        state = {key: copy.deepcopy(getattr(self, key)) for key in _TRAINING_STATE + _STATISTICS}
        if (state["validation_scores_"] is None) == self.early_stopping:
            # early_stopping was switched since the last fit.
            state.update(self._fresh_stopping_state())
        return state

    def _split_validation(self, X, y, sw):
        """Hold out the LAST ``validation_fraction`` of the samples, in order."""
        n = X.shape[0]
        n_val = int(np.ceil(self.validation_fraction * n))
        if n_val < 2 or n - n_val < 1:
            raise ValueError(
                f"The validation set is too small: {n_val} of {n} samples. "
                "Increase 'validation_fraction' or the size of your dataset."
            )
        cut = n - n_val
        return (X[:cut], y[:cut], sw[:cut]), (X[cut:], y[cut:], sw[cut:])

    def _run_epochs(self, state, X, y, sw, incremental, validation):
        """The epoch loop, with one BLAS thread; see :meth:`_run_epochs_unlimited`."""
        with one_blas_thread():
            self._run_epochs_unlimited(state, X, y, sw, incremental, validation)

    def _run_epochs_unlimited(self, state, X, y, sw, incremental, validation):
        """The epoch loop; updates ``state`` (never ``self``) in place.

        Each epoch is one kernel call over all its minibatches. A copy of the
        weights and optimizer state at the start of each epoch is the
        fallback when the epoch diverges (a non-finite loss or gradient).
        ``validation`` is the ``(X, y, sample_weight)`` early stopping scores.
        """
        if self.early_stopping:
            X_val, y_val, sw_val = validation
        net = state["_net"] = self._make_network(
            state["_window"], state["n_sequence_features_"], y.shape[1]
        )
        t0 = X.shape[1] - state["_window"]
        scaling = _input_scaling(state["X_mean_"], state["X_scale_"], X.shape[2], X.dtype)
        n = X.shape[0]
        batch_size = self._batch_size(n)
        ws, w_off = net.workspace(state["_window"], batch_size, X.dtype)
        rng = state["_rng"]
        params = state["params_"]
        opt = state["_optimizer_state"]
        grad = np.empty_like(params)
        hyper = np.array(
            [self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon, self.momentum,
             self.alpha, self.max_grad_norm or 0.0, 0.0],
            dtype=params.dtype,
        )
        solver = ADAM if self.solver == "adam" else SGD
        batch_sizes = np.diff(np.r_[np.arange(0, n, batch_size), n])
        best_params = None

        seconds = np.inf  # of the last epoch; the first one may be long
        stopped_by_user = None  # where Ctrl-C ended training
        try:
            for _ in range(1 if incremental else self.max_iter):
                tic = time.perf_counter()
                order = rng.permutation(n) if self.shuffle else np.arange(n)
                start = (params.copy(), opt["m"].copy(), opt["v"].copy(), opt["step"])
                (losses, norms, done, diverged), interrupted = _run_interruptibly(
                    lambda: net.train_epoch(
                        X, t0, scaling, y, sw, order, batch_size, params, grad, opt, hyper, solver,
                        self.nesterovs_momentum, self._bptt_steps(), ws, w_off, self.verbose,
                    ),
                    hyper, in_helper_thread=seconds > _INTERRUPT_LATENCY,
                )
                seconds = time.perf_counter() - tic
                if diverged:
                    self._diverged(state, start, params, opt)
                    break
                if self.early_stopping and not interrupted:
                    # Scored before any state changes: a Ctrl-C during this
                    # prediction leaves the epoch unrecorded, not half-recorded.
                    pred = net.predict(params, X_val, t0, scaling, self.verbose)
                    score = r2_score(y_val, pred, sample_weight=sw_val)
                state["t_"] += int(batch_sizes[:done].sum())
                if interrupted:
                    stopped_by_user = (f"in epoch {state['n_iter_'] + 1}, after {done} of "
                                       f"{len(batch_sizes)} minibatches")
                    break
                state["n_iter_"] += 1
                state["loss_"] = float(losses @ batch_sizes) / n
                state["loss_curve_"].append(state["loss_"])
                used = norms[norms >= 0]
                state["grad_norm_curve_"].append(float(used.mean()) if used.size else 0.0)
                if self.early_stopping:
                    if score > state["best_validation_score_"]:
                        best_params = params.copy()
                    state["validation_scores_"].append(score)
                    stop = self._update_no_improvement(state, "best_validation_score_", score, +1)
                else:
                    stop = self._update_no_improvement(state, "best_loss_", state["loss_"], -1)
                if self.verbose:
                    self._print_epoch(state, time.perf_counter() - tic)
                if stop and not incremental:
                    if self.verbose:
                        what = "Validation score" if self.early_stopping else "Training loss"
                        print(
                            f"{what} did not improve more than tol={self.tol:f} for "
                            f"{self.n_iter_no_change} consecutive epochs. Stopping."
                        )
                    break
            else:
                if not incremental:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                        "reached and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:  # outside the kernels, between epochs
            stopped_by_user = f"after {state['n_iter_']} epochs"
        if stopped_by_user:
            best = "" if best_params is None else " (those of the best epoch, with early_stopping)"
            warnings.warn(
                f"Training interrupted by user {stopped_by_user}; the weights so far{best} "
                "are kept."
            )
            state.setdefault("loss_", np.nan)
        if best_params is not None:
            params[:] = best_params

    def _diverged(self, state, start, params, opt):
        """Roll back to the weights of the last finite epoch, or fail."""
        epoch = state["n_iter_"] + 1
        if not state["loss_curve_"]:
            raise ValueError(
                "Training diverged in the first epoch: the loss or its gradient became "
                "infinite or NaN. Lower learning_rate_init, scale X and y (StandardScaler), "
                "or set max_grad_norm."
            )
        params[:], opt["m"][:], opt["v"][:], opt["step"] = start
        warnings.warn(
            f"Training diverged in epoch {epoch}: the loss or its gradient became infinite "
            f"or NaN. Training stopped and the weights of epoch {epoch - 1} were kept. "
            "Lower learning_rate_init, scale X and y, or set max_grad_norm.",
            ConvergenceWarning,
        )

    def _update_no_improvement(self, state, best_key, value, sign):
        """sklearn's stopping rule; ``sign`` is +1 for scores, -1 for losses."""
        best = state[best_key]
        if sign * value < sign * best + self.tol:
            state["_no_improvement_count"] += 1
        else:
            state["_no_improvement_count"] = 0
        if sign * value > sign * best:
            state[best_key] = value
        return state["_no_improvement_count"] > self.n_iter_no_change

    def _batch_size(self, n):
        if self.batch_size == "auto":
            return min(32, n)
        if self.batch_size > n:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. "
                "It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n))

    def _print_epoch(self, state, seconds):
        line = f"Iteration {state['n_iter_']}, loss = {state['loss_']:.8f}"
        if self.early_stopping:
            line += f", validation score = {state['validation_scores_'][-1]:.6f}"
        line += f", grad norm = {state['grad_norm_curve_'][-1]:.4g}, {seconds:.3f}s"
        print(line)

    # ---------------------------------------------------------- persistence

    def __getstate__(self):
        # The network object is derived state: rebuilt on loading, so that a
        # pickle holds only parameters and plain arrays.
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
        super().__setstate__(state)
        if "params_" in state:
            self._net = self._make_network(self._window, self.n_sequence_features_, self.n_outputs_)


# An epoch that took longer than this many seconds runs the next one in a
# helper thread, so that Ctrl-C stops it after the current minibatch; shorter
# epochs run in the calling thread and Ctrl-C stops training at their end.
_INTERRUPT_LATENCY = 0.05


def _run_interruptibly(run, hyper, in_helper_thread):
    """Call ``run()``; returns its result and whether Ctrl-C interrupted it.

    Python delivers Ctrl-C to the main thread, and only between bytecodes:
    never inside a compiled kernel. So the kernel runs in a helper thread
    while the main thread waits, and a KeyboardInterrupt there sets
    ``hyper[STOP]``, which the kernel checks before each minibatch.
    """
    if not in_helper_thread or threading.current_thread() is not threading.main_thread():
        return run(), False
    outcome = {}
    finished = threading.Event()

    def target():
        try:
            outcome["result"] = run()
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc
        finally:
            finished.set()

    # Waits on an Event, not Thread.join: an interrupted join can mark a
    # running thread as stopped (CPython 3.11's bpo-45274 handling).
    threading.Thread(target=target, name="skrnn-epoch", daemon=True).start()
    interrupted = False
    while True:
        try:
            # Wake up often: a SIGINT that the OS handed to another thread
            # raises here only when this thread runs Python code again.
            while not finished.wait(0.05):
                pass
            break
        except KeyboardInterrupt:
            hyper[STOP] = 1
            interrupted = True
    hyper[STOP] = 0
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"], interrupted


def _standardization(X, Y, sw, dtype):
    """Sample-weighted means and scales of each feature of X (n, T, D), over
    samples and timesteps, and of each column of Y (n, n_out), in ``dtype``.

    A constant column gets scale 1, by StandardScaler's rule.
    """
    weights = np.asarray(sw if sw.sum() > 0 else np.ones_like(sw), dtype=np.float64)
    statistics = []
    for A in (X, Y[:, np.newaxis, :]):
        mean = _weighted_mean(A, weights)
        var = _weighted_mean(A, weights, center=mean)
        n = A.shape[0] * A.shape[1]
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2
        statistics += [mean.astype(dtype), np.where(constant, 1.0, np.sqrt(var)).astype(dtype)]
    return tuple(statistics)


def _weighted_mean(A, weights, center=None):
    # Mean over samples and steps of A (n, T, D), or of (A - center) ** 2,
    # per feature, each sample weighted. In float64 and in blocks of
    # samples: no copy of X (fit's extra memory stays independent of the
    # data's size), and a contiguous block gives the same sums for the same
    # values in any memory layout.
    n, T, D = A.shape
    step = max(1, 2**16 // (T * D))
    total = np.zeros(D)
    for start in range(0, n, step):
        block = np.array(A[start : start + step], dtype=np.float64)
        if center is not None:
            block = (block - center) ** 2
        total += np.einsum("i,itd->d", weights[start : start + step], block)
    return total / (weights.sum() * T)


def _standardized_targets(Y, y_mean, y_scale):
    """Targets (n, n_out) as the network learns them."""
    return Y if y_mean is None else (Y - y_mean) / y_scale


def _input_scaling(X_mean, X_scale, n_features, dtype):
    """The kernels' (2, D) shift and scale of each sequence feature."""
    if X_mean is None:
        return identity_scaling(n_features, dtype)
    return np.array([X_mean, X_scale], dtype=dtype)


def _columns(y):
    """Targets as the kernels see them: one column per output, also for 1-D y."""
    return y.reshape(len(y), -1)


def _kernel_array(a, dtype):
    """The array as kernels want it: C-contiguous, writable, of ``dtype``."""
    return np.require(a, dtype=dtype, requirements=["C_CONTIGUOUS", "WRITEABLE", "ALIGNED"])
