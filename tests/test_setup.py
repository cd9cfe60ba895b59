import os

import numba


def test_the_numba_cache_is_the_fresh_folder_of_this_session():
    # Guards conftest.py: a stale cache could hide a change to a kernel.
    if "SKRNN_KEEP_NUMBA_CACHE" not in os.environ:
        assert numba.config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"]
        assert "skrnn-numba-cache-" in numba.config.CACHE_DIR or os.environ.get("CI")
