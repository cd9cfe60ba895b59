"""Test session setup: a fresh Numba cache, so a stale cache never hides a bug.

Numba's cache is keyed by the source file of each compiled function only: a
change to a kernel it calls (inlined) would not invalidate it.
"""

import os
import sys
import tempfile

if "SKRNN_KEEP_NUMBA_CACHE" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="skrnn-numba-cache-")
    if "numba" in sys.modules:  # imported early (a plugin): read the setting again
        sys.modules["numba"].core.config.reload_config()

# sklearn's check_array_api_input runs only with SciPy's array API support on
# (it must be set before scipy is imported); with it the check is run, not skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

