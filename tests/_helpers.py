"""Helpers that worker processes run for the tests (importable by name)."""


def compiled_in_this_process():
    """Kernels this process compiled instead of loading from Numba's cache."""
    from skrnn._kernels import train

    kernels = [train.recurrent_train, train.recurrent_predict, train.dense_train,
               train.dense_predict]
    return [k.py_func.__name__ for k in kernels if sum(k.stats.cache_misses.values())]
