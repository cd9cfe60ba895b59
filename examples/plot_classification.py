"""
Classifying whole sequences: GunPoint
=====================================

GunPoint (UCR archive, bundled with skrnn) is a classic time-series
classification set: an actor's hand position, 150 samples of one motion,
either drawing a replica gun from a holster ("Gun", class ``'1'``) or
pointing a finger ("Point", class ``'2'``). 50 training and 150 test
sequences, the archive's own split.

:class:`~skrnn.LSTMClassifier` reads each sequence step by step and
classifies it from its last hidden state, like
:class:`~sklearn.neural_network.MLPClassifier` for tabular data:
``predict``, ``predict_proba``, ``score`` (accuracy), ``classes_``. The
field's baseline is 1-nearest-neighbour with Euclidean distance (91.3% on
GunPoint).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.neighbors import KNeighborsClassifier

from skrnn import LSTMClassifier, WindowMLPClassifier
from skrnn.datasets import load_gunpoint

X, y = load_gunpoint("train")
X_test, y_test = load_gunpoint("test")
names = {"1": "Gun", "2": "Point"}

# %%
# The sequences of each class
# ---------------------------
# The draw of a gun has a dip before and after the raised part (the hand
# goes to the holster and back); pointing has none.
fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, label in zip(axes, ["1", "2"]):
    for series in X[y == label][:10]:
        ax.plot(series, color="C0" if label == "1" else "C1", alpha=0.6)
    ax.set_title(f"class {label!r}: {names[label]}")
    ax.set_xlabel("time step")
axes[0].set_ylabel("hand position (z-normalised)")
fig.tight_layout()

# %%
# Three classifiers and the baseline
# ----------------------------------
# Each at its defaults. The LSTM's ``n_iter_no_change=50`` (more patient
# than MLPClassifier's 10) matters here: its loss stalls for tens of epochs
# before it falls.
lstm = LSTMClassifier(random_state=0).fit(X, y)
mlp = WindowMLPClassifier(random_state=0).fit(X, y)
knn = KNeighborsClassifier(n_neighbors=1).fit(X, y)
for name, model in [("1-NN (Euclidean)", knn), ("WindowMLPClassifier", mlp),
                    ("LSTMClassifier", lstm)]:
    print(f"{name:22s} test accuracy {100 * model.score(X_test, y_test):.1f}%")
print(f"LSTM: {lstm.n_iter_} epochs; classes_ = {lstm.classes_}")

# %%
# Learning curves
# ---------------
# ``loss_curve_`` is the training log-loss of each epoch. With
# ``early_stopping=True`` the classifiers hold out a stratified random
# ``validation_fraction`` (as MLPClassifier does) and record its accuracy
# in ``validation_scores_``; here the test set is passed as ``X_val`` to
# show how test accuracy follows the training loss (use a validation set of
# your own in practice: the weights of the best epoch are kept). The
# accuracy of a small validation set jumps from epoch to epoch, so early
# stopping on it can end training before the loss has finished falling:
# here before the run without early stopping above reached its accuracy.
watched = LSTMClassifier(early_stopping=True, random_state=0).fit(
    X, y, X_val=X_test, y_val=y_test)
print(f"early stopping: {watched.n_iter_} epochs, best accuracy on X_val "
      f"{watched.best_validation_score_:.3f}")
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(watched.loss_curve_, label="training log-loss")
ax.set_xlabel("epoch")
ax.set_ylabel("log-loss")
ax2 = ax.twinx()
ax2.plot(watched.validation_scores_, color="C2", label="accuracy on X_val")
ax2.set_ylabel("accuracy")
ax.legend(loc="center left")
ax2.legend(loc="center right")
ax.set_title("LSTMClassifier on GunPoint")
fig.tight_layout()

# %%
# Probabilities and the confusion matrix
# --------------------------------------
# ``predict_proba`` gives a probability per class (columns in the order of
# ``classes_``); the most probable class is the prediction.
proba = lstm.predict_proba(X_test)
print("first three test sequences:", np.round(proba[:3], 3), lstm.predict(X_test[:3]))
ConfusionMatrixDisplay.from_estimator(lstm, X_test, y_test,
                                      display_labels=[names[c] for c in lstm.classes_])
plt.title("LSTMClassifier, GunPoint test set")
plt.show()
