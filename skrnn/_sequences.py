"""Sequences of unequal length: lists of arrays, NaN padding, and the spans
the kernels read.

Two input forms carry sequences of different lengths: a list (or tuple) of
arrays ``(T_i,)`` or ``(T_i, n_features)``, and one array padded with NaN.
Both become one padded array and the ``spans`` of its real steps, (n, 2)
int64: each sequence's first real step and the end of its real steps. A
step is padding when all of its features are NaN; padding lies before the
first real step or after the last, and a NaN anywhere else is an error.
"""

import numpy as np
from sklearn.utils import assert_all_finite


def pad_sequences(sequences, padding="pre", dtype=None):
    """Stack sequences of different lengths into one array padded with NaN.

    skrnn's estimators read such an array as the sequences themselves: a
    step whose features are all NaN is padding, and a prediction does not
    depend on how much of it surrounds a sequence. Passing the list to
    ``fit`` or ``predict`` does the same without building the array.

    Parameters
    ----------
    sequences : list or tuple of array-like
        The sequences, oldest step first, each of shape ``(T_i,)`` (one
        feature per step) or ``(T_i, n_features)``, all with the same
        number of features and at least one step.
    padding : {'pre', 'post'}, default='pre'
        Where the padding goes: before each sequence (its last steps
        aligned, as a recurrent network reads them) or after it.
    dtype : dtype, default=None
        The array's float dtype; by default float32 if every sequence is
        float32, else float64.

    Returns
    -------
    X : ndarray of shape (n_sequences, max T_i) or \
            (n_sequences, max T_i, n_features)
        2-D when the sequences are 1-D, 3-D otherwise; NaN where a sequence
        has no step.

    See Also
    --------
    make_windows : Windows of one length cut from a single series.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import pad_sequences
    >>> pad_sequences([np.array([1.0, 2.0, 3.0]), np.array([4.0])])
    array([[ 1.,  2.,  3.],
           [nan, nan,  4.]])
    >>> pad_sequences([[1.0, 2.0, 3.0], [4.0]], padding="post")
    array([[ 1.,  2.,  3.],
           [ 4., nan, nan]])
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"padding must be 'pre' or 'post', got {padding!r}.")
    arrays, ndim = as_sequence_list(sequences)
    if dtype is None:
        dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype (NaN marks the padding), got {dtype}.")
    T, D = max(a.shape[0] for a in arrays), arrays[0].shape[1]
    out = np.full((len(arrays), T, D), np.nan, dtype=dtype)
    for i, a in enumerate(arrays):
        if padding == "pre":
            out[i, T - len(a):] = a
        else:
            out[i, : len(a)] = a
    return out[:, :, 0] if ndim == 1 else out


def is_sequence_list(X):
    """Whether ``X`` is sequences one by one: a list or tuple whose items
    are arrays or nested lists (not numbers), or a 1-D object array of
    them."""
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1 and X.size > 0 and all(
            isinstance(item, (np.ndarray, list, tuple)) for item in X)
    if not isinstance(X, (list, tuple)):
        return False
    return len(X) == 0 or any(
        isinstance(item, (np.ndarray, list, tuple)) or hasattr(item, "__array__")
        for item in X)


def as_sequence_list(sequences):
    """Each sequence as an array (T_i, D), and the dimensions they were given
    with (1 or 2, the same for all); errors name the sequence."""
    if isinstance(sequences, np.ndarray) and sequences.dtype != object:
        raise TypeError(
            "sequences must be a list or tuple of arrays, got an array of shape "
            f"{sequences.shape}: an array of sequences of one length needs no padding.")
    if len(sequences) == 0:
        raise ValueError("X is an empty list: it holds no sequences.")
    arrays = []
    for i, seq in enumerate(sequences):
        if np.isscalar(seq) or not hasattr(seq, "__len__"):
            raise ValueError(
                f"Sequence {i} of X is {type(seq).__name__} {seq!r}, not a sequence: a "
                "list X holds one array of shape (n_timesteps,) or (n_timesteps, "
                "n_features) per sample.")
        try:
            a = np.asarray(seq)
        except ValueError as exc:  # a ragged nested list
            raise ValueError(
                f"Sequence {i} of X is not rectangular: its timesteps have different "
                f"numbers of features ({exc}).") from None
        if a.dtype.kind not in "biuf":
            kind = "complex" if a.dtype.kind == "c" else str(a.dtype)
            raise ValueError(
                f"Sequence {i} of X holds {kind} values; sequences must be real numbers.")
        if a.ndim not in (1, 2):
            raise ValueError(
                f"Sequence {i} of X has {a.ndim} dimensions (shape {a.shape}); each "
                "sequence must be (n_timesteps,) or (n_timesteps, n_features).")
        if a.shape[0] == 0:
            raise ValueError(f"Sequence {i} of X has no timesteps; each needs at least one.")
        if i == 0:
            ndim = a.ndim
        elif a.ndim != ndim:
            raise ValueError(
                f"Sequence {i} of X is {a.ndim}-D, but sequence 0 is {ndim}-D: pass all as "
                "(n_timesteps,) or all as (n_timesteps, n_features).")
        a = a[:, np.newaxis] if a.ndim == 1 else a
        if i > 0 and a.shape[1] != arrays[0].shape[1]:
            raise ValueError(
                f"Sequence {i} of X has {a.shape[1]} features per timestep, but sequence "
                f"0 has {arrays[0].shape[1]}: every sequence needs the same features.")
        arrays.append(a)
    return arrays, ndim


#: Values of X whose NaN flags :func:`find_spans` makes at once: flags for
#: all of X at once took 6 bytes per value with one feature (75% of a
#: float64 X), and a fit of unequal lengths peaked there.
_SPAN_CHUNK_VALUES = 2**20


#: Arrays of at most this many values are checked for NaN and infinity
#: with a flag per value (64 KB at most), larger ones by their sum.
_FLAGS_AT_MOST = 2**16


def all_finite(X):
    """Whether X holds no NaN and no infinity (False may also mean finite
    values whose sum overflows), without a temporary the size of a large X.

    Flags for all of X would take one byte per value (38 MB for 200,000
    sequences of 50 steps and 4 features, more than a fit's workspace), so
    a large X is summed instead: a finite sum means finite values. A small
    one takes the flags, faster than the sum and ``np.errstate`` for one
    sequence (1.4 against 2.6 us), and it cannot overflow.
    """
    if X.size <= _FLAGS_AT_MOST:
        return np.isfinite(X).all()
    with np.errstate(over="ignore"):
        return np.isfinite(X.sum())


def find_spans(X, name="X"):
    """The spans (n, 2) int64 of the real steps of a NaN-padded X (n, T, D),
    or None when X holds no NaN (every step is real).

    Errors, naming the first bad sample and step: a NaN inside a sequence
    (not a whole step, or between real steps) and a sequence with no real
    step; and sklearn's own error for an infinite value (checked here, a
    chunk at a time, rather than by ``validate_data``, whose check of
    NaN-padded X made flags of all of X).
    """
    if all_finite(X):
        return None
    spans = np.empty((X.shape[0], 2), dtype=np.int64)
    rows = max(1, _SPAN_CHUNK_VALUES // (X.shape[1] * X.shape[2]))
    padded = False
    for start in range(0, X.shape[0], rows):
        padded |= _chunk_spans(X[start : start + rows], start, name,
                               spans[start : start + rows])
    return spans if padded else None


def _chunk_spans(X, offset, name, spans):
    # find_spans for the samples offset, offset + 1, ... in X: writes their
    # spans, returns whether any of them holds NaN.
    assert_all_finite(X, allow_nan=True, input_name=name)
    nan = np.isnan(X)
    if not nan.any():
        spans[:, 0], spans[:, 1] = 0, X.shape[1]
        return False
    padding = nan.all(axis=2)  # (n, T)
    real = ~padding
    T = X.shape[1]
    empty = np.flatnonzero(~real.any(axis=1))
    if empty.size:
        raise ValueError(
            f"Sample {offset + empty[0]} of {name} has no real step: all its values are NaN. "
            "Each sequence needs at least one step whose features are not all NaN.")
    first = real.argmax(axis=1)
    end = T - real[:, ::-1].argmax(axis=1)
    steps = np.arange(T)
    inside = (steps >= first[:, None]) & (steps < end[:, None])
    bad = nan.any(axis=2) & inside
    if bad.any():
        i, t = np.argwhere(bad)[0]
        what = ("a step of padding between its real steps" if padding[i, t]
                else "NaN in some of its features")
        raise ValueError(
            f"Sample {offset + i} of {name} has {what} at step {t}. NaN is only allowed as "
            "padding: whole steps (every feature NaN) before a sequence's first real step or "
            "after its last.")
    spans[:, 0], spans[:, 1] = first, end
    return True


def lengths(spans, n_samples, n_timesteps):
    """Each sequence's number of real steps (n,)."""
    if spans is None:
        return np.full(n_samples, n_timesteps, dtype=np.int64)
    return spans[:, 1] - spans[:, 0]


def check_window_lengths(est, window, spans, X, fitting):
    """The window MLP reads ``window`` real steps of every sequence: with
    sequences of different lengths the window must be set, and every
    sequence must have that many real steps."""
    if spans is None and X.shape[1] >= window:
        return
    n_real = lengths(spans, *X.shape[:2])
    if fitting and est.window is None and (n_real != n_real[0]).any():
        raise ValueError(
            f"X holds sequences of different lengths ({n_real.min()} to {n_real.max()} "
            f"steps): {type(est).__name__} reads a fixed window of steps, so set window "
            "(at most the shortest length), or use a recurrent estimator, which reads "
            "every length.")
    short = np.flatnonzero(n_real < window)
    if short.size:
        i = short[0]
        raise ValueError(
            f"Sample {i} of X has {n_real[i]} real steps, fewer than the window of "
            f"{window} that {type(est).__name__} reads. Drop the shorter sequences "
            "or use a smaller window.")
