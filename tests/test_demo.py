import subprocess
import sys

from skrnn.__main__ import forecast_table
from skrnn._threads import blas_advice


def test_demo_networks_beat_the_seasonal_naive_forecast():
    rows = forecast_table()
    names = [name for name, _, _ in rows]
    assert names[1:] == ["WindowMLPRegressor", "RNNRegressor", "LSTMRegressor",
                         "GRURegressor"]
    naive_rmse = rows[0][1]
    for name, rmse, seconds in rows[1:]:
        assert rmse < 0.6 * naive_rmse, name
        assert seconds > 0


def test_python_m_skrnn_prints_the_table():
    result = subprocess.run(
        [sys.executable, "-m", "skrnn"], capture_output=True, text=True, check=True
    )
    out = result.stdout
    assert "Warning" not in result.stderr  # the demo reports a stop at max_iter itself
    for name in [
        "seasonal naive", "WindowMLPRegressor", "RNNRegressor", "LSTMRegressor", "GRURegressor",
        "GunPoint", "1-nearest neighbour", "LSTMClassifier()",
    ]:
        assert name in out
    assert "test RMSE" in out
    # Where SciPy's OpenBLAS runs its AVX2 kernels on an AVX-512 CPU, the
    # demo says how to select the faster ones.
    assert ("OPENBLAS_CORETYPE" in out) == (blas_advice() is not None)
    # The classification rows: accuracy in percent, the LSTM's above 85%.
    lstm = [line for line in out.splitlines() if line.startswith("LSTMClassifier()")][0]
    assert float(lstm.split()[1].rstrip("%")) > 85
