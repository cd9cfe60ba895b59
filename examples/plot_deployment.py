"""
Deploying a model: ONNX export and skops files
==============================================

A fitted model leaves the notebook in one of two ways. To run outside
Python, or in a fast runtime, export it to ONNX: ``import skrnn.onnx``
teaches skl2onnx the skrnn estimators, and the recurrent layers become
ONNX's own ``LSTM`` (or ``RNN``, ``GRU``) operators. To share it with
Python users who should not have to trust a pickle, save it with skops,
which loads only the types you trust.

Here a pipeline (a scaler and an LSTM) forecasts the monthly growth of the
airline passengers, as in the first example; onnxruntime runs its export,
and a skops round trip gives the same predictions.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
import skops.io as sio
from skl2onnx import to_onnx
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skrnn.onnx  # noqa: F401  (registers the converters with skl2onnx)
from skrnn import LSTMRegressor, make_windows
from skrnn.datasets import load_airline

passengers = load_airline()
growth = np.log(passengers).diff().dropna()
X, y = make_windows(growth, window=12)
X_train, y_train, X_test = X[:-24], y[:-24], X[-24:]

pipe = make_pipeline(StandardScaler(), LSTMRegressor(max_iter=1000, random_state=0))
pipe.fit(X_train, y_train)

# %%
# Export to ONNX and run with onnxruntime
# ---------------------------------------
# The exported graph holds the scaler, the model's window, its own
# standardisation, the LSTM and the head: it takes the same windows as
# ``predict`` and answers in the units of ``y``, in float32.
onx = to_onnx(pipe, X_train[:1].astype(np.float32))
print("operators:", sorted({node.op_type for node in onx.graph.node}))
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
input_name = session.get_inputs()[0].name
onnx_growth = session.run(None, {input_name: X_test.astype(np.float32)})[0].ravel()
skrnn_growth = pipe.predict(X_test)
print(f"largest difference, onnxruntime vs skrnn: {np.abs(onnx_growth - skrnn_growth).max():.1e}")

# %%
# Save and load with skops
# ------------------------
# The file asks to trust the LSTM's class and nothing else.
path = Path(tempfile.mkdtemp()) / "airline_lstm.skops"
sio.dump(pipe, path)
untrusted = sio.get_untrusted_types(file=path)
print("types to trust:", untrusted)
loaded = sio.load(path, trusted=untrusted)
print("skops round trip predicts identically:",
      np.array_equal(loaded.predict(X_test), skrnn_growth))

# %%
# The forecasts, from skrnn and from onnxruntime
# ----------------------------------------------
# Forecasts of the level: last known level times the exponential of the
# forecast growth. The two curves lie on each other.
last_known = passengers.to_numpy()[-25:-1]
months = passengers.index[-24:]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(passengers.index[-48:], passengers.iloc[-48:], color="black", label="observed")
ax.plot(months, last_known * np.exp(skrnn_growth), lw=3, alpha=0.5, label="skrnn predict")
ax.plot(months, last_known * np.exp(onnx_growth), "--", label="onnxruntime (exported)")
ax.set_ylabel("passengers (thousands)")
ax.set_title("One-step forecasts of an exported LSTM pipeline")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()
