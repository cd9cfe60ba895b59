"""
Training curves: ``loss_curve_`` and ``validation_scores_``
==============================================================

Every estimator records, per epoch, its training loss (``loss_curve_``),
the mean gradient norm (``grad_norm_curve_``) and, with
``early_stopping=True``, the R^2 score on the validation data
(``validation_scores_``). Early stopping keeps the weights of the best
epoch.

By default the validation data are the **last** ``validation_fraction`` of
the samples, in order: with time-ordered windows a random split would leak
the future into the validation set. You can also pass your own validation
set, as ``fit(X, y, X_val=..., y_val=...)``.

The data: the annual lynx trappings (1821-1934), log10 scale (the
estimators standardise it themselves).
"""

import matplotlib.pyplot as plt
import numpy as np

from skrnn import LSTMRegressor, make_windows
from skrnn.datasets import load_lynx

lynx = np.log10(load_lynx())
X, y = make_windows(lynx, window=10)

# %%
# Without and with early stopping
# -------------------------------
common = dict(hidden_layer_sizes=(16,), max_iter=1000, n_iter_no_change=30,
              learning_rate_init=3e-3, random_state=0)
plain = LSTMRegressor(**common).fit(X, y)
stopped = LSTMRegressor(early_stopping=True, validation_fraction=0.2, **common).fit(X, y)
print(f"without early stopping: {plain.n_iter_} epochs, final loss {plain.loss_:.4f}")
print(f"with early stopping: {stopped.n_iter_} epochs, best validation R^2 "
      f"{stopped.best_validation_score_:.3f} at epoch "
      f"{int(np.argmax(stopped.validation_scores_)) + 1}")

# %%
# An explicit validation set
# --------------------------
# A validation set given by hand: all of ``X[:-18]`` is trained on and the
# last 18 windows are scored (``fit`` then ignores ``validation_fraction``).
# Any data can serve, for example another series of the same kind.
given = LSTMRegressor(early_stopping=True, **common).fit(
    X[:-18], y[:-18], X_val=X[-18:], y_val=y[-18:]
)
print(f"explicit X_val: best validation R^2 {given.best_validation_score_:.3f}")

# %%
# The curves
# ----------
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(plain.loss_curve_, label="no early stopping")
axes[0].plot(stopped.loss_curve_, label="early stopping")
axes[0].set(xlabel="epoch", ylabel="training loss (half MSE)", yscale="log",
            title="loss_curve_")
axes[1].plot(stopped.validation_scores_, label="validation_fraction=0.2")
axes[1].plot(given.validation_scores_, label="X_val (last 18 windows)")
best = int(np.argmax(stopped.validation_scores_))
axes[1].axvline(best, color="grey", ls=":", label="best epoch (weights kept)")
axes[1].set(xlabel="epoch", ylabel="validation R^2", title="validation_scores_")
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
