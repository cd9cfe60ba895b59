"""
Direct versus recursive multi-step forecasts
============================================

Two ways to forecast ``h`` steps ahead with a model of windows:

* **recursive**: fit a one-step model, forecast one value, append it to the
  history, slide the window, repeat ``h`` times
  (:func:`skrnn.recursive_forecast`). One model serves any horizon, but its
  errors feed into its own inputs.
* **direct**: fit one model whose ``y`` holds all ``h`` future values
  (``make_windows(series, window, horizon=h)``); each output is trained for
  its own lead time and no forecast is fed back, but it cannot forecast
  beyond ``h``.

Both forecast the last 14 years of the lynx series (log10 scale) from the
years before them.
"""

import matplotlib.pyplot as plt
import numpy as np

from skrnn import LSTMRegressor, make_windows, recursive_forecast
from skrnn.datasets import load_lynx

H, WINDOW = 14, 12
lynx = np.log10(load_lynx())
history, future = lynx.iloc[:-H], lynx.iloc[-H:]


def lstm():
    # Standardises X and each of the outputs of y itself; trains until the
    # loss stops improving.
    return LSTMRegressor(hidden_layer_sizes=(16,), max_iter=1000, random_state=0)


# %%
# Recursive: a one-step model, fed its own forecasts
# ---------------------------------------------------
X1, y1 = make_windows(history, window=WINDOW)
one_step = lstm().fit(X1, y1)
recursive = recursive_forecast(one_step, history.to_numpy(), steps=H)

# %%
# Direct: one model for all 14 lead times
# ---------------------------------------
# ``y`` has 14 columns, one per lead time; the last window of the history
# is the input of the forecast.
Xh, yh = make_windows(history, window=WINDOW, horizon=H)
print("direct training data:", Xh.shape, yh.shape)
direct_model = lstm().fit(Xh, yh)
direct = direct_model.predict(history.to_numpy()[None, -WINDOW:])[0]

for name, forecast in [("recursive", recursive), ("direct", direct)]:
    rmse = np.sqrt(np.mean((forecast - future.to_numpy()) ** 2))
    print(f"{name:9s} RMSE over the 14 years (log10 scale): {rmse:.3f}")

# %%
# The forecasts
# -------------
# The direct model has fewer training windows (each needs 14 known future
# values), which matters on a series of 114 years; the recursive model
# uses every window but compounds its errors along the horizon.
fig, ax = plt.subplots(figsize=(8, 3.8))
ax.plot(lynx.index, lynx, color="black", label="observed")
ax.plot(future.index, recursive, "o-", label="recursive (one-step model)")
ax.plot(future.index, direct, "s-", label="direct (14-output model)")
ax.axvline(future.index[0], color="grey", lw=0.8)
ax.set_ylabel("log10 lynx trappings")
ax.set_title("14-year forecasts from 1920")
ax.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plt.show()
