"""Everything checked once, in front of the kernels: X, y, sample weights, X_val.

sklearn's ``validate_data`` speaks first (its messages are what the check
suite expects), then the few rules of skrnn's own; infinity in X is
sklearn's error too, raised by ``find_spans`` a chunk of X at a time. What comes out is what
the kernels take: C-contiguous, writable 3-D arrays of one float dtype.
"""

from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_X_y,
    validate_data,
)

from ._sequences import all_finite, find_spans, is_sequence_list, lengths, pad_sequences


class FitData(NamedTuple):
    """A fit's validated input: ``X`` (n, T, D) and ``sample_weight`` (n,) as
    kernel arrays, ``spans`` of X's real steps (None: every step is real),
    ``y`` as validated (1-D or 2-D), and ``validation`` the ``(X_val, y_val,
    sample_weight_val, spans_val)`` given to fit, likewise, or None."""

    X: np.ndarray
    spans: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray
    validation: tuple


def validate_fit(est, X, y, sample_weight, validation, reset, dtype=None):
    """Validate fit's input.

    ``reset``: the first fit (not a warm start or partial_fit), which
    records the number of timesteps; ``dtype``: the fitted model's, on a
    warm start, else that of X. ``validation`` is fit's ``(X_val, y_val,
    sample_weight_val)``.
    """
    X, y, spans = validate_X(est, X, reset=reset, y=y)
    X = kernel_array(X, dtype or X.dtype)
    sw = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
    validation = _validate_validation_set(est, *validation, X, y)
    return FitData(X, spans, y, sw, validation)


def validate_X(est, X, reset, y="no_validation", n_sequence_features=None, name="X"):
    """Validate ``X`` (and ``y`` unless "no_validation") into a 3-D float array.

    Returns ``(X, y, spans)``: y None when not given, ``spans`` those of the
    real steps of a list or NaN-padded X (see ``_sequences``), None when
    every step is real. A list is padded and may hold sequences of any
    length; an array must have the fitted number of timesteps (without
    ``reset``). Without ``reset``, the features per timestep must be
    ``n_sequence_features`` (default: the fitted ``n_sequence_features_``).
    """
    # NaN (padding) and infinity are find_spans' to find, a chunk at a time.
    kwargs = dict(allow_nd=True, dtype=[np.float64, np.float32], ensure_all_finite=False)
    X_only = isinstance(y, str) and y == "no_validation"
    listed = is_sequence_list(X)
    if listed:
        X = pad_sequences(X)
    try:
        if listed and not reset:
            # Any length: sklearn's rule of the fitted number of columns
            # (timesteps) is for arrays.
            if X_only:
                X = check_array(X, **kwargs)
            else:
                X, y = check_X_y(X, y, multi_output=True, y_numeric=not is_classifier(est),
                                 **kwargs)
        elif X_only:
            X = validate_data(est, X, reset=reset, **kwargs)
        else:
            X, y = validate_data(est, X, y, reset=reset, multi_output=True,
                                 y_numeric=not is_classifier(est), **kwargs)
    except ValueError as exc:
        raise _explained(est, exc) from exc
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
    if not reset and X.shape[2] != (expected := n_sequence_features or est.n_sequence_features_):
        raise ValueError(
            f"X has {X.shape[2]} features per timestep, but "
            f"{type(est).__name__} was fitted with {expected}. "
            f"Pass X of shape (n_samples, {est.n_features_in_}, {expected})."
        )
    spans = find_spans(X, name)
    if reset and est.window is not None:
        longest = lengths(spans, *X.shape[:2]).max()
        if est.window > longest:
            raise ValueError(
                f"window={est.window} is longer than the sequences in X "
                f"({longest} timesteps). Pass longer sequences or a smaller window."
            )
    return X, None if X_only else y, spans


def _explained(est, exc):
    """sklearn's validation error, with what it means for sequences."""
    message = str(exc)
    if "features, but" in message and "is expecting" in message:
        # sklearn counts the columns of X, which skrnn reads as timesteps.
        return ValueError(
            f"{message} For {type(est).__name__} the features of X are its "
            f"timesteps (axis 1): pass sequences of {est.n_features_in_} timesteps, "
            "as in fit, or a list of sequences of any length."
        )
    if "inhomogeneous" in message:
        return ValueError(
            f"{message} X looks like sequences of different lengths in one array: pass "
            "them as a list of arrays, or pad them with skrnn.pad_sequences."
        )
    return exc


def check_hidden_layer_sizes(sizes):
    """``hidden_layer_sizes`` as a tuple of positive ints, or a clear error."""
    given = sizes
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if len(sizes) == 0 or any(
        not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes
    ):
        raise ValueError(
            "hidden_layer_sizes must be a positive int or a non-empty tuple of "
            f"positive ints, got {given!r}."
        )
    return tuple(int(s) for s in sizes)


def check_y_like_fit(y, name, y_ndim, n_outputs):
    """Targets must keep the dimensions and outputs of the first fit."""
    if y.ndim != y_ndim:
        dim = "1-D" if y_ndim == 1 else "2-D"
        raise ValueError(f"{name} must be {dim}, as y was in the first fit.")
    outputs = columns(y).shape[1]
    if outputs != n_outputs:
        raise ValueError(f"{name} has {outputs} outputs, but the model has {n_outputs}.")


def _validate_validation_set(est, X_val, y_val, sample_weight_val, X, y):
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
    if not est.early_stopping:
        raise ValueError(
            "X_val and y_val are passed to fit while early_stopping is False. "
            "Set early_stopping=True to stop on them."
        )
    try:
        X_val, y_val, spans_val = validate_X(est, X_val, reset=False, y=y_val,
                                             n_sequence_features=X.shape[2], name="X_val")
    except ValueError as exc:  # sklearn's messages name X and y
        raise ValueError(f"Invalid X_val or y_val: {exc}") from exc
    if not is_classifier(est) and len(y_val) < 2:
        raise ValueError(
            f"X_val has {len(y_val)} sample; the R^2 score of early stopping needs at "
            "least 2."
        )
    sw_val = _check_sample_weight(sample_weight_val, X_val, dtype=X.dtype,
                                  ensure_non_negative=True)
    return kernel_array(X_val, X.dtype), y_val, sw_val, spans_val


def hold_out_last(fraction, n):
    """Slices of the first samples and of the LAST ``fraction`` of ``n``, in
    order: a time-ordered validation split (views, not copies, of X)."""
    n_val = int(np.ceil(fraction * n))
    if n_val < 2 or n - n_val < 1:
        raise ValueError(
            f"The validation set is too small: {n_val} of {n} samples. "
            "Increase 'validation_fraction' or the size of your dataset."
        )
    return slice(0, n - n_val), slice(n - n_val, n)


def validate_predict(est, X):
    """``X`` as predict's kernels read it (n, T, D), of the model's dtype,
    and the spans of its real steps (None: all real).

    The fast path: a finite array that validate_data would pass through
    unchanged is returned as it is, which saves ~60 us a call (what matters
    when predicting one sequence at a time); anything else is validated.
    """
    dtype = est.params_.dtype
    ready = (
        type(X) is np.ndarray
        and X.dtype == dtype
        and X.flags.c_contiguous
        and X.flags.writeable
        and X.ndim in (2, 3)
        and X.shape[0] > 0
        and X.shape[1] == est.n_features_in_
        and (X.shape[2] if X.ndim == 3 else 1) == est.n_sequence_features_
        and not hasattr(est, "feature_names_in_")
        and all_finite(X)  # else the validated path finds which value is not
    )
    if not ready:
        X, _, spans = validate_X(est, X, reset=False)
        return kernel_array(X, dtype), spans
    return X.reshape(X.shape[0], X.shape[1], -1), None


def columns(y):
    """Targets as the kernels see them: one column per output, also for 1-D y."""
    return y.reshape(len(y), -1)


def kernel_array(a, dtype):
    """The array as kernels want it: C-contiguous, writable, of ``dtype``."""
    return np.require(a, dtype=dtype, requirements=["C_CONTIGUOUS", "WRITEABLE", "ALIGNED"])
