"""Numba kernels: forward and backward passes, activations, optimizers.

Kernels take C-contiguous arrays of one float dtype, never validate and never
see pandas. Sequences are time-major, ``(n_timesteps, batch, n_features)``,
so that the slice of one timestep is a contiguous matrix for the BLAS.

Importing this package first registers where Numba caches the kernels
(:mod:`skrnn._kernels._cache`): before any kernel module is compiled.
"""

from . import _cache  # noqa: F401
