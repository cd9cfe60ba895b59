"""
Multivariate sequences: 3-D input
=================================

Recurrent estimators read ``X`` of shape ``(n_samples, n_timesteps,
n_features)``: several features at each timestep, the layout of Keras and
PyTorch's ``batch_first``. :func:`skrnn.make_windows` cuts a 2-D series (a
DataFrame with one column per feature) into such windows, and ``target``
names the column to forecast.

Here the airline series' monthly log growth rate gets two calendar
features, the sine and cosine of the month, and the RNN forecasts the
growth with and without them.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error

from skrnn import RNNRegressor, make_windows
from skrnn.datasets import load_airline

passengers = load_airline()
growth = np.log(passengers).diff().dropna()
month = growth.index.month
frame = pd.DataFrame({
    "growth": growth,
    "month_sin": np.sin(2 * np.pi * month / 12),
    "month_cos": np.cos(2 * np.pi * month / 12),
})
X3, y = make_windows(frame, window=6, target="growth")
X1 = X3[:, :, 0]                                   # the growth alone, 2-D
print("3-D input:", X3.shape, " univariate input:", X1.shape)


# %%
# Fit both on the same windows
# ----------------------------
# The estimator standardises each feature of the 3-D windows over all
# samples and steps of the training data (and ``y``), itself.
n_test = 24
results = {}
for name, X in [("growth only", X1), ("growth + calendar", X3)]:
    model = RNNRegressor(hidden_layer_sizes=(16,), max_iter=1000, random_state=0)
    model.fit(X[:-n_test], y[:-n_test])
    results[name] = model.predict(X[-n_test:])
    mae = mean_absolute_error(y[-n_test:], results[name])
    print(f"{name:18s} test MAE of the monthly growth: {mae:.4f}")

# %%
# With only six months of history, the growth alone cannot tell which month
# comes next; the calendar features can.
fig, ax = plt.subplots(figsize=(8, 3.8))
index = growth.index[-n_test:]
ax.plot(index, y[-n_test:], color="black", label="observed growth")
for name, forecast in results.items():
    ax.plot(index, forecast, "o-", ms=3, label=name)
ax.set_ylabel("monthly log growth")
ax.set_title("RNN with a window of 6 months")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
