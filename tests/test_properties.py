"""Property-based tests: any input gives a clear error or a sound result."""

import atexit
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from _helpers import REGRESSORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNRegressor, make_windows

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
N_STEPS = 6
# Memory-mapped inputs live here; one file per drawn array.
MEMMAP_DIR = Path(tempfile.mkdtemp(prefix="skrnn-memmap-"))
atexit.register(shutil.rmtree, MEMMAP_DIR, ignore_errors=True)

values = st.one_of(
    st.floats(-10, 10), st.sampled_from([0.0, 1e300, -1e300, 1e-300, np.nan, np.inf, -np.inf])
)
dtypes = st.sampled_from(
    ["bool", "int8", "int64", "float16", "float32", "float64", "complex128", "object", "str"]
)


@st.composite
def arrays(draw, n_steps=None):
    n = draw(st.integers(1, 50))
    t = n_steps if n_steps is not None else draw(st.integers(1, 30))
    shape = draw(st.sampled_from([(n, t), (n, t, draw(st.integers(1, 4)))]))
    X = draw(hnp.arrays(np.float64, shape, elements=values))
    dtype = draw(dtypes)
    with np.errstate(all="ignore"):
        X = X.astype(dtype) if dtype not in ("object", "str") else X.astype(dtype)
    layout = draw(st.sampled_from(["C", "F", "strided", "readonly", "memmap"]))
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "strided":
        X = np.repeat(X, 2, axis=0)[::2]
    elif layout == "readonly":
        X = X.copy()
        X.flags.writeable = False
    elif layout == "memmap" and X.dtype != object:
        # A read-only memory map, as joblib hands large arrays to its workers.
        path = MEMMAP_DIR / f"{len(list(MEMMAP_DIR.iterdir()))}.npy"
        np.save(path, X)
        X = np.load(path, mmap_mode="r")
    return X


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, N_STEPS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return [E(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, X[:, 0])
                for E in REGRESSORS]


@SETTINGS
@given(X=st.one_of(arrays(N_STEPS), arrays()))
def test_predict_gives_finite_output_or_a_clear_error(fitted, X):
    for model in fitted:
        try:
            out = model.predict(X)
        except (ValueError, TypeError):
            continue
        assert out.shape == (X.shape[0],)
        assert out.dtype == np.float64
        assert np.all(np.isfinite(out))


@SETTINGS
@given(X=arrays(), y_constant=st.booleans(), partial=st.booleans())
def test_fit_gives_a_sound_model_or_a_clear_error(X, y_constant, partial):
    rng = np.random.RandomState(0)
    y = np.ones(X.shape[0]) if y_constant else rng.normal(size=X.shape[0])
    model = RNNRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (model.partial_fit if partial else model.fit)(X, y)
    except (ValueError, TypeError):
        assert not hasattr(model, "params_")
        return
    assert np.all(np.isfinite(model.params_))
    try:
        out = model.predict(X)
    except ValueError:
        return
    assert out.shape == y.shape and np.all(np.isfinite(out))


@SETTINGS
@given(
    series=hnp.arrays(np.float64, st.sampled_from([(40,), (40, 1), (40, 3)]),
                      elements=st.floats(-1e6, 1e6)),
    window=st.integers(-2, 45),
    horizon=st.integers(-1, 5),
)
def test_make_windows_shapes_or_a_clear_error(series, window, horizon):
    target = 0 if series.ndim == 2 else None
    try:
        X, y = make_windows(series, window, horizon=horizon, target=target)
    except ValueError:
        assert window < 1 or horizon < 1 or window + horizon > 40
        return
    n = 40 - window - horizon + 1
    assert X.shape == (n, window) + series.shape[1:]
    assert y.shape == ((n,) if horizon == 1 else (n, horizon))
    np.testing.assert_array_equal(X[-1, -1], series[window + n - 2])
