"""The sequence classifiers' task: labels, log-loss, stratified early stopping.

As in :class:`~sklearn.neural_network.MLPClassifier`: a ``LabelBinarizer``
maps the labels to the network's targets, binary and multilabel problems
get independent logistic outputs (one for binary), multiclass problems a
softmax. The network outputs scores; probabilities are computed from them
by log-sum-exp, so that log-probabilities are finite for any finite score
and the probabilities of a sample sum to 1 to rounding.
"""

import numpy as np
from scipy.special import logsumexp
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from ._base import BaseSequenceModel


class BaseSequenceClassifier(ClassifierMixin, BaseSequenceModel):
    """The sequence classifiers: log-loss, stratified validation, accuracy."""

    _TASK_STATE = ("_label_binarizer", "classes_", "n_outputs_", "out_activation_")

    _parameter_constraints = {
        **BaseSequenceModel._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to sequences ``X`` and their labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Input sequences, oldest timestep first. 2-D input holds one
            feature per timestep; a DataFrame is read as 2-D input.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any type (ints, strings, booleans), or a 0/1
            indicator matrix for multilabel classification.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss (multiplied by
            ``class_weight``).
        X_val : array-like of shape (n_val, n_timesteps) or \
                (n_val, n_timesteps, n_features), default=None
            Validation sequences for early stopping, used instead of holding
            out a stratified ``validation_fraction`` of ``X`` (all of ``X``
            is then trained on). Requires ``early_stopping=True`` and
            ``y_val``, as in
            :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.
        y_val : array-like of shape (n_val,) or (n_val, n_labels), default=None
            Labels of ``X_val``, among those of ``y``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples in their accuracy.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X, y``, starting from the current weights.

        The first call initialises the model and must name every class.
        ``early_stopping`` and ``class_weight='balanced'`` are not supported
        here, as in :class:`~sklearn.linear_model.SGDClassifier`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Input sequences with the timesteps (and features) of the first
            call.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the problem: required on the first call (the
            labels of one minibatch rarely hold them all), ignored for a
            multilabel ``y``; later calls may omit it.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        if isinstance(self.class_weight, str):  # 'balanced': of which data?
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: the class "
                "frequencies of one call are not those of the data. Compute them with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', "
                "classes=classes, y=y) on a large enough sample and pass the result as "
                "class_weight."
            )
        if hasattr(self, "classes_"):
            if classes is not None and not np.array_equal(unique_labels(classes),
                                                          self.classes_):
                raise ValueError(
                    f"classes={classes!r} is not the same as on the first call to "
                    f"partial_fit, {self.classes_!r}."
                )
        elif classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X):
        """Predict the class of each sequence in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Sequences with as many timesteps (and features) as in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The most probable class of each sequence, one of ``classes_``
            (for multilabel ``y``, the indicator of each label whose
            probability exceeds 0.5).
        """
        scores = self._network_output(X)
        if self.out_activation_ == "logistic":
            scores = (scores > 0).astype(np.int64)  # p > 0.5
        return self._label_binarizer.inverse_transform(scores)

    def predict_log_proba(self, X):
        """The logarithm of the class probabilities of each sequence in ``X``.

        Computed from the network's scores (log-sum-exp), not as the
        logarithm of ``predict_proba``: finite however sure the model is.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Sequences with as many timesteps (and features) as in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        scores = self._network_output(X)
        if self.out_activation_ == "softmax":
            return scores - logsumexp(scores, axis=1, keepdims=True)
        log_p = -np.logaddexp(0, -scores)  # log sigmoid(z)
        if len(self.classes_) == 2 and self.n_outputs_ == 1:  # binary: both classes
            return np.hstack([-np.logaddexp(0, scores), log_p])
        return log_p

    def predict_proba(self, X):
        """The class probabilities of each sequence in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Sequences with as many timesteps (and features) as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; each row sums to 1 (for
            multilabel ``y``, each column is its label's own probability).
        """
        return np.exp(self.predict_log_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # ---------------------------------------------------------------- task

    def _check_targets(self, y):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return y

    def _task_state(self, y, classes):
        binarizer = LabelBinarizer()
        multilabel = y.ndim == 2
        binarizer.fit(y if classes is None or multilabel else classes)
        if len(binarizer.classes_) < 2:
            raise ValueError(
                f"y holds only one class ({binarizer.classes_.tolist()[0]!r}): a classifier needs "
                "samples of at least two classes."
            )
        n_classes = len(binarizer.classes_)
        n_outputs = y.shape[1] if multilabel else 1 if n_classes == 2 else n_classes
        logistic = multilabel or n_outputs == 1
        return {
            "_label_binarizer": binarizer,
            "classes_": binarizer.classes_,
            "n_outputs_": n_outputs,
            "out_activation_": "logistic" if logistic else "softmax",
            "_loss": "binary_log_loss" if logistic else "log_loss",
        }

    def _encode_targets(self, y, name, state, incremental):
        classes = state["classes_"]
        multilabel = state["_label_binarizer"].y_type_.startswith("multilabel")
        if multilabel != (y.ndim == 2):
            kind = "a 2-D indicator of labels" if multilabel else "1-D labels"
            raise ValueError(f"{name} must be {kind}, as y was in the first fit.")
        if multilabel:
            if y.shape[1] != len(classes):
                raise ValueError(f"{name} has {y.shape[1]} labels, but the model has "
                                 f"{len(classes)}.")
        else:
            seen = unique_labels(y)
            unknown = np.setdiff1d(seen, classes)
            if len(unknown):
                raise ValueError(
                    f"{name} has classes not in classes_: {unknown.tolist()!r}. classes_ is "
                    f"{classes.tolist()!r}."
                )
            if self.warm_start and not incremental and name == "y" and len(seen) < len(classes):
                raise ValueError(
                    "warm_start can only be used where y has the same classes as in the "
                    f"previous call to fit: the previous call had {classes.tolist()!r}, y "
                    f"has {seen.tolist()!r}."
                )
        return state["_label_binarizer"].transform(y).astype(np.float64)

    def _training_weights(self, y, name, sample_weight, state, incremental, y_train):
        # Class weights ('balanced' ones too) come from the training labels,
        # also for y_val: its own frequencies are not the training set's,
        # and it may lack a class.
        classes = state["classes_"]
        if self.class_weight is not None:
            if y.ndim == 2:
                raise ValueError("class_weight is not supported for multilabel y.")
            if isinstance(self.class_weight, dict):
                unknown = [c for c in self.class_weight if c not in set(classes.tolist())]
                if unknown:
                    raise ValueError(
                        f"class_weight names classes that are not in y: {unknown!r}. "
                        f"The classes are {classes.tolist()!r}."
                    )
            weights = compute_class_weight(self.class_weight, classes=classes, y=y_train)
            sample_weight = sample_weight * weights[np.searchsorted(classes, y)].astype(
                sample_weight.dtype)
        if name == "y" and not incremental and y.ndim == 1:
            weighted = np.unique(y[sample_weight > 0])
            if len(weighted) < 2:
                raise ValueError(
                    "Only one class has samples of positive weight "
                    f"({weighted.tolist()!r}): a classifier needs samples of at least two "
                    "classes."
                )
        return sample_weight

    def _hold_out(self, y, state):
        # Stratified and random, as MLPClassifier's: classification samples
        # are usually independent sequences, and training sets are often
        # sorted by class.
        rng = check_random_state(self.random_state)
        indices = np.arange(len(y))
        train, held_out = train_test_split(
            indices, test_size=self.validation_fraction, random_state=rng,
            stratify=y if y.ndim == 1 else None,
        )
        return np.sort(train), np.sort(held_out)

    def _validation_score(self, Y, out, sample_weight, state):
        # Accuracy (of every label, for multilabel y) of the scores ``out``
        # against the 0/1 targets ``Y``.
        if state["out_activation_"] == "softmax":
            right = out.argmax(axis=1) == Y.argmax(axis=1)
        else:
            right = ((out > 0) == (Y > 0.5)).all(axis=1)
        return float(np.average(right, weights=sample_weight))
