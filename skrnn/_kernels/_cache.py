"""Where Numba caches skrnn's compiled kernels, and telling the user it compiles.

Numba's default puts the cache in ``__pycache__`` beside the source, that
is inside the installed package, where pip does not know the files: an
uninstall or a reinstall then leaves a ``skrnn`` folder behind that Python
imports as an empty namespace package. skrnn's kernels are cached in

1. ``$SKRNN_CACHE_DIR``, if set; else
2. ``$NUMBA_CACHE_DIR`` (Numba's own setting for all its caches), if set;
   else
3. the user's cache folder: ``~/.cache/skrnn`` on Linux (or
   ``$XDG_CACHE_HOME/skrnn``), ``~/Library/Caches/skrnn`` on macOS,
   ``%LOCALAPPDATA%\\skrnn\\Cache`` on Windows;

each in a subfolder per skrnn version and install location. Where that
folder cannot be written, a private temporary folder serves one process
(the kernels then compile at each start) and is removed at exit.

A kernel's cached code holds every helper it calls, from every kernel
module, while Numba checks it against its own file's timestamp only: after
an edit of ``lstm.py`` (an upgrade between two commits of one version, an
editable install), ``train_epoch``'s cached code from ``train.py`` would
still run the old LSTM. The locator therefore stamps each entry with the
contents of all the kernel modules, so that any edit recompiles them all.

The locator below is registered with Numba before any kernel module is
imported; it handles skrnn's own source files only. :func:`compile_notice`
announces a first call that is compiling, which would otherwise be a
silent wait of 5 to 20 s, and pauses Python's garbage collector during it.
"""

import atexit
import contextlib
import functools
import gc
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time

import numpy as np
from numba.core import caching, config
from numba.misc.appdirs import AppDirs

from .._version import __version__

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cache_dir():
    """The folder that holds this skrnn version's compiled kernels."""
    root = (
        os.environ.get("SKRNN_CACHE_DIR")
        or config.CACHE_DIR
        or AppDirs("skrnn", appauthor=False).user_cache_dir
    )
    return os.path.join(root, f"skrnn-{__version__}")


_temporary = []  # the per-process fallback folder, once made


def _temporary_dir():
    # Private (mode 0700) and per process: a shared, predictable folder in
    # /tmp would let another user plant cache files, which Numba unpickles.
    if not _temporary:
        _temporary.append(tempfile.mkdtemp(prefix="skrnn-numba-cache-"))
        atexit.register(shutil.rmtree, _temporary[0], ignore_errors=True)
    return _temporary[0]


@functools.cache
def kernel_sources_digest(folder=os.path.dirname(os.path.abspath(__file__))):
    """SHA-256 of the kernel modules' sources (the ``.py`` files of ``folder``)."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(name.encode() + b"\0" + f.read() + b"\0")
    return digest.hexdigest()


class SkrnnCacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """Numba cache locator for the source files of the skrnn package."""

    def __init__(self, py_func, py_file, root):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

    def get_cache_path(self):
        return self._cache_path

    def get_source_stamp(self):
        return kernel_sources_digest()

    @classmethod
    def from_function(cls, py_func, py_file):
        if not os.path.abspath(py_file).startswith(_PACKAGE + os.sep):
            return None  # not skrnn's: Numba's own locators decide
        for root in (cache_dir, _temporary_dir):
            locator = cls(py_func, py_file, root())
            try:
                locator.ensure_cache_path()
            except OSError:
                continue
            return locator
        return None


if SkrnnCacheLocator not in caching.CacheImpl._locator_classes:
    caching.CacheImpl._locator_classes.insert(0, SkrnnCacheLocator)


# ---------------------------------------------------------------- notices

logger = logging.getLogger("skrnn")

# A first call that has not finished compiling after this many seconds is
# announced; loading a kernel from the cache takes a few hundredths.
_NOTICE_AFTER = 1.0

_ready = set()  # (kernel, variant, dtype) already compiled or loaded here


def compile_notice(kernel, dtype, what, verbose=False):
    """Say so when the call in the ``with`` block compiles ``kernel`` for ``dtype``.

    ``what`` names the variant (``"lstm training"``): a generic kernel
    compiles once per network kind, loss and dtype. The first call of a
    variant in a process either loads it from the cache or compiles it,
    which takes 5 to 20 s with no output of its own. A call still waiting
    after ``_NOTICE_AFTER`` seconds without a new compiled signature is
    compiling: it is announced on the ``skrnn`` logger (INFO) and, with
    ``verbose``, printed; its duration follows when it ends. Later calls
    cost a set lookup (predicting one sequence takes tens of microseconds).
    """
    key = (kernel, what, dtype)
    if key in _ready or not hasattr(kernel, "signatures"):  # NUMBA_DISABLE_JIT=1
        return _NOTHING
    return _first_call(kernel, np.dtype(dtype).name, what, verbose, key)


_NOTHING = contextlib.nullcontext()


@contextlib.contextmanager
def _first_call(kernel, dtype_name, what, verbose, key):
    # The notice's timer around a variant's first call.
    compiled_before = len(kernel.signatures)
    tic = time.perf_counter()
    announced = threading.Event()

    def announce():
        if len(kernel.signatures) == compiled_before:
            announced.set()
            _say(f"skrnn: compiling the {what} kernels for {dtype_name} "
                 f"(once: later runs load them from {cache_dir()})...", verbose)

    timer = threading.Timer(_NOTICE_AFTER, announce)
    timer.daemon = True
    timer.start()
    try:
        with _gc_paused():
            yield
    finally:
        timer.cancel()
        _ready.add(key)
        if announced.is_set():
            _say(f"skrnn: compiled in {time.perf_counter() - tic:.1f} s.", verbose)


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # first calls under way; whether the collector was on before them


@contextlib.contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector while a first call runs.

    Numba's compiler makes millions of short-lived Python objects, and the
    collector's passes over them took 1.0 of the 8.3 s a cold LSTM fit took
    to compile (interleaved pairs on the Zen 4: 8.3 -> 7.2 to 7.4 s). The
    cyclic garbage made meanwhile waits for the next collection: that fit's
    peak memory grew from 323 to 384 MB. Nested and concurrent first calls
    share one pause; the collector runs again after the last one, unless it
    was off before."""
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


def _say(message, verbose):
    logger.info(message)
    if verbose:
        print(message, flush=True)
