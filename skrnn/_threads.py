"""One BLAS thread while skrnn's kernels run.

The kernels' matrix products go to the BLAS that SciPy links (Numba calls
it through ``scipy.linalg.cython_blas``). Left at its default, OpenBLAS
spreads each of those thousands of small per-step products over every
core; the threads spin and fight each other and any other process, and a
fit runs 5 to 30 times slower than on one thread (measured in
``benchmarks/bench_speed.py --threads default --busy 2``). So while any
skrnn kernel runs, every BLAS library in the process is limited to one
thread, and its setting is restored when the last kernel call ends.

The thread count of OpenBLAS's usual (pthreads) build and of MKL is
process-wide, so the limit is counted, not nested: concurrent fits in
several threads enter and leave in any order, the first sets one thread
and the last restores what the user had.
"""

import threading
from contextlib import contextmanager

import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS the kernels call)
from threadpoolctl import ThreadpoolController

_lock = threading.Lock()
_users = 0
_saved = []  # (library controller, its thread count before the first user)
_controllers = None  # found once: the BLAS libraries loaded with NumPy and SciPy


def _blas_libraries():
    global _controllers
    if _controllers is None:
        _controllers = ThreadpoolController().select(user_api="blas").lib_controllers
    return _controllers


def _set_num_threads(library, n_threads):
    # threadpoolctl lets only one "controlling" thread change OpenBLAS's
    # process-wide pool, silently ignoring the others; under the lock above
    # skrnn's first and last user may be different threads, so skrnn takes
    # control for the call and hands it back.
    clear = getattr(type(library), "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)
    library.set_num_threads(n_threads)
    if clear is not None:
        clear(force=True)


@contextmanager
def one_blas_thread():
    """Limit every loaded BLAS library to one thread for the ``with`` block."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = [(lib, lib.num_threads) for lib in _blas_libraries()]
            for lib, n_threads in _saved:
                if n_threads not in (1, None):
                    _set_num_threads(lib, 1)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                for lib, n_threads in _saved:
                    if n_threads not in (1, None):
                        _set_num_threads(lib, n_threads)
                _saved = []


# OpenBLAS runs a product on one thread anyway below m * n * k = 262,144
# (65,536 x its GEMM_MULTITHREAD_THRESHOLD of 4); a quarter of that leaves
# room for other BLAS builds. Smaller calls skip the ~20 us of setting the
# thread count, which would double the time of predicting one sequence.
MIN_THREADED_WORK = 2**16
