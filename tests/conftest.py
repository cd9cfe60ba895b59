"""Test session setup: a fresh Numba cache, so a stale cache never hides a bug."""

import os
import tempfile

# Must run before numba compiles anything, i.e. before skrnn is imported.
if "SKRNN_KEEP_NUMBA_CACHE" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="skrnn-numba-cache-")

# sklearn's check_array_api_input runs only with SciPy's array API support on
# (it must be set before scipy is imported); with it the check is run, not skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
