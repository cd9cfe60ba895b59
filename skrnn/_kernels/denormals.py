"""Denormal floats flushed to zero while a training or predict kernel runs.

Values below the smallest normal float (1.2e-38 in float32, 2.2e-308 in
float64) arise in training as gradients vanish through many steps and
gates saturate. Intel CPUs compute with them in a microcode assist of
about a hundred cycles per operation: on a Xeon with AVX-512, a float32
GRU of 16 units on 200 steps trained 3.2x slower than with them flushed
(AMD's Zen 2 pays almost nothing). Like TensorFlow, which runs its CPU
kernels so, :func:`flush_denormals` sets the SSE control register's
flush-to-zero (FTZ) and denormals-are-zero (DAZ) bits for the calling
thread, and :func:`restore` puts back the caller's setting, so that no
Python code or other library runs with them. The kernels call both, as
the register belongs to the thread that runs them (the BLAS calls inside a
kernel runs in that thread too: skrnn pins the BLAS to one thread for its
products).

Only on x86-64; elsewhere both are no-ops and denormals are computed as
IEEE 754 says. Results differ from unflushed ones only where a value
would have been denormal, and are the same on every run and thread count.
"""

import platform

import numpy as np
from llvmlite import ir
from numba import config, types
from numba.extending import intrinsic

from .config import helper

#: MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6) bits.
FTZ_DAZ = 0x8040

_X86 = platform.machine().lower() in ("x86_64", "amd64")


@intrinsic
def _update_mxcsr(typingctx, keep, bits):
    # MXCSR = (MXCSR & keep) | bits; returns the previous MXCSR (0 off
    # x86-64, where it does nothing). The instructions (STMXCSR, LDMXCSR)
    # move the register through memory.
    if not (isinstance(keep, types.Integer) and isinstance(bits, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        word = ir.IntType(32)
        if not _X86:
            return word(0)
        fnty = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer()])
        store = builder.module.declare_intrinsic("llvm.x86.sse.stmxcsr", fnty=fnty)
        load = builder.module.declare_intrinsic("llvm.x86.sse.ldmxcsr", fnty=fnty)
        keep_, bits_ = (context.cast(builder, a, t, types.uint32) for a, t in zip(args, sig.args))
        slot = builder.alloca(word)
        address = builder.bitcast(slot, ir.IntType(8).as_pointer())
        builder.call(store, [address])
        old = builder.load(slot)
        builder.store(builder.or_(builder.and_(old, keep_), bits_), slot)
        builder.call(load, [address])
        return old

    return types.uint32(keep, bits), codegen


if config.DISABLE_JIT:
    # An intrinsic has no Python body: interpreted kernels (the debugging
    # mode) compute denormals as the interpreter does, unflushed.
    def flush_denormals():
        """No-op without the JIT; returns the state :func:`restore` takes."""
        return np.uint32(0)

    def restore(state):
        """No-op without the JIT."""

else:
    # Helpers (compiled into the kernels that call them, which is where the
    # register must change), not kernels of their own: each was one more
    # library to optimise and emit in a cold fit.

    @helper
    def flush_denormals():
        """Set FTZ and DAZ for the calling thread; returns the state to restore."""
        return _update_mxcsr(np.uint32(0xFFFFFFFF), np.uint32(FTZ_DAZ))

    @helper
    def restore(state):
        """Put back the control state that :func:`flush_denormals` returned."""
        _update_mxcsr(np.uint32(0), state)
