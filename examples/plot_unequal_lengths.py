"""
Sequences of unequal length: which appliance is drawing current?
================================================================

PLAID (the Plug Load Appliance Identification Dataset, UCR archive, bundled
with skrnn) holds the electrical current of 11 kinds of household appliance
around the moment they are switched on: 537 training and 537 test
recordings of **100 to 1,344 steps**. A recurrent network reads each one
whole, whatever its length: pass the list of arrays as ``X`` (or one array
padded with NaN, :func:`skrnn.pad_sequences`). No cropping, no zero padding
that the network would read as real steps.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

from skrnn import GRUClassifier, WindowMLPClassifier, pad_sequences
from skrnn.datasets import load_plaid

X_raw, y = load_plaid("train")
X_test_raw, y_test = load_plaid("test")
appliances = ["air cond.", "CFL", "fan", "fridge", "hairdryer", "heater", "bulb",
              "laptop", "microwave", "vacuum", "washer"]
lengths = np.array([len(x) for x in X_raw])
print(f"{len(X_raw)} training recordings of {lengths.min()} to {lengths.max()} steps "
      f"(median {np.median(lengths):.0f})")

# %%
# Recordings of different lengths and scales
# -------------------------------------------
# The currents differ by orders of magnitude (a laptop draws milliamperes, a
# heater amperes), and so do the lengths. Each recording below is scaled to
# its own range to show its shape.
fig, (ax, hist) = plt.subplots(1, 2, figsize=(10, 3.2), width_ratios=[2, 1])
for k, label in enumerate(["1", "5", "7", "8"]):
    x = X_raw[np.flatnonzero(y == label)[0]]
    ax.plot((x - x.min()) / np.ptp(x) + 1.2 * k, lw=0.6, label=appliances[int(label)])
ax.set_xlabel("step")
ax.set_yticks([])
ax.legend(loc="upper right", fontsize=8)
hist.hist(lengths, bins=30, color="C7")
hist.set_xlabel("length (steps)")
hist.set_ylabel("recordings")
fig.tight_layout()


# %%
# Two features per step
# ---------------------
# Each recording is standardised by its own mean and deviation (its shape),
# and its deviation's order of magnitude is a second feature at every step
# (its scale). Every recording keeps its own length.
def shape_and_scale(recordings):
    out = []
    for x in recordings:
        scale = x.std() or 1.0
        out.append(np.column_stack([(x - x.mean()) / scale, np.full(len(x), np.log10(scale))])
                   .astype(np.float32))
    return out


X, X_test = shape_and_scale(X_raw), shape_and_scale(X_test_raw)

# %%
# Whole recordings against a fixed window
# ---------------------------------------
# The GRU reads every step of each recording. The same GRU with
# ``window=200`` reads only the last 200 real steps of each, and the window
# MLP (which needs one length) the last 100: every recording is at least
# that long. Early stopping holds out a stratified tenth of the training
# recordings. float32 data trains in float32, twice as fast.
settings = dict(learning_rate_init=3e-3, max_iter=40, early_stopping=True,
                n_iter_no_change=15, random_state=0)
models = {
    "GRU, whole recordings": GRUClassifier(hidden_layer_sizes=(64,), **settings),
    "GRU, last 200 steps": GRUClassifier(hidden_layer_sizes=(64,), window=200, **settings),
    "window MLP, last 100 steps": WindowMLPClassifier(window=100, early_stopping=True,
                                                      random_state=0),
}
for name, model in models.items():
    model.fit(X, y)
    print(f"{name:28s} test accuracy {100 * model.score(X_test, y_test):.1f}% "
          f"({model.n_iter_} epochs)")

fig, ax = plt.subplots(figsize=(6, 3.2))
for name, model in models.items():
    ax.plot(np.arange(1, model.n_iter_ + 1), model.validation_scores_, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# Padding changes nothing
# -----------------------
# A prediction does not depend on the padding around a recording or on the
# recordings that share its batch: the probabilities of one recording alone
# equal those it gets in the padded training set, padded before or after.
# (An array must have the fitted number of timesteps, ``n_features_in_``:
# after a fit on a list, the longest training recording; a list may hold
# any lengths.)
gru = models["GRU, whole recordings"]
alone = gru.predict_proba(X[:1])
for padding in ("pre", "post"):
    padded = pad_sequences(X, padding=padding)
    print(f"{padding}-padded training set, shape {padded.shape}: largest difference from "
          f"recording 0 alone {np.abs(gru.predict_proba(padded)[:1] - alone).max():.1e}")

# %%
# Which appliances get confused
# -----------------------------
fig, ax = plt.subplots(figsize=(6.5, 6))
ConfusionMatrixDisplay.from_estimator(gru, X_test, y_test, labels=gru.classes_,
                                      display_labels=[appliances[int(c)] for c in gru.classes_],
                                      xticks_rotation=60, colorbar=False, ax=ax)
ax.set_title("GRU on whole recordings, test set")
fig.tight_layout()
plt.show()
