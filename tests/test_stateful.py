"""Stateful property tests: any chain of calls on an estimator keeps its
promises.

Hypothesis drives one estimator of each class through random sequences of
``fit``, ``partial_fit``, warm-start refits, ``set_params`` of every
constructor parameter, pickle, joblib and skops round trips, ``clone``,
calls with bad input, and ``predict`` / ``predict_proba`` / ``score``. After
every step:

- the predictions on a fixed probe set are those of the last successful
  ``fit`` or ``partial_fit``, bit for bit (nothing else changes them: not
  ``set_params``, not a round trip, not a failed call);
- a failed call raised a ``ValueError`` or ``TypeError`` and left the
  fitted state exactly as it was;
- a warm start or ``partial_fit`` after a change of the network's
  parameters refused, naming the parameter;
- everything is finite.

Each CI run draws new chains (no example database); a failure prints
hypothesis's seed, and ``pytest --hypothesis-seed=N`` replays it.
"""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from _helpers import ESTIMATORS, name
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError

sio = pytest.importorskip("skops.io")

N, T = 24, 6
# Examples and steps per estimator class: 8 classes x 25 chains of up to 15
# steps is about 2,000 calls per run (test_stateful_calls_per_run counts them).
STATEFUL = settings(max_examples=25, stateful_step_count=15, deadline=None, database=None,
                    print_blob=True, suppress_health_check=[HealthCheck.too_slow])

# Values for every constructor parameter: the ones that shape the network
# first (a warm start must refuse a change of them), then training ones.
ARCHITECTURE = {
    "hidden_layer_sizes": [(3,), (4, 2)],
    "window": [None, 3],
    "standardize": [True, False],
}
TRAINING = {
    "solver": ["adam", "sgd"], "alpha": [0.0, 1e-3], "batch_size": ["auto", 7],
    "learning_rate_init": [1e-3, 1e-2], "max_iter": [2, 4], "shuffle": [True, False],
    "random_state": [0, 1], "tol": [1e-4, 0.0], "verbose": [False],
    "warm_start": [False, True], "momentum": [0.9, 0.5], "nesterovs_momentum": [True, False],
    "early_stopping": [False, True], "validation_fraction": [0.2, 0.3],
    "beta_1": [0.9, 0.8], "beta_2": [0.999, 0.99], "epsilon": [1e-8, 1e-6],
    "n_iter_no_change": [10, 2], "max_grad_norm": [None, 1.0],
}
EXTRA = {"activation": None, "bptt_steps": [None, 2], "class_weight": [None, "balanced"]}
ACTIVATIONS = {"rnn": ["tanh", "relu"], "dense": ["relu", "tanh", "identity", "logistic"]}

calls = {"total": 0}


def _data(classifier, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N, T))
    signal = X[:, -1] + 0.5 * X[:, -2]
    y = np.where(signal > 0, "up", "down") if classifier else signal
    return X, y


def _parameter_values(model):
    values = {**ARCHITECTURE, **TRAINING}
    params = model.get_params()
    for key, options in EXTRA.items():
        if key in params:
            values[key] = options or ACTIVATIONS[model._network_kind]
    assert set(values) == set(params), set(params) ^ set(values)  # every parameter drawn
    return values


def _fitted_state(model):
    """What a failed call must leave as it was."""
    if not hasattr(model, "params_"):
        return None
    return model.params_.copy(), model.n_iter_, list(model.loss_curve_)


def machine_for(Estimator):
    classifier = is_classifier(Estimator())

    class EstimatorChain(RuleBasedStateMachine):
        @initialize(seed=st.integers(0, 3))
        def start(self, seed):
            self.model = Estimator(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
            self.X, self.y = _data(classifier, seed)
            self.probe = np.random.RandomState(seed + 10).normal(size=(5, T))
            self.expected = None  # predictions of the last successful fit
            self.values = _parameter_values(self.model)

        def _outputs(self):
            out = [self.model.predict(self.probe)]
            if classifier:
                out.append(self.model.predict_proba(self.probe))
            return out

        def _call(self, method, *args, **kwargs):
            # A call either succeeds or raises a clear error that changes nothing.
            calls["total"] += 1
            before = _fitted_state(self.model)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    getattr(self.model, method)(*args, **kwargs)
            except (ValueError, TypeError) as error:
                after = _fitted_state(self.model)
                assert (before is None) == (after is None)
                if before is not None:
                    np.testing.assert_array_equal(after[0], before[0])
                    assert after[1:] == before[1:]
                return error
            self.expected = self._outputs()
            return None

        def _changed_architecture(self):
            # The network parameters that differ from the fitted ones.
            fitted = self.model._architecture
            now = self.model._architecture_now(
                self.model.n_features_in_, fitted["n_sequence_features"],
                fitted["n_outputs"], fitted["loss"], fitted["dtype"])
            return [k for k in ("hidden_layer_sizes", "activation", "window", "standardize")
                    if now[k] != fitted[k]]

        @rule()
        def fit(self):
            continued = self.model.warm_start and self.expected is not None
            changed = self._changed_architecture() if continued else []
            error = self._call("fit", self.X, self.y)
            if changed:
                assert error is not None and changed[0] in str(error)

        @rule(rows=st.sampled_from([slice(None), slice(0, 12), slice(12, None)]))
        def partial_fit(self, rows):
            changed = self._changed_architecture() if self.expected is not None else []
            kwargs = {"classes": ["down", "up"]} if classifier and self.expected is None else {}
            error = self._call("partial_fit", self.X[rows], self.y[rows], **kwargs)
            # partial_fit refuses early stopping and 'balanced' class weights first.
            refused = self.model.early_stopping or self.model.get_params().get(
                "class_weight") == "balanced"
            if changed or refused:
                assert error is not None
                if not refused:
                    assert changed[0] in str(error)

        @rule(data=st.data(), method=st.sampled_from(["fit", "partial_fit"]))
        def continue_after_changing_the_network(self, data, method):
            # The chain users hit: fit, change a network parameter, continue
            # training. It must refuse, naming the parameter, and change nothing.
            key = data.draw(st.sampled_from(sorted(set(ARCHITECTURE) | {"activation"}
                                                   & set(self.values))))
            value = data.draw(st.sampled_from(self.values[key]))
            calls["total"] += 1
            self.model.set_params(**{key: value}, warm_start=True)
            if method == "fit":
                self.fit()
            else:
                self.partial_fit(slice(None))

        @rule(data=st.data())
        def set_params(self, data):
            key = data.draw(st.sampled_from(sorted(self.values)))
            value = data.draw(st.sampled_from(self.values[key]))
            calls["total"] += 1
            self.model.set_params(**{key: value})

        @rule(how=st.sampled_from(["pickle", "joblib", "skops"]))
        def round_trip(self, how):
            calls["total"] += 1
            if how == "pickle":
                self.model = pickle.loads(pickle.dumps(self.model))
            elif how == "joblib":
                buffer = io.BytesIO()
                joblib.dump(self.model, buffer)
                buffer.seek(0)
                self.model = joblib.load(buffer)
            else:
                data = sio.dumps(self.model)
                self.model = sio.loads(data, trusted=sio.get_untrusted_types(data=data))

        @rule()
        def clone_it(self):
            calls["total"] += 1
            self.model = clone(self.model)
            self.expected = None

        @rule(bad=st.sampled_from(["nan", "inf", "timesteps", "labels", "empty"]))
        def bad_input(self, bad):
            X, y = self.X.copy(), self.y.copy()
            if bad == "nan":
                X[3, 2] = np.nan
            elif bad == "inf":
                X[0, 0] = np.inf
            elif bad == "timesteps":
                X = X[:, :-1] if self.expected is not None else X[:, :0]
            elif bad == "labels":
                y = y[:-1]
            else:
                X, y = X[:0], y[:0]
            method = "partial_fit" if self.expected is not None and bad == "labels" else "fit"
            kwargs = {"classes": ["down", "up"]} if classifier and method == "partial_fit" else {}
            if bad == "timesteps" and self.expected is not None:
                calls["total"] += 1
                with pytest.raises(ValueError):
                    self.model.predict(X)
                return
            before = self.expected
            error = self._call(method, X, y, **kwargs)
            assert error is not None
            self.expected = before

        @rule()
        def score(self):
            calls["total"] += 1
            if self.expected is None:
                with pytest.raises(NotFittedError):
                    self.model.predict(self.probe)
                return
            assert np.isfinite(self.model.score(self.X, self.y))

        @invariant()
        def predictions_change_only_through_a_successful_fit(self):
            if getattr(self, "expected", None) is None:
                return
            for now, before in zip(self._outputs(), self.expected):
                np.testing.assert_array_equal(now, before)
            assert np.isfinite(self.model.params_).all()
            if classifier:
                np.testing.assert_allclose(self.expected[1].sum(axis=1), 1, rtol=1e-12)
            else:
                assert np.isfinite(self.expected[0]).all()

    EstimatorChain.__name__ = f"{Estimator.__name__}Chain"
    return EstimatorChain


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=name)
def test_any_chain_of_calls_keeps_the_estimators_promises(Estimator):
    run_state_machine_as_test(machine_for(Estimator), settings=STATEFUL)


def test_stateful_calls_per_run():
    # After the chains above (pytest runs a module's tests in order): the
    # issue's floor is 1,000 calls a CI run across the estimators.
    if calls["total"] == 0:
        pytest.skip("run with the chains above")
    print(f"stateful calls this run: {calls['total']}")
    assert calls["total"] >= 1000
