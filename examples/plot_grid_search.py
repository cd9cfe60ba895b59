"""
Tuning with GridSearchCV and TimeSeriesSplit
============================================

The window, the model size and the step size of a recurrent network are
hyperparameters like any other: sklearn's search tools tune them. With time
series, the folds must respect time: :class:`~sklearn.model_selection.TimeSeriesSplit`
validates each candidate on data after its training data.

The data are the annual Canadian lynx trappings (1821-1934), on a log10
scale as is customary: a cycle of about ten years.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from skrnn import RNNRegressor, make_windows
from skrnn.datasets import load_lynx

lynx = np.log10(load_lynx())
X, y = make_windows(lynx, window=12)
X_train, y_train, X_test, y_test = X[:-14], y[:-14], X[-14:], y[-14:]

# %%
# The search
# ----------
# ``window`` keeps the last steps of the 12 given. Each fit trains until its
# loss stops improving. ``n_jobs=2`` fits in two worker processes, which
# load the compiled kernels from the cache.
model = RNNRegressor(max_iter=1000, random_state=0)
grid = {
    "window": [2, 4, 8, 12],
    "hidden_layer_sizes": [(8,), (32,)],
}
search = GridSearchCV(model, grid, cv=TimeSeriesSplit(n_splits=4),
                      scoring="neg_root_mean_squared_error", n_jobs=2)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
results = pd.DataFrame(search.cv_results_)
print(results[["param_window", "param_hidden_layer_sizes", "mean_test_score",
               "std_test_score"]].round(3).to_string(index=False))

# %%
# Validation error against the window, and the refitted model on the test years
# -----------------------------------------------------------------------------
rmse = -search.score(X_test, y_test)
print(f"test RMSE of the refitted best model (log10 scale): {rmse:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for size, group in results.groupby(results["param_hidden_layer_sizes"].astype(str)):
    axes[0].errorbar(group["param_window"], -group["mean_test_score"],
                     yerr=group["std_test_score"], marker="o", capsize=3,
                     label=f"hidden {size}")
axes[0].set(xlabel="window", ylabel="validation RMSE", title="TimeSeriesSplit(4)")
axes[0].legend(fontsize=8)
axes[1].plot(lynx.index, lynx, color="black", label="observed")
axes[1].plot(lynx.index[-14:], search.predict(X_test), "o-", label="one-step forecast")
axes[1].set(ylabel="log10 trappings", title="Best model on the last 14 years")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()
