"""What many tests share: the estimators under test, and functions that
worker processes run (importable by name)."""

import tracemalloc

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    WindowMLPClassifier,
    WindowMLPRegressor,
)

#: The estimators by task, and those with a recurrent network: the lists the
#: tests parametrize over, so that a new estimator is tested everywhere.
RECURRENT = [RNNRegressor, LSTMRegressor, GRURegressor]
REGRESSORS = [*RECURRENT, WindowMLPRegressor]
CLASSIFIERS = [RNNClassifier, LSTMClassifier, GRUClassifier, WindowMLPClassifier]
ESTIMATORS = REGRESSORS + CLASSIFIERS


def name(estimator_class):
    """A test id: the class's name."""
    return estimator_class.__name__


def compiled_in_this_process():
    """Kernels this process compiled instead of loading from the cache."""
    from skrnn._kernels import train

    kernels = [train.train_epoch, train.predict]
    return [k.py_func.__name__ for k in kernels if sum(k.stats.cache_misses.values())]


def traced_peak(call):
    """``call()``'s result and the peak of the Python memory (bytes, NumPy
    arrays included) allocated while it ran."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
