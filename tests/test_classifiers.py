"""The sequence classifiers: labels, heads, probabilities, class weights,
partial_fit, stratified early stopping, and their place in sklearn's tools."""

import pickle
import warnings

import numpy as np
import pytest
from _helpers import CLASSIFIERS, name
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TimeSeriesSplit,
    cross_val_predict,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from skrnn import GRUClassifier, LSTMClassifier, RNNClassifier, WindowMLPClassifier

SMALL = dict(hidden_layer_sizes=(8,), max_iter=60, learning_rate_init=1e-2, random_state=0)


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _waves(n=120, n_classes=2, seed=0):
    """Sequences of 12 steps whose class is the frequency of a noisy sine."""
    rng = np.random.RandomState(seed)
    k = rng.randint(n_classes, size=n)
    X = np.sin(np.arange(12) * (0.4 + 0.6 * k[:, None]) + rng.uniform(0, 6, size=(n, 1)))
    return X + 0.1 * rng.normal(size=X.shape), k


@pytest.fixture(scope="module")
def waves():
    return _waves()


@pytest.mark.parametrize("Classifier", CLASSIFIERS, ids=name)
def test_each_classifier_learns_and_predicts_probabilities(Classifier, waves):
    X, k = waves
    model = Classifier(**SMALL).fit(X[:90], k[:90])
    assert model.score(X[90:], k[90:]) > 0.9
    proba = model.predict_proba(X[90:])
    assert proba.shape == (30, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X[90:]), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(model.predict_log_proba(X[90:]), np.log(proba), rtol=1e-10)


@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog"]), np.array([3, 7]), np.array([False, True]), np.array([1.0, 2.0])],
    ids=["str", "int", "bool", "float"],
)
def test_labels_of_any_type_are_kept_in_classes_(labels, waves):
    X, k = waves
    model = LSTMClassifier(**SMALL).fit(X, labels[k])
    np.testing.assert_array_equal(model.classes_, labels)
    pred = model.predict(X)
    assert pred.dtype == labels.dtype
    assert set(pred) <= set(labels)
    assert model.score(X, labels[k]) > 0.9


def test_binary_multiclass_and_multilabel_heads_follow_mlpclassifier():
    X, k = _waves(n=150, n_classes=3)
    binary = GRUClassifier(**SMALL).fit(X, k == 2)
    assert (binary.n_outputs_, binary.out_activation_) == (1, "logistic")
    multi = GRUClassifier(**SMALL).fit(X, k)
    assert (multi.n_outputs_, multi.out_activation_) == (3, "softmax")
    assert multi.predict_proba(X).shape == (150, 3)
    assert multi.score(X, k) > 0.8
    # Multilabel: independent logistic outputs, an indicator matrix out.
    Y = np.column_stack([k == 0, k != 1]).astype(int)
    multilabel = GRUClassifier(**SMALL).fit(X, Y)
    assert (multilabel.n_outputs_, multilabel.out_activation_) == (2, "logistic")
    np.testing.assert_array_equal(multilabel.classes_, [0, 1])
    pred = multilabel.predict(X)
    assert pred.shape == (150, 2) and set(np.unique(pred)) <= {0, 1}
    proba = multilabel.predict_proba(X)
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    assert multilabel.score(X, Y) > 0.7  # subset accuracy, as for MLPClassifier


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_log_probabilities_stay_finite_however_sure_the_model_is(waves, dtype, n_classes):
    X, _ = _waves(n_classes=n_classes)
    y = np.arange(len(X)) % n_classes
    model = RNNClassifier(**SMALL).fit(X.astype(dtype), y)
    # Scores of +-1e4 (on a float32 model too), where exp() of the scores
    # overflows and the probabilities round to exactly 0 and 1.
    model.weights_["output.b"][:] = 1e4 * np.where(np.arange(model.n_outputs_) == 0, 1, -1)
    log_proba = model.predict_log_proba(X.astype(dtype))
    assert log_proba.dtype == dtype and np.isfinite(log_proba).all()
    assert log_proba.min() < -1e3
    proba = model.predict_proba(X.astype(dtype))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_class_weight_multiplies_the_sample_weights(waves):
    X, k = waves
    weighted = RNNClassifier(class_weight={0: 3.0, 1: 0.5}, **SMALL).fit(X, k)
    by_hand = RNNClassifier(**SMALL).fit(X, k, sample_weight=np.where(k == 0, 3.0, 0.5))
    np.testing.assert_array_equal(weighted.params_, by_hand.params_)
    balanced = RNNClassifier(class_weight="balanced", **SMALL).fit(X[:70], k[:70])
    w = compute_class_weight("balanced", classes=np.array([0, 1]), y=k[:70])
    by_hand = RNNClassifier(**SMALL).fit(X[:70], k[:70], sample_weight=w[k[:70]])
    np.testing.assert_array_equal(balanced.params_, by_hand.params_)


def test_balanced_weights_of_a_validation_set_are_the_training_sets(waves):
    # y_val holding one class only is valid: its weights are the training
    # set's class weights, not weights from its own frequencies.
    X, k = waves
    model = RNNClassifier(class_weight="balanced", early_stopping=True, **SMALL)
    y_val = np.zeros(30, dtype=int)
    model.fit(X[:90], k[:90], X_val=X[90:], y_val=y_val)
    # One class, one weight: the weighted accuracy is the accuracy.
    assert model.best_validation_score_ == model.score(X[90:], y_val)


def test_partial_fit_learns_the_classes_named_on_the_first_call(waves):
    X, k = waves
    labels = np.array(["a", "b", "c"])
    model = LSTMClassifier(**SMALL)
    # A first minibatch holding one class only: the classes say there are three.
    model.partial_fit(X[k == 0][:10], labels[k[k == 0][:10]], classes=labels)
    np.testing.assert_array_equal(model.classes_, labels)
    assert model.n_outputs_ == 3
    for _ in range(30):
        model.partial_fit(X, labels[k])
    assert model.score(X, labels[k]) > 0.9
    assert model.predict_proba(X).shape == (len(X), 3)


def test_early_stopping_holds_out_a_stratified_random_split(waves):
    X, k = waves
    order = np.argsort(k, kind="stable")  # a training set sorted by class
    X, k = X[order], k[order]
    model = LSTMClassifier(early_stopping=True, validation_fraction=0.25, **SMALL).fit(X, k)
    held_out = np.sort(train_test_split(np.arange(len(k)), test_size=0.25, random_state=0,
                                        stratify=k)[1])
    assert set(k[held_out]) == {0, 1}  # the last quarter would hold class 1 only
    # The best epoch's weights are kept: their accuracy on that split is the best score.
    assert model.score(X[held_out], k[held_out]) == model.best_validation_score_
    assert all(0 <= s <= 1 for s in model.validation_scores_)


def test_an_explicit_validation_set_is_what_early_stopping_scores(waves):
    X, k = waves
    model = WindowMLPClassifier(early_stopping=True, **SMALL).fit(X[:80], k[:80],
                                                                 X_val=X[80:], y_val=k[80:])
    assert model.score(X[80:], k[80:]) == model.best_validation_score_


def test_pickle_round_trip_predicts_identically(waves):
    X, k = waves
    model = GRUClassifier(**SMALL).fit(X, np.array(["x", "y"])[k])
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


# --- errors ------------------------------------------------------------------


def test_continuous_y_is_refused_with_sklearns_message(waves):
    X, _ = waves
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LSTMClassifier(**SMALL).fit(X, X[:, 0])


def test_a_single_class_is_refused(waves):
    X, _ = waves
    with pytest.raises(ValueError, match=r"only one class \('a'\)"):
        LSTMClassifier(**SMALL).fit(X, ["a"] * len(X))
    with pytest.raises(ValueError, match="Only one class has samples of positive weight"):
        LSTMClassifier(**SMALL).fit(X, np.arange(len(X)) % 2,
                                    sample_weight=np.arange(len(X)) % 2)


def test_class_weight_errors(waves):
    X, k = waves
    with pytest.raises(ValueError, match=r"class_weight names classes that are not in y: \[5\]"):
        LSTMClassifier(class_weight={0: 1.0, 5: 2.0}, **SMALL).fit(X, k)
    with pytest.raises(ValueError, match="not supported for multilabel"):
        LSTMClassifier(class_weight="balanced", **SMALL).fit(X, np.column_stack([k, 1 - k]))
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        LSTMClassifier(class_weight="balanced", **SMALL).partial_fit(X, k, classes=[0, 1])


def test_partial_fit_errors(waves):
    X, k = waves
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        LSTMClassifier(**SMALL).partial_fit(X, k)
    model = LSTMClassifier(**SMALL).partial_fit(X, k, classes=[0, 1])
    before = model.params_.copy()
    with pytest.raises(ValueError, match=r"y has classes not in classes_: \[2\]"):
        model.partial_fit(X, np.where(k == 1, 2, 0))
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        model.partial_fit(X, k, classes=[0, 1, 2])
    np.testing.assert_array_equal(model.params_, before)  # failed calls change nothing


def test_warm_start_needs_the_classes_of_the_first_fit(waves):
    X, k = waves
    model = LSTMClassifier(warm_start=True, **SMALL).fit(X, k)
    with pytest.raises(ValueError, match="warm_start can only be used where y has the same"):
        model.fit(X[k == 0], k[k == 0])
    with pytest.raises(ValueError, match="y_val has classes not in classes_"):
        clone(model).set_params(early_stopping=True).fit(X, k, X_val=X, y_val=k + 1)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_predicting_before_fit_is_not_fitted_error(method, waves):
    with pytest.raises(NotFittedError):
        getattr(LSTMClassifier(), method)(waves[0])


# --- sklearn's tools -------------------------------------------------------------


@pytest.mark.parametrize("cv", [StratifiedKFold(n_splits=3), TimeSeriesSplit(n_splits=3)],
                         ids=["stratified", "time-series"])
@pytest.mark.parametrize("Classifier", CLASSIFIERS, ids=name)
def test_grid_search_over_a_pipeline(Classifier, cv, waves):
    X, k = waves
    pipe = make_pipeline(StandardScaler(), Classifier(**SMALL))
    step = pipe.steps[-1][0]
    search = GridSearchCV(pipe, {f"{step}__hidden_layer_sizes": [(4,), (8,)]}, cv=cv,
                          scoring="neg_log_loss").fit(X, k)
    assert search.best_estimator_.score(X, k) > 0.9


@pytest.mark.parametrize("Classifier", CLASSIFIERS, ids=name)
def test_cross_val_predict_probabilities_and_calibration(Classifier, waves):
    X, k = waves
    proba = cross_val_predict(Classifier(**SMALL), X, k, cv=3, method="predict_proba")
    assert proba.shape == (len(X), 2)
    assert ((proba[:, 1] > 0.5) == k).mean() > 0.9
    calibrated = CalibratedClassifierCV(Classifier(**SMALL), cv=3).fit(X, k)
    assert calibrated.score(X, k) > 0.9
