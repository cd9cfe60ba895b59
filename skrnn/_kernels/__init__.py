"""Numba kernels: forward and backward passes, activations, optimizers.

Kernels take C-contiguous arrays of one float dtype, never validate and never
see pandas. Sequences are time-major, ``(n_timesteps, batch, n_features)``,
so that the slice of one timestep is a contiguous matrix for ``np.dot``.
"""
