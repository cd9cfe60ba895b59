"""
Forecasting the airline series with all four estimators
========================================================

One-step forecasts of the monthly airline passenger totals (1949-1960) for
the last two years, from a window MLP, an Elman RNN, an LSTM and a GRU, against
the seasonal-naive forecast (this month = the same month last year). It is
the job ``python -m skrnn`` runs.

The series grows, and its season grows with it. The networks therefore
model the monthly log growth rate ``log(y[t] / y[t-1])``, which has no
trend; a forecast of the level is the last known level times the
exponential of the forecast growth. ``X`` and ``y`` are standardised inside
each model (``standardize=True``, the default), as neural networks need.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, WindowMLPRegressor, make_windows
from skrnn.datasets import load_airline

passengers = load_airline()
growth = np.log(passengers).diff().dropna()
X, y = make_windows(growth, window=12)      # 12 months of growth -> the next
n_test = 24
X_train, y_train, X_test = X[:-n_test], y[:-n_test], X[-n_test:]
truth = passengers.iloc[-n_test:]
last_known = passengers.to_numpy()[-n_test - 1 : -1]

# %%
# Fit each estimator
# ------------------
# Each trains until its loss stops improving (about 200 to 300 epochs here;
# ``max_iter`` is only the ceiling).
forecasts = {"seasonal naive": passengers.to_numpy()[-n_test - 12 : -12]}
seconds = {}
for Estimator in [WindowMLPRegressor, RNNRegressor, LSTMRegressor, GRURegressor]:
    model = Estimator(max_iter=1000, random_state=0)
    tic = time.perf_counter()
    model.fit(X_train, y_train)
    name = Estimator.__name__
    seconds[name] = time.perf_counter() - tic
    forecasts[name] = last_known * np.exp(model.predict(X_test))

print(f"{'model':20s} {'test RMSE':>9s} {'fit s':>6s}")
for name, forecast in forecasts.items():
    rmse = np.sqrt(np.mean((forecast - truth.to_numpy()) ** 2))
    print(f"{name:20s} {rmse:9.1f} {seconds.get(name, 0):6.2f}")

# %%
# Forecasts against the truth
# ---------------------------
# The fit times include the compilation of the kernels on a first run.
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(passengers.index[-72:], passengers.iloc[-72:], color="black", label="observed")
for name, forecast in forecasts.items():
    style = ":" if name == "seasonal naive" else "-"
    ax.plot(truth.index, forecast, style, label=name)
ax.axvline(truth.index[0], color="grey", lw=0.8)
ax.set_ylabel("passengers (thousands)")
ax.set_title("One-step forecasts of the last 24 months")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()
