"""PyTorch's weights in skrnn's estimators give PyTorch's predictions.

The test of the documented equations and gate orders: for ``nn.RNN``
(tanh and relu), ``nn.LSTM`` and ``nn.GRU`` (two stacked layers, 3 input
features, 2 outputs through an ``nn.Linear`` head on the last hidden
state), random PyTorch weights are copied into the skrnn estimator of the
same architecture (``standardize=False``, so that the network sees the
data as given) and both predict the same sequences in float64.

PyTorch keeps two bias vectors per layer; skrnn's RNN and LSTM layers keep
their sum, its GRU layers both (``b_hn`` acts inside the reset product).
PyTorch's weights are (out, in); skrnn's are (in, out), applied as
``x @ W``.

Run: ``python benchmarks/check_torch_weights.py`` (needs PyTorch: ``pip
install -e ".[bench]"``). Exits with an error if any model differs by more
than 1e-10.
"""

import sys
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skrnn import GRURegressor, LSTMRegressor, RNNRegressor

TOLERANCE = 1e-10
N_FEATURES, HIDDEN, N_OUTPUTS, N_LAYERS = 3, 5, 2, 2


def torch_model(cell, nonlinearity):
    kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    rnn = kind(N_FEATURES, HIDDEN, num_layers=N_LAYERS, batch_first=True, **kwargs).double()
    head = torch.nn.Linear(HIDDEN, N_OUTPUTS).double()
    return rnn, head


def copy_weights(rnn, head, model):
    """PyTorch's weights into the fitted skrnn model's ``weights_`` views."""
    w = model.weights_
    for k in range(N_LAYERS):
        get = {name: getattr(rnn, f"{name}_l{k}").detach().numpy()
               for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        w[f"layer{k}.W_ih"][...] = get["weight_ih"].T
        w[f"layer{k}.W_hh"][...] = get["weight_hh"].T
        if f"layer{k}.b" in w:
            w[f"layer{k}.b"][...] = get["bias_ih"] + get["bias_hh"]
        else:
            w[f"layer{k}.b_ih"][...] = get["bias_ih"]
            w[f"layer{k}.b_hh"][...] = get["bias_hh"]
    w["output.W"][...] = head.weight.detach().numpy().T
    w["output.b"][...] = head.bias.detach().numpy()


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 12, N_FEATURES))
    y = rng.normal(size=(50, N_OUTPUTS))
    failed = False
    for cell, Estimator, activation in [("rnn", RNNRegressor, "tanh"),
                                        ("rnn", RNNRegressor, "relu"),
                                        ("lstm", LSTMRegressor, None),
                                        ("gru", GRURegressor, None)]:
        rnn, head = torch_model(cell, activation)
        kwargs = {"activation": activation} if activation else {}
        model = Estimator(hidden_layer_sizes=(HIDDEN,) * N_LAYERS, standardize=False,
                          max_iter=1, random_state=0, **kwargs).fit(X, y)
        copy_weights(rnn, head, model)
        with torch.no_grad():
            out, _ = rnn(torch.from_numpy(X))
            expected = head(out[:, -1, :]).numpy()
        error = np.abs(model.predict(X) - expected).max()
        name = f"{Estimator.__name__}" + (f"({activation})" if activation else "")
        print(f"{name:22s} max |skrnn - torch| = {error:.2e} (outputs of size "
              f"{np.abs(expected).mean():.2f})")
        failed |= not error < TOLERANCE
    if failed:
        sys.exit(f"a model differs from PyTorch's by more than {TOLERANCE}")


if __name__ == "__main__":
    main()
