"""One BLAS thread while skrnn's kernels run, and a second core for one fit.

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

One large fit or predict uses a second core its own way: it splits each
minibatch into two halves (a predict, its sequences into pieces), a fixed
rule of the sizes (``skrnn._network``), and :func:`run_parts` runs the
parts on two threads when :func:`parallel_parts` allows it, else one after
the other. A part's result does not depend on the thread or the workspace
that computes it, so the results are the same either way.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS the kernels call)
from llvmlite import binding as llvm
from threadpoolctl import ThreadpoolController

_lock = threading.Lock()
_users = 0
_inside = {}  # thread ident -> calls of it inside one_blas_thread
_saved = []  # (library controller, its thread count before the first user)
_controllers = None  # found once: the BLAS libraries loaded with NumPy and SciPy


def _blas_libraries():
    global _controllers
    if _controllers is None:
        _controllers = ThreadpoolController().select(user_api="blas").lib_controllers
    return _controllers


#: OpenBLAS's kernels for AVX-512 CPUs (its core names, as threadpoolctl
#: reports them), which compute a product of at most _DIRECT_PRODUCT_SIZE
#: multiply-adds (m * n * k) straight from its operands where they lie: a
#: larger product, or one of another core's kernels, first copies both
#: operands into packed blocks, on every call. Version 0.3.30 (SciPy's
#: wheels) computes so every small product but those whose A is transposed
#: (in its column-major terms), which skrnn's per-step products avoid (see
#: ``recurrent.transposed``).
_DIRECT_CORES = frozenset({"skylakex", "cooperlake", "sapphirerapids"})
_DIRECT_PRODUCT_SIZE = 10**6
_direct_size = None


def direct_product_size():
    """The most multiply-adds of a product that the kernels' BLAS computes
    without copying its operands first, 0 if it copies them always.

    OpenBLAS on a CPU with AVX-512: 10**6. At one thread on the Zen 4, its
    float32 products of a (b, 65) by a (65, 256) matrix ran at 110 to 114
    GFLOP/s up to b = 60 (9.4 us at b = 32), 81 at b = 62 and 96 at b = 240;
    its AVX2 kernels, at 59, 81 and 96. The kernels size the per-step
    products by it: larger ones in blocks of rows (``blas.gemm_direct``),
    weight gradients one step at a time (``recurrent.steps_per_product``)
    and predict in chunks of that many rows, or, for the feature-major
    LSTM, of whole vectors of columns (``skrnn._network``).
    """
    global _direct_size
    if _direct_size is None:
        libraries = _kernels_blas()
        direct = libraries and all(_openblas_core(lib) in _DIRECT_CORES for lib in libraries)
        _direct_size = _DIRECT_PRODUCT_SIZE if direct else 0
    return _direct_size


def _kernels_blas():
    # The libraries the kernels' products may run in: SciPy's where NumPy
    # loads another (pip wheels); any other build shares one, or the
    # kernels' is not known, so a caller must consider them all.
    return [lib for lib in _blas_libraries() if _in_scipy(lib.filepath)] or _blas_libraries()


def _openblas_core(library):
    # OpenBLAS's kernel set in lower case ("haswell"), "" for another BLAS.
    return (library.architecture or "").lower() if library.internal_api == "openblas" else ""


#: OpenBLAS's kernels for AVX2 (its core names), which it runs on a CPU
#: with AVX-512 when ``OPENBLAS_CORETYPE`` says so, or when it does not
#: recognise the CPU.
_AVX2_CORES = frozenset({"haswell", "zen"})
#: What OpenBLAS's AVX-512 kernels ("SkylakeX") need of the CPU.
_AVX512_FEATURES = ("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")


def blas_advice():
    """A sentence for the user when the kernels' OpenBLAS runs its AVX2
    kernels on a CPU with AVX-512, else None.

    OpenBLAS picks its kernels once, when it loads: by the variable
    ``OPENBLAS_CORETYPE`` if it is set, else by the CPU's model and
    features. The AMD Zen 5 VM of the README's Performance section had
    ``OPENBLAS_CORETYPE=Haswell`` in its environment (without it, OpenBLAS
    0.3.30 picks its SkylakeX kernels there); an OpenBLAS older than the
    CPU may also fall back to AVX2 (OpenBLAS issue #6029). On that VM the
    AVX-512 kernels doubled the GEMM peak, and skrnn trained 1.4 to 2.4
    times as fast at one thread (median 1.7) and predicted 1.2 to 1.9 times
    as fast. skrnn cannot choose for the user: NumPy and SciPy load the
    library, and OpenBLAS its kernels, before skrnn is imported.
    """
    slow = [lib for lib in _kernels_blas() if _openblas_core(lib) in _AVX2_CORES]
    if not slow:  # (an x86 CPU from here on, which LLVM reads the features of)
        return None
    try:
        features = llvm.get_host_cpu_features()
    except RuntimeError:  # LLVM could not read them: no advice rather than a wrong one
        return None
    if not all(features.get(name) for name in _AVX512_FEATURES):
        return None
    library = slow[0]
    forced = os.environ.get("OPENBLAS_CORETYPE")
    cause = (f"OPENBLAS_CORETYPE={forced} is set in the environment" if forced
             else "it does not recognise this CPU")
    return (f"this CPU has AVX-512, but the OpenBLAS {library.version} of skrnn's matrix "
            f"products runs its AVX2 kernels ({library.architecture}) on it: {cause}. Setting "
            "OPENBLAS_CORETYPE=SkylakeX in the environment before Python starts selects its "
            "AVX-512 kernels, with which skrnn trained 1.4 to 2.4 times as fast on an AMD Zen 5.")


def _in_scipy(path):
    # SciPy's own copy of a library: in "scipy.libs" (Linux and Windows
    # wheels) or "scipy/.dylibs" (macOS).
    return any(part == "scipy" or part.startswith("scipy.")
               for part in os.path.dirname(os.path.abspath(path)).split(os.sep))


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
        me = threading.get_ident()
        _inside[me] = _inside.get(me, 0) + 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            _inside[me] -= 1
            if not _inside[me]:
                del _inside[me]
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


def thread_setting():
    """The number of threads the user allows skrnn, or None (no limit).

    ``SKRNN_NUM_THREADS``, else ``OMP_NUM_THREADS`` (which joblib's process
    workers and dask's set to share the cores out; a value OpenMP would not
    read either is ignored, as OpenMP ignores it).
    """
    value = os.environ.get("SKRNN_NUM_THREADS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"SKRNN_NUM_THREADS={value!r} is not a number of threads: set "
                             "it to a positive integer, or unset it.")
        return int(value)
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parallel_parts():
    """Whether a call may run its two parts on two threads now.

    Yes when the process may use two cores or more, ``SKRNN_NUM_THREADS``
    (else ``OMP_NUM_THREADS``) does not limit skrnn to one thread, and no
    other thread is running skrnn's kernels: concurrent fits already keep
    the cores busy, one each.
    """
    setting = thread_setting()
    if setting is not None and setting < 2:
        return False
    if _usable_cores() < 2:
        return False
    with _lock:
        return len(_inside) <= 1


_pool = None  # one worker thread for second parts, made on first use


def _forget_pool():
    # A forked child has none of its parent's threads: a pool inherited
    # from the parent would queue work for a worker that does not exist.
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def run_parts(part, n_parts, parallel):
    """Call ``part(i, slot)`` for ``i`` in ``range(n_parts)``; returns the
    results in that order.

    On two threads if ``parallel``: the caller's (``slot`` 0) and skrnn's
    worker thread (``slot`` 1) each take the next part no thread has taken,
    so that a thread that wakes late, or shares its core with other work,
    takes fewer. ``slot`` names the scratch a part may use: two parts that
    run at once never have the same. In turn, every part runs in slot 0.
    An error in a part is raised once the other thread has ended its part;
    no part starts after it.
    """
    global _pool
    results = [None] * n_parts
    if not parallel or n_parts < 2:
        for i in range(n_parts):
            results[i] = part(i, 0)
        return results
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="skrnn-part")
    taken = [0]
    failed = []  # the worker's error, if any
    worker_idle = threading.Event()  # the worker is not inside a part
    worker_idle.set()

    def work(slot):
        while True:
            with _lock:
                if taken[0] >= n_parts or failed:
                    return
                i = taken[0]
                taken[0] += 1
                if slot:
                    worker_idle.clear()
            try:
                results[i] = part(i, slot)
            except BaseException as error:
                if slot:
                    failed.append(error)
                    return
                raise
            finally:
                if slot:
                    worker_idle.set()

    _pool.submit(work, 1)
    try:
        work(0)
    finally:
        with _lock:
            taken[0] = n_parts  # a worker that wakes now takes nothing
        worker_idle.wait()  # nor does a part of the worker run after the caller goes on
    if failed:
        raise failed[0]
    return results
