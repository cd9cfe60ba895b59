"""skrnn: recurrent neural networks for scikit-learn.

Sequence regressors and classifiers with the fit/predict API (RNN, LSTM,
GRU and a window MLP), trained by Numba-compiled forward and backpropagation-through-time
kernels on the CPU.
"""

from ._base import InconsistentVersionWarning
from ._forecast import recursive_forecast
from ._gru import GRUClassifier, GRURegressor
from ._lstm import LSTMClassifier, LSTMRegressor
from ._mlp import WindowMLPClassifier, WindowMLPRegressor
from ._rnn import RNNClassifier, RNNRegressor
from ._sequences import pad_sequences
from ._version import __version__
from ._windows import make_windows

# Saved models name the estimator classes by their public path
# (``skrnn.LSTMRegressor``, not ``skrnn._lstm.LSTMRegressor``): that is what
# skops lists as the types to trust, and pickles then survive a move of the
# private modules.
for _estimator in (GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor, RNNClassifier,
                   RNNRegressor, WindowMLPClassifier, WindowMLPRegressor):
    _estimator.__module__ = __name__
del _estimator

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "InconsistentVersionWarning",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "WindowMLPClassifier",
    "WindowMLPRegressor",
    "__version__",
    "make_windows",
    "pad_sequences",
    "recursive_forecast",
]
