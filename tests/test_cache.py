"""Where the compiled kernels are cached, and the notice of a first compile."""

import gc
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

import skrnn
from skrnn._kernels import _cache

PACKAGE = Path(skrnn.__file__).parent

# Compiles a small kernel (an optimizer step; a few seconds), then reports
# where its cache is.
_SCRIPT = textwrap.dedent("""
    import numpy as np
    from skrnn._kernels import optim, train
    hyper = optim.Hyper(1e-3, 0.9, 0.999, 1e-8, 0.9, True, optim.ADAM, 0.0, 0.0)
    grad, params, m, v, losses, norms = np.ones((6, 3))
    train.finish_parts(0.5, 0.5, grad, np.ones(3), params, np.ones(3), 1.0, m, v, hyper, 0, 0,
                       losses, norms)
    print(train.finish_parts._cache.cache_path)
""")


def _cache_files(folder):
    return sorted(p for p in Path(folder).rglob("*") if p.suffix in (".nbi", ".nbc"))


def _run(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("NUMBA_CACHE_DIR", "SKRNN_CACHE_DIR")}
    environ.update(XDG_CACHE_HOME=str(tmp_path / "xdg"), **env)
    before = _cache_files(PACKAGE)
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=environ, capture_output=True,
                         text=True, check=True).stdout
    assert _cache_files(PACKAGE) == before, "Numba wrote its cache into the package"
    return Path(out.strip())


def test_the_cache_is_a_per_user_folder_keyed_by_version(tmp_path):
    path = _run(tmp_path)
    assert path.parent == tmp_path / "xdg" / "skrnn" / f"skrnn-{skrnn.__version__}"
    assert _cache_files(path), "nothing was cached"


def test_skrnn_cache_dir_overrides_numba_cache_dir(tmp_path):
    path = _run(tmp_path, SKRNN_CACHE_DIR=str(tmp_path / "mine"),
                NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    assert path.parent == tmp_path / "mine" / f"skrnn-{skrnn.__version__}"
    path = _run(tmp_path, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    assert path.parent == tmp_path / "numba" / f"skrnn-{skrnn.__version__}"


def test_an_unwritable_cache_folder_falls_back_to_a_private_temporary_one(tmp_path):
    # A folder below a regular file can be created by nobody, root included.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    (tmp_path / "tmp").mkdir()
    path = _run(tmp_path, SKRNN_CACHE_DIR=str(blocker / "cache"),
                TMPDIR=str(tmp_path / "tmp"))
    assert path.is_relative_to(tmp_path / "tmp")
    assert not path.exists(), "the temporary cache outlived its process"


class _Kernel:
    # Stands in for a Numba dispatcher: compiling adds to its signatures.
    def __init__(self):
        self.signatures = []


def test_a_first_call_still_compiling_is_announced_and_timed(monkeypatch, capsys, caplog):
    monkeypatch.setattr(_cache, "_NOTICE_AFTER", 0.05)
    kernel = _Kernel()
    with caplog.at_level("INFO", logger="skrnn"):
        with _cache.compile_notice(kernel, np.float64, "lstm training", verbose=True):
            time.sleep(0.3)
            kernel.signatures.append("float64")
    out = capsys.readouterr().out
    assert "skrnn: compiling the lstm training kernels for float64" in out
    assert _cache.cache_dir() in out
    assert "skrnn: compiled in 0." in out
    assert [r.getMessage() for r in caplog.records] == out.strip().splitlines()
    # The next call in this process says nothing, however long it takes.
    with _cache.compile_notice(kernel, np.float64, "lstm training", verbose=True):
        time.sleep(0.2)
    assert capsys.readouterr().out == ""


def test_a_fast_first_call_or_a_cache_load_says_nothing(monkeypatch, capsys):
    monkeypatch.setattr(_cache, "_NOTICE_AFTER", 0.05)
    kernel = _Kernel()
    with _cache.compile_notice(kernel, np.float32, "dense training", verbose=True):
        pass
    loaded = _Kernel()
    with _cache.compile_notice(loaded, np.float32, "dense training", verbose=True):
        loaded.signatures.append("float32")  # loaded from the cache at once
        time.sleep(0.2)  # then a long epoch
    assert capsys.readouterr().out == ""


def test_first_calls_pause_the_garbage_collector_and_restore_it():
    assert gc.isenabled()
    first, second = _Kernel(), _Kernel()
    with _cache.compile_notice(first, np.float64, "rnn training"):
        assert not gc.isenabled()
        # A nested (or concurrent) first call shares the pause: the collector
        # stays off until the outer one ends.
        with _cache.compile_notice(second, np.float64, "rnn prediction"):
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    # A later call of a variant already run is not paused.
    with _cache.compile_notice(first, np.float64, "rnn training"):
        assert gc.isenabled()
    # A collector the user turned off stays off; an error restores it too.
    gc.disable()
    try:
        with _cache.compile_notice(_Kernel(), np.float32, "rnn training"):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    try:
        with _cache.compile_notice(_Kernel(), np.float32, "gru training"):
            raise KeyError
    except KeyError:
        pass
    assert gc.isenabled()


def test_an_edit_of_any_kernel_module_makes_every_cached_kernel_stale(tmp_path):
    # A kernel's cached code holds the helpers it calls from other modules:
    # its cache entry must be stamped with all of them, not its own file.
    from skrnn._kernels import train

    folder = PACKAGE / "_kernels"
    copy = tmp_path / "kernels"
    copy.mkdir()
    for source in folder.glob("*.py"):
        (copy / source.name).write_bytes(source.read_bytes())
    before = _cache.kernel_sources_digest(str(copy))
    assert before == _cache.kernel_sources_digest(str(folder))
    edited = tmp_path / "edited"
    edited.mkdir()
    for source in copy.glob("*.py"):
        (edited / source.name).write_bytes(source.read_bytes())
    with open(edited / "lstm.py", "a") as f:
        f.write("\n# an edit\n")
    assert _cache.kernel_sources_digest(str(edited)) != before

    locator = _cache.SkrnnCacheLocator.from_function(train.train_epoch.py_func, train.__file__)
    assert locator.get_source_stamp() == _cache.kernel_sources_digest()
