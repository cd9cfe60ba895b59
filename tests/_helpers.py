"""What many tests share: the estimators under test, and functions that
worker processes run (importable by name)."""

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor, WindowMLPRegressor

#: Every estimator, and those with a recurrent network: the one list the
#: tests parametrize over, so that a new estimator is tested everywhere.
RECURRENT = [RNNRegressor, LSTMRegressor, GRURegressor]
ESTIMATORS = [*RECURRENT, WindowMLPRegressor]


def name(estimator_class):
    """A test id: the class's name."""
    return estimator_class.__name__


def compiled_in_this_process():
    """Kernels this process compiled instead of loading from the cache."""
    from skrnn._kernels import train

    kernels = [train.train_epoch, train.predict]
    return [k.py_func.__name__ for k in kernels if sum(k.stats.cache_misses.values())]
