"""Sequences of unequal length: lists of arrays and NaN padding, in every estimator."""

import pickle
import warnings

import numpy as np
import pytest
from _helpers import CLASSIFIERS, ESTIMATORS, RECURRENT, name, traced_peak
from sklearn.base import ClassifierMixin, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import skrnn._sequences
from skrnn import (
    GRUClassifier,
    LSTMClassifier,
    LSTMRegressor,
    RNNRegressor,
    WindowMLPClassifier,
    WindowMLPRegressor,
    pad_sequences,
)
from skrnn._sequences import find_spans
from skrnn._validation import validate_X

RECURRENT_ESTIMATORS = [E for E in ESTIMATORS if E not in (WindowMLPRegressor,
                                                           WindowMLPClassifier)]


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _sequences(n=24, low=3, high=12, n_features=2, seed=0, dtype=np.float64):
    # Sequences of random lengths whose target is the mean of their first
    # feature: learnable, and it depends on every real step.
    rng = np.random.RandomState(seed)
    seqs = [rng.normal(size=(rng.randint(low, high + 1), n_features)).astype(dtype)
            for _ in range(n)]
    y = np.array([s[:, 0].mean() for s in seqs])
    return seqs, y


def _targets(Estimator, y):
    return (y > np.median(y)).astype(int) if issubclass(Estimator, ClassifierMixin) else y


def _outputs(model, X):
    # What a prediction is made of: probabilities for a classifier.
    return model.predict_proba(X) if is_classifier(model) else model.predict(X)


# --------------------------------------------------------------- pad_sequences


def test_pad_sequences_pads_with_nan_before_or_after():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0])
    np.testing.assert_array_equal(pad_sequences([a, b]), [[1, 2, 3], [np.nan, np.nan, 4]])
    np.testing.assert_array_equal(pad_sequences([a, b], padding="post"),
                                  [[1, 2, 3], [4, np.nan, np.nan]])
    X = pad_sequences([np.ones((2, 3)), np.zeros((4, 3))])
    assert X.shape == (2, 4, 3) and np.isnan(X[0, :2]).all() and (X[0, 2:] == 1).all()


def test_pad_sequences_dtype():
    f32 = [np.ones(2, np.float32), np.ones(3, np.float32)]
    assert pad_sequences(f32).dtype == np.float32
    assert pad_sequences([np.ones(2, np.float32), np.ones(3)]).dtype == np.float64
    assert pad_sequences([[1, 2], [3]]).dtype == np.float64  # ints become floats
    assert pad_sequences(f32, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="float dtype"):
        pad_sequences(f32, dtype=int)


BAD_SEQUENCES = {
    "empty list": ([], "empty list"),
    "zero-length sequence": ([np.ones(3), np.ones(0)], "Sequence 1 of X has no timesteps"),
    "different features": ([np.ones((3, 2)), np.ones((4, 3))],
                            "Sequence 1 of X has 3 features per timestep, but sequence 0 has 2"),
    "1-D and 2-D mixed": ([np.ones(3), np.ones((4, 1))], "Sequence 1 of X is 2-D"),
    "ragged steps": ([[[1, 2], [3]], [[1, 2]]], "Sequence 0 of X is not rectangular"),
    "a number among sequences": ([np.ones(3), 4.0], "Sequence 1 of X is float"),
    "strings": ([np.array(["a", "b"])], "Sequence 0 of X holds <U1 values"),
    "3-D sequence": ([np.ones((2, 2, 2))], "Sequence 0 of X has 3 dimensions"),
}


@pytest.mark.parametrize("case", BAD_SEQUENCES)
def test_pad_sequences_bad_input_is_a_clear_error(case):
    sequences, message = BAD_SEQUENCES[case]
    with pytest.raises(ValueError, match=message):
        pad_sequences(sequences)


def test_pad_sequences_refuses_an_array_and_a_bad_padding():
    with pytest.raises(TypeError, match="needs no padding"):
        pad_sequences(np.ones((3, 4)))
    with pytest.raises(ValueError, match="'pre' or 'post'"):
        pad_sequences([np.ones(2)], padding="left")


# ------------------------------------------------------------------ estimators


@pytest.mark.parametrize("Estimator", RECURRENT_ESTIMATORS, ids=name)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("layers, window", [((4,), None), ((4, 3), None), ((4,), 5)],
                         ids=["one layer", "stacked", "window"])
def test_a_prediction_does_not_depend_on_padding_or_batch(Estimator, dtype, layers, window):
    seqs, y = _sequences(dtype=dtype)
    model = Estimator(hidden_layer_sizes=layers, window=window, max_iter=3, random_state=0)
    model.fit(seqs, _targets(Estimator, y))
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    alone = np.concatenate([_outputs(model, [s]) for s in seqs])
    for X in (seqs, pad_sequences(seqs, "pre"), pad_sequences(seqs, "post"),
              pad_sequences(seqs[::-1])[::-1]):
        np.testing.assert_allclose(_outputs(model, X), alone, **tol)
    # Padding on both sides, as much as the fitted timesteps leave.
    around = np.full((len(seqs), model.n_features_in_, 2), np.nan, dtype=dtype)
    for i, s in enumerate(seqs):
        first = i % (model.n_features_in_ - len(s) + 1)
        around[i, first : first + len(s)] = s
    np.testing.assert_allclose(_outputs(model, around), alone, **tol)


def test_a_minibatch_runs_its_shortest_sequences_first_ties_in_order():
    # The kernels skip the leading padding rows of a step (``first_real_row``)
    # only if the minibatch is ordered by length; a stable order keeps fits
    # reproducible.
    from skrnn._kernels.train import _shortest_first

    rng = np.random.RandomState(0)
    for _ in range(20):
        n = rng.randint(1, 40)
        starts = rng.randint(0, 6, size=n)
        spans = np.column_stack([starts, np.full(n, 6)]).astype(np.int64)
        rows = rng.permutation(n).astype(np.int64)
        expected = sorted(rows, key=lambda r: spans[r, 1] - spans[r, 0])  # stable
        scratch = np.full((2, n + 3), -1, dtype=np.int64)  # longer than the minibatch
        np.testing.assert_array_equal(_shortest_first(rows, spans, *scratch), expected)
    one_span = np.array([[0, 6]], dtype=np.int64)
    np.testing.assert_array_equal(_shortest_first(rows, one_span, *scratch), rows)


@pytest.mark.parametrize("Estimator", RECURRENT_ESTIMATORS, ids=name)
def test_fits_on_a_list_and_on_padded_arrays_give_the_same_model(Estimator):
    # The kernels read the same real steps however they are padded: the
    # models are bit-identical.
    seqs, y = _sequences(seed=1)
    y = _targets(Estimator, y)
    models = [clone(Estimator(hidden_layer_sizes=(4,), max_iter=3, random_state=0)).fit(X, y)
              for X in (seqs, pad_sequences(seqs, "pre"), pad_sequences(seqs, "post"))]
    for model in models[1:]:
        np.testing.assert_array_equal(model.params_, models[0].params_)


@pytest.mark.parametrize("Estimator", RECURRENT, ids=name)
def test_padding_is_left_out_of_the_standardisation(Estimator):
    seqs, y = _sequences(seed=2)
    model = Estimator(hidden_layer_sizes=(3,), max_iter=1).fit(seqs, y)
    steps = np.vstack(seqs)
    np.testing.assert_allclose(model.X_mean_, steps.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.X_scale_, steps.std(axis=0), rtol=1e-12)


def test_a_window_reads_the_last_real_steps():
    seqs, y = _sequences(seed=3)
    model = LSTMRegressor(hidden_layer_sizes=(3,), window=4, max_iter=2).fit(seqs, y)
    cropped = [s[-4:] for s in seqs]  # what is left of each: at most 4 steps
    np.testing.assert_allclose(model.predict(seqs), model.predict(cropped), rtol=1e-12)
    with pytest.raises(ValueError, match="window=13 is longer than the sequences in X"):
        LSTMRegressor(window=13).fit(seqs, y)


@pytest.mark.parametrize("Estimator", RECURRENT, ids=name)
def test_a_list_at_predict_may_hold_any_length(Estimator):
    seqs, y = _sequences(seed=4)
    model = Estimator(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(seqs, y)
    rng = np.random.RandomState(0)
    longer = [rng.normal(size=(30, 2)), rng.normal(size=(1, 2))]
    pred = model.predict(longer)
    assert pred.shape == (2,) and np.isfinite(pred).all()
    assert pred[0] == pytest.approx(model.predict(longer[:1])[0], rel=1e-12)
    # An array keeps the check suite's rule: the fitted number of timesteps.
    with pytest.raises(ValueError, match=f"is expecting {model.n_features_in_} features"):
        model.predict(pad_sequences(longer))


@pytest.mark.parametrize("Estimator", [WindowMLPRegressor, WindowMLPClassifier], ids=name)
def test_the_window_mlp_needs_a_window_no_longer_than_every_sequence(Estimator):
    seqs, y = _sequences(seed=5)
    y = _targets(Estimator, y)
    with pytest.raises(ValueError, match="different lengths .* set window"):
        Estimator(max_iter=2).fit(seqs, y)
    with pytest.raises(ValueError, match="Sample .* has 3 real steps, fewer than the window"):
        Estimator(window=4, max_iter=2).fit(seqs, y)
    model = Estimator(window=3, max_iter=2, random_state=0).fit(seqs, y)
    cropped = [s[-3:] for s in seqs]
    np.testing.assert_allclose(_outputs(model, seqs), _outputs(model, cropped), rtol=1e-12)
    with pytest.raises(ValueError, match="Sample 1 of X has 2 real steps"):
        model.predict([np.ones((5, 2)), np.ones((2, 2))])
    with pytest.raises(ValueError, match="Sample 0 of X has 2 real steps"):
        model.predict([np.ones((2, 2)), np.ones((2, 2))])  # one length, too short
    # Sequences of one length need no window.
    same = [s[:3] for s in seqs]
    assert Estimator(max_iter=2).fit(same, y).n_features_in_ == 3


BAD_X = {
    "empty list": ([], "empty list"),
    "zero-length sequence": ([np.ones(3)] * 5 + [np.ones(0)], "Sequence 5 of X has no timesteps"),
    "different features": ([np.ones((3, 2))] * 5 + [np.ones((4, 3))],
                           "Sequence 5 of X has 3 features per timestep"),
    "NaN mid-sequence": ([np.ones(3)] * 5 + [np.array([1.0, np.nan, 2.0])],
                         "Sample 5 of X has a step of padding between its real steps at step 1"),
    "all-NaN sequence": ([np.ones(3)] * 5 + [np.full(2, np.nan)], "Sample 5 of X has no real"),
    "infinity": ([np.ones(3)] * 5 + [np.array([1.0, np.inf])], "Input X contains infinity"),
    "nested list of numbers, ragged steps": ([[[1, 2], [3]]] * 6, "not rectangular"),
}


@pytest.mark.parametrize("case", BAD_X)
@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRUClassifier], ids=name)
def test_bad_sequences_get_a_clear_error(Estimator, case):
    X, message = BAD_X[case]
    y = _targets(Estimator, np.arange(max(len(X), 2), dtype=float))
    with pytest.raises(ValueError, match=message):
        Estimator(max_iter=2).fit(X, y[: len(X)])


def test_ragged_lists_of_numbers_and_object_arrays_are_sequences():
    # Plain nested lists and an object array of arrays (sktime's nested
    # cells) read as the list of arrays they spell.
    seqs, y = _sequences(n=12, n_features=1, seed=6)
    as_lists = [s[:, 0].tolist() for s in seqs]
    as_objects = np.empty(len(seqs), dtype=object)
    as_objects[:] = [s[:, 0] for s in seqs]
    model = RNNRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    reference = clone(model).fit([s[:, 0] for s in seqs], y)
    for X in (as_lists, as_objects):
        np.testing.assert_array_equal(clone(model).fit(X, y).params_, reference.params_)
        np.testing.assert_array_equal(reference.predict(X), reference.predict(seqs))


# --------------------------------------------------------------------- sklearn


def test_standard_scaler_pipeline_on_padded_2d_input():
    # StandardScaler passes NaN through, so it scales each timestep of
    # padded univariate sequences and the estimator still sees the padding.
    seqs, y = _sequences(n_features=1, seed=7)
    X = pad_sequences([s[:, 0] for s in seqs])
    pipe = make_pipeline(StandardScaler(), LSTMRegressor(hidden_layer_sizes=(3,), max_iter=2,
                                                         random_state=0)).fit(X, y)
    assert np.isfinite(pipe.predict(X)).all()


def test_a_function_transformer_scales_3d_padded_input_in_a_pipeline():
    seqs, y = _sequences(seed=8)
    X = pad_sequences(seqs)
    scale = FunctionTransformer(lambda A: A / np.nanstd(A, axis=(0, 1)))
    pipe = make_pipeline(scale, GRUClassifier(hidden_layer_sizes=(3,), max_iter=2))
    assert pipe.fit(X, _targets(GRUClassifier, y)).score(X, _targets(GRUClassifier, y)) >= 0


@pytest.mark.parametrize("Estimator", [LSTMRegressor, LSTMClassifier], ids=name)
def test_model_selection_with_list_input(Estimator):
    seqs, y = _sequences(n=30, seed=9)
    y = _targets(Estimator, y)
    model = Estimator(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    search = GridSearchCV(model, {"alpha": [1e-4, 1e-2]}, cv=3).fit(seqs, y)
    assert search.best_estimator_.predict(seqs).shape == (30,)
    scores = cross_validate(model, seqs, y, cv=TimeSeriesSplit(n_splits=3))
    assert np.isfinite(scores["test_score"]).all()
    # Early stopping holds out sequences of the list.
    stopped = clone(model).set_params(early_stopping=True, max_iter=3).fit(seqs, y)
    assert len(stopped.validation_scores_) == stopped.n_iter_
    val = clone(model).set_params(early_stopping=True, max_iter=3).fit(
        seqs[:20], y[:20], X_val=seqs[20:], y_val=y[20:])
    assert len(val.validation_scores_) == val.n_iter_


@pytest.mark.parametrize("Estimator", [*RECURRENT, *CLASSIFIERS], ids=name)
def test_models_fitted_on_lists_pickle_and_predict_identically(Estimator):
    seqs, y = _sequences(seed=10)
    window = 3 if Estimator is WindowMLPClassifier else None
    model = Estimator(hidden_layer_sizes=(3,), window=window, max_iter=2, random_state=0)
    model.fit(seqs, _targets(Estimator, y))
    loaded = pickle.loads(pickle.dumps(model))
    for X in (seqs, pad_sequences(seqs, "post")):
        np.testing.assert_array_equal(_outputs(loaded, X), _outputs(model, X))


@pytest.mark.parametrize("Estimator", RECURRENT, ids=name)
def test_warm_start_and_partial_fit_take_lists_of_other_lengths(Estimator):
    seqs, y = _sequences(seed=11)
    model = Estimator(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(seqs, y)
    longer, y2 = _sequences(low=14, high=20, seed=12)
    model.partial_fit(longer, y2)
    model.set_params(warm_start=True).fit(longer, y2)
    assert model.n_iter_ == 5 and np.isfinite(model.predict(longer)).all()


def test_spans_of_data_without_nan_take_no_array_the_size_of_x():
    # A fit of 200,000 sequences peaked at np.isnan(X): 38 MB, more than its
    # workspace.
    X = np.random.RandomState(0).normal(size=(20_000, 50, 4))
    spans, peak = traced_peak(lambda: find_spans(X))
    assert spans is None
    assert peak < X.size // 16, f"{peak / 2**20:.1f} MB"


def test_spans_when_the_sum_of_x_overflows():
    # The finite-sum shortcut does not apply: the flags decide, silently.
    X = np.full((3, 4, 2), 1e308)
    padded = X.copy()
    padded[1, :2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert find_spans(X) is None
        np.testing.assert_array_equal(find_spans(padded), [[0, 4], [2, 4], [0, 4]])


def test_spans_of_padded_data_are_found_in_chunks_of_bounded_memory():
    # The NaN flags of all of X at once took 6 bytes per value with one
    # feature: 75% of X, the peak of a fit of unequal lengths.
    X = np.random.RandomState(0).normal(size=(200_000, 50, 1))
    X[::2, :10] = np.nan
    spans, peak = traced_peak(lambda: find_spans(X))
    assert peak - spans.nbytes < X.nbytes // 8, f"{peak / 2**20:.1f} MB"
    np.testing.assert_array_equal(spans[:4], [[10, 50], [0, 50], [10, 50], [0, 50]])


@pytest.mark.parametrize("rows_per_chunk", [1, 2, 3, 100])
def test_spans_and_their_errors_do_not_depend_on_the_chunks(monkeypatch, rows_per_chunk):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(7, 6, 2))
    X[1, :2] = np.nan
    X[4, 5:] = np.nan
    monkeypatch.setattr(skrnn._sequences, "_SPAN_CHUNK_VALUES", rows_per_chunk * 6 * 2)
    expected = [[0, 6], [2, 6], [0, 6], [0, 6], [0, 5], [0, 6], [0, 6]]
    np.testing.assert_array_equal(find_spans(X), expected)
    inside = X.copy()
    inside[5, 3, 0] = np.nan
    with pytest.raises(ValueError, match="Sample 5 of X has NaN in some of its features at step 3"):
        find_spans(inside)
    empty = X.copy()
    empty[6] = np.nan
    with pytest.raises(ValueError, match="Sample 6 of X has no real step"):
        find_spans(empty)
    assert find_spans(np.nan_to_num(X)) is None
    infinite = X.copy()
    infinite[6, 2, 1] = -np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        find_spans(infinite)


def test_a_fitted_model_validates_padded_x_in_bounded_memory(monkeypatch):
    # sklearn's check for infinity made flags of all of a NaN-padded X (one
    # byte a value: 153 MB of X took 19 MB of predict's 19 MB peak);
    # find_spans checks its chunks instead.
    monkeypatch.setattr(skrnn._sequences, "_SPAN_CHUNK_VALUES", 2**16)
    model = RNNRegressor(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    X = np.random.RandomState(0).normal(size=(100_000, 50, 1))
    X[::2, :10] = np.nan
    model.fit(X[:64], np.zeros(64))
    (_, _, spans), peak = traced_peak(lambda: validate_X(model, X, reset=False))
    assert peak - spans.nbytes < X.nbytes // 16, f"{peak / 2**20:.1f} MB"
    X[99_999, 20, 0] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.predict(X)
