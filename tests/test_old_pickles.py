"""Models saved by earlier versions: they load and predict as they did, or
refuse with an error that says which version wrote them and what to do.

The fixtures in ``fixtures/pickles`` were written by
``fixtures/make_pickles.py`` from the commits their names give, and are
never regenerated: a change of the fitted state's layout that breaks them
fails here.
"""

import pathlib
import pickle
import warnings

import joblib
import numpy as np
import pytest

import skrnn

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "pickles"
# The layout with the recorded architecture (since the GRU's reshaping).
CURRENT = "architecture-1-3ceaf80"
# The classifiers, in that layout, since the commit that added them.
CLASSIFIERS = "architecture-1-2c1658b"
# Before it: the network was rebuilt from the constructor's current
# parameters, which could differ from the fitted ones.
BEFORE = "pre-architecture-e5bedb9"


def _load(path):
    if path.suffix == ".pkl":
        with open(path, "rb") as f:
            return pickle.load(f)
    return joblib.load(path)


def _cases(tag, kind="Regressor"):
    return sorted(FIXTURES.glob(f"{tag}-*{kind}.*"))


@pytest.mark.parametrize("path", _cases(CURRENT), ids=lambda p: p.name)
def test_models_saved_with_the_recorded_architecture_predict_as_they_did(path):
    saved = np.load(FIXTURES / f"{CURRENT}-predictions.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning but the version's, once versions differ
        warnings.simplefilter("ignore", skrnn.InconsistentVersionWarning)
        model = _load(path)
    name = path.stem.rsplit("-", 1)[1]
    # Bit for bit on the machine that wrote them; another CPU's compiled
    # kernels may round the last bits differently (vector width, FMA).
    np.testing.assert_allclose(model.predict(saved["X"]), saved[name], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("path", _cases(CLASSIFIERS, "Classifier"), ids=lambda p: p.name)
def test_saved_classifiers_predict_as_they_did(path):
    saved = np.load(FIXTURES / f"{CLASSIFIERS}-predictions.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", skrnn.InconsistentVersionWarning)
        model = _load(path)
    name = path.stem.rsplit("-", 1)[1]
    np.testing.assert_array_equal(model.predict(saved["X"]), saved[name])
    np.testing.assert_allclose(model.predict_proba(saved["X"]), saved[f"{name}.proba"],
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("path", _cases(BEFORE), ids=lambda p: p.name)
def test_models_saved_before_the_recorded_architecture_refuse_clearly(path):
    with pytest.raises(ValueError, match=r"pickled by a development version of skrnn 0\.1\.0 "
                       r"that did not record its fitted architecture; refit it"):
        _load(path)


def test_every_estimator_has_current_fixtures():
    from _helpers import ESTIMATORS

    cases = _cases(CURRENT) + _cases(CLASSIFIERS, "Classifier")
    names = {p.stem.rsplit("-", 1)[1] for p in cases}
    assert names == {E.__name__ for E in ESTIMATORS}, (
        "a new estimator needs saved-model fixtures: python tests/fixtures/make_pickles.py TAG")
    assert {p.suffix for p in cases} == {".pkl", ".joblib"}
