"""
Window versus memory
====================

A window MLP sees exactly its window: whatever happened earlier does not
exist for it. A recurrent network reads the whole sequence, but its memory
is learned, by gradients that must travel back through every step.

The series here repeats itself with a lag of 25 steps,
``s[t] = 0.95 s[t - 25] + noise``, so the best one-step forecast is
``0.95 s[t - 24]`` (R^2 near 0.9) and nothing nearer in time helps (R^2 near
0). We give each estimator the last ``window`` steps, for windows shorter
and longer than the lag, and score the forecasts of held-out data.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import r2_score

from skrnn import LSTMRegressor, RNNRegressor, WindowMLPRegressor, make_windows

LAG = 25
rng = np.random.RandomState(0)
noise = rng.normal(size=3500)
s = np.zeros_like(noise)
for t in range(LAG, len(s)):
    s[t] = 0.95 * s[t - LAG] + noise[t]
s = s[500:] / s[500:].std()               # drop the start-up, unit variance
X, y = make_windows(s, window=60)
X_train, y_train, X_test, y_test = X[:2000], y[:2000], X[2000:], y[2000:]

# %%
# Score each model for each window
# --------------------------------
# ``window`` is a parameter of every estimator: it keeps the last steps of
# each sequence. All models stop early on the last 10% of the training
# windows (never a random split of time-ordered data).
windows = [10, 20, 25, 30, 40, 60]
models = {
    "WindowMLPRegressor": WindowMLPRegressor(hidden_layer_sizes=(32,)),
    "RNNRegressor": RNNRegressor(hidden_layer_sizes=(16,)),
    "LSTMRegressor": LSTMRegressor(hidden_layer_sizes=(16,)),
}
scores = {name: [] for name in models}
for window in windows:
    for name, model in models.items():
        model.set_params(window=window, early_stopping=True, max_iter=500, random_state=0)
        model.fit(X_train, y_train)
        scores[name].append(r2_score(y_test, model.predict(X_test)))
    print(f"window {window:2d}: " + ", ".join(f"{n} {v[-1]:6.3f}" for n, v in scores.items()))

# %%
# What the scores say
# -------------------
# Below the lag, no model can forecast: the information is not in its input.
# At ``window=25`` all three find the dependence. With more history than
# needed, the window MLP barely loses (it weighs each position directly),
# while the recurrent networks must learn to carry one value through 25 or
# more noisy steps, which 2,000 sequences and early stopping do not teach
# them here: memory through recurrence is real, but it has to be learned,
# and the gradient that teaches it fades with the distance (see
# :ref:`sphx_glr_auto_examples_plot_vanishing_gradients.py`). Treat
# ``window`` as a hyperparameter, also for the recurrent models.
fig, ax = plt.subplots(figsize=(7, 4))
for name, values in scores.items():
    ax.plot(windows, values, "o-", label=name)
ax.axvline(LAG, color="grey", ls=":", label=f"lag of the dependence ({LAG})")
ax.axhline(0, color="black", lw=0.6)
ax.set_xlabel("window (steps seen)")
ax.set_ylabel("test R^2")
ax.set_title("Forecasting a series that repeats with a lag of 25")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
