"""The optimizers' update, compiled as the kernels run it, against
scikit-learn's own (``sklearn.neural_network._stochastic_optimizers``)."""

import numpy as np
import pytest
from numba import njit
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skrnn._kernels import optim

DTYPES = [np.float32, np.float64]
# Adam's bias corrections b**step: small steps, a long fit's, and beyond
# 2**16, where Numba's ``**`` switches from repeated squaring to ``pow``.
STEPS = [1, 2, 3, 7, 1000, 65536, 65537, 200_000]


@njit
def _step(params, grad, m, v, hyper, step):
    optim.optimizer_step(params, grad, m, v, hyper, step)


@njit
def _power(x, n):
    return optim._power(x, n)


@njit
def _numba_power(x, n):
    return x**n


def _hyper(dtype, solver, nesterov=True, beta_2=0.999):
    real = np.dtype(dtype).type
    return optim.Hyper(real(1e-2), real(0.9), real(beta_2), real(1e-8), real(0.9), nesterov,
                       solver, real(0.0), real(0.0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_powers_are_numbas_to_the_last_bit(dtype):
    # What ``b**step`` computed before the helper replaced it (and the
    # library Numba compiled for it): the same models as before, bit for bit.
    for x in dtype([0.9, 0.999, 0.99999, 0.5]):
        for n in [0, *STEPS]:
            ours, numba = _power(x, n), _numba_power(x, n)
            assert ours == numba, (x, n)
            assert type(ours) is type(numba)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", STEPS)
def test_adam_step_is_sklearns(dtype, step):
    rng = np.random.RandomState(step)
    params, grad, m = rng.normal(size=(3, 50)).astype(dtype)
    v = rng.uniform(size=50).astype(dtype)
    reference = AdamOptimizer([params.copy()], learning_rate_init=1e-2, beta_2=0.999)
    reference.t = step - 1
    reference.ms, reference.vs = [m.copy()], [v.copy()]
    expected = [params.copy()]
    reference.update_params(expected, [grad])
    _step(params, grad, m, v, _hyper(dtype, optim.ADAM), step)
    rtol = 1e-5 if dtype == np.float32 else 1e-12  # a few ulps: the kernels fuse into FMAs
    np.testing.assert_allclose(params, expected[0], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(m, reference.ms[0], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(v, reference.vs[0], rtol=rtol, atol=rtol)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_step_is_sklearns(nesterov):
    rng = np.random.RandomState(0)
    params, grad, velocity = rng.normal(size=(3, 50))
    reference = SGDOptimizer([params.copy()], learning_rate_init=1e-2, momentum=0.9,
                             nesterov=nesterov)
    reference.velocities = [velocity.copy()]
    expected = [params.copy()]
    reference.update_params(expected, [grad])
    _step(params, grad, velocity, np.zeros(50), _hyper(np.float64, optim.SGD, nesterov), 1)
    np.testing.assert_allclose(params, expected[0], rtol=1e-12)
    np.testing.assert_allclose(velocity, reference.velocities[0], rtol=1e-12)
