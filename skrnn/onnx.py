"""Export to ONNX: ``import skrnn.onnx`` teaches skl2onnx the skrnn estimators.

After the import, skl2onnx's ordinary call exports a fitted estimator, or
a whole scikit-learn ``Pipeline`` around one::

    import skrnn.onnx  # registers the converters
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype(np.float32))

Recurrent layers become ONNX's own ``RNN``, ``LSTM`` and ``GRU`` operators,
which every runtime implements natively: skrnn's gates are reordered to
ONNX's (LSTM ``i, o, f, c``; GRU ``z, r, h`` with ``linear_before_reset=1``,
PyTorch's form, which skrnn computes). The window MLP becomes ``MatMul``,
``Add`` and its activation. The model's ``window``, its standardisation
(``X_mean_``, ``X_scale_``, ``y_mean_``, ``y_scale_``) and its linear head
are part of the graph, so the exported model takes the data as ``predict``
does, 2-D ``(n_samples, n_timesteps)`` or 3-D ``(n_samples, n_timesteps,
n_features)``, and answers in the units of ``y``: a float32 tensor of
shape ``(n_samples, n_outputs)`` (skl2onnx's shape for every regressor).

The graph computes in float32, whatever the dtype the model was fitted in.
Needs the ``onnx`` extra: ``pip install "skrnn[onnx]"`` (skl2onnx, onnx,
onnxruntime).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxArgMax,
        OnnxCast,
        OnnxConcat,
        OnnxDiv,
        OnnxGather,
        OnnxGreater,
        OnnxGRU,
        OnnxIdentity,
        OnnxLSTM,
        OnnxMatMul,
        OnnxMul,
        OnnxRelu,
        OnnxReshapeApi13,
        OnnxRNN,
        OnnxSigmoid,
        OnnxSlice,
        OnnxSoftmax,
        OnnxSqueezeApi11,
        OnnxSub,
        OnnxTanh,
        OnnxTranspose,
        OnnxUnsqueezeApi11,
    )
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        'skrnn.onnx needs skl2onnx and onnx: pip install "skrnn[onnx]"'
    ) from error

from ._gru import GRUClassifier, GRURegressor
from ._lstm import LSTMClassifier, LSTMRegressor
from ._mlp import WindowMLPClassifier, WindowMLPRegressor
from ._rnn import RNNClassifier, RNNRegressor

__all__ = ["CONVERTED"]

#: The estimators this module registers with skl2onnx.
REGRESSORS = (RNNRegressor, LSTMRegressor, GRURegressor, WindowMLPRegressor)
CLASSIFIERS = (RNNClassifier, LSTMClassifier, GRUClassifier, WindowMLPClassifier)
CONVERTED = REGRESSORS + CLASSIFIERS

# skrnn's gate blocks (PyTorch's order) in ONNX's order: LSTM i, f, g, o ->
# i, o, f, c; GRU r, z, n -> z, r, h.
_GATE_ORDER = {"rnn": [0], "lstm": [0, 3, 1, 2], "gru": [1, 0, 2]}
_ONNX_CELL = {"rnn": OnnxRNN, "lstm": OnnxLSTM, "gru": OnnxGRU}
_ACTIVATIONS = {"identity": OnnxIdentity, "relu": OnnxRelu, "tanh": OnnxTanh,
                "logistic": OnnxSigmoid}


def _float32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def _onnx_gates(w, order, H):
    """skrnn's (n_in, G*H) matrix, or (G*H,) bias, as ONNX's (G*H, n_in) or
    (G*H,): gate blocks reordered, each block's rows its units."""
    blocks = [w[..., g * H:(g + 1) * H] for g in order]
    return _float32(np.concatenate([b.T for b in blocks], axis=0))


def _checked_inputs(operator):
    model = operator.raw_operator
    check_is_fitted(model)
    inputs = operator.inputs[0]
    if not isinstance(inputs.type, FloatTensorType):
        raise NotImplementedError(
            f"{type(model).__name__} exports with float32 inputs only (got "
            f"{type(inputs.type).__name__}): call to_onnx(model, X[:1].astype(np.float32))."
        )
    return model, inputs.get_first_dimension()


def _shape_calculator(operator):
    model, n = _checked_inputs(operator)
    operator.outputs[0].type = FloatTensorType([n, model.n_outputs_])


def _classes(model):
    """The classes as an ONNX initializer: int64 or strings (ONNX's label types)."""
    classes = model.classes_
    if classes.dtype.kind in "iub":
        return classes.astype(np.int64)
    if classes.dtype.kind in "UO" and all(isinstance(c, str) for c in classes):
        return classes.astype(object)
    raise NotImplementedError(
        f"{type(model).__name__} exports with integer, boolean or string classes only "
        f"(ONNX's label types); its classes_ are {classes.dtype}: fit it on "
        "y.astype(int) or y.astype(str)."
    )


def _multilabel(model):
    return model._label_binarizer.y_type_.startswith("multilabel")


def _classifier_shape_calculator(operator):
    model, n = _checked_inputs(operator)
    if _multilabel(model):
        operator.outputs[0].type = Int64TensorType([n, len(model.classes_)])
    else:
        label = Int64TensorType if _classes(model).dtype == np.int64 else StringTensorType
        operator.outputs[0].type = label([n])
    operator.outputs[1].type = FloatTensorType([n, len(model.classes_)])


def _sequences(model, X, rank, opv):
    """The input as the network reads it: (n, window, n_features),
    standardised."""
    arch = model._architecture
    T, D = model.n_features_in_, arch["n_sequence_features"]
    if rank == 2:
        if D != 1:
            raise ValueError(
                f"{type(model).__name__} was fitted on {D} features per step: export it "
                f"with 3-D inputs of shape (n_samples, {T}, {D}), not 2-D ones."
            )
        X = OnnxUnsqueezeApi11(X, axes=[2], op_version=opv)
    elif rank != 3:
        raise ValueError(f"inputs must be 2-D or 3-D, got {rank}-D")
    window = arch["window"] or T
    if window < T:
        X = OnnxSlice(X, np.array([T - window], dtype=np.int64),
                      np.array([T], dtype=np.int64), np.array([1], dtype=np.int64),
                      op_version=opv)
    if arch["standardize"]:
        X = OnnxDiv(OnnxSub(X, _float32(model.X_mean_), op_version=opv),
                    _float32(model.X_scale_), op_version=opv)
    return X, window, D


def _recurrent(model, X, opv):
    """The stacked layers, time-major as ONNX's operators want it; returns
    the top layer's last hidden state (n, H)."""
    arch = model._architecture
    cell, weights = arch["network"], model.weights_
    order = _GATE_ORDER[cell]
    Onnx = _ONNX_CELL[cell]
    inp = OnnxTranspose(X, perm=[1, 0, 2], op_version=opv)  # (T, n, D)
    n_layers = len(arch["hidden_layer_sizes"])
    for k, H in enumerate(arch["hidden_layer_sizes"]):
        w = {name.split(".", 1)[1]: v for name, v in weights.items()
             if name.startswith(f"layer{k}.")}
        W = _onnx_gates(w["W_ih"], order, H)[np.newaxis]
        R = _onnx_gates(w["W_hh"], order, H)[np.newaxis]
        if cell == "gru":  # b_hn acts inside the reset product: two vectors
            b_in, b_rec = w["b_ih"], w["b_hh"]
        else:  # skrnn keeps one bias vector, the sum of ONNX's two
            b_in, b_rec = w["b"], np.zeros_like(w["b"])
        B = np.concatenate([_onnx_gates(b_in, order, H),
                            _onnx_gates(b_rec, order, H)])[np.newaxis]
        attrs = {"hidden_size": H}
        if cell == "gru":
            attrs["linear_before_reset"] = 1
        if cell == "rnn":
            attrs["activations"] = ["Relu" if arch["activation"] == "relu" else "Tanh"]
        node = Onnx(inp, W, R, B, op_version=opv, **attrs)
        if k < n_layers - 1:  # Y (T, 1, n, H): every step, the next layer's input
            inp = OnnxSqueezeApi11(node[0], axes=[1], op_version=opv)
        else:  # Y_h (1, n, H): the last step
            return OnnxSqueezeApi11(node[1], axes=[0], op_version=opv)


def _dense(model, X, window, D, opv):
    """The MLP's hidden layers on the flattened window (step-major, as the
    kernels flatten it)."""
    arch = model._architecture
    inp = OnnxReshapeApi13(X, np.array([-1, window * D], dtype=np.int64), op_version=opv)
    activation = _ACTIVATIONS[arch["activation"]]
    for k in range(len(arch["hidden_layer_sizes"])):
        z = OnnxAdd(OnnxMatMul(inp, _float32(model.weights_[f"layer{k}.W"]), op_version=opv),
                    _float32(model.weights_[f"layer{k}.b"]), op_version=opv)
        inp = activation(z, op_version=opv)
    return inp


def _head(operator, opv):
    """The network and its linear head: what ``_network_output`` computes."""
    model = operator.raw_operator
    X = operator.inputs[0]
    X, window, D = _sequences(model, X, len(X.type.shape), opv)
    if model._architecture["network"] == "dense":
        top = _dense(model, X, window, D, opv)
    else:
        top = _recurrent(model, X, opv)
    return OnnxAdd(OnnxMatMul(top, _float32(model.weights_["output.W"]), op_version=opv),
                   _float32(model.weights_["output.b"]), op_version=opv)


def _converter(scope, operator, container):
    model = operator.raw_operator
    opv = container.target_opset
    out = _head(operator, opv)
    if model._architecture["standardize"]:
        out = OnnxAdd(OnnxMul(out, _float32(model.y_scale_), op_version=opv),
                      _float32(model.y_mean_), op_version=opv)
    OnnxIdentity(out, op_version=opv, output_names=operator.outputs[:1]).add_to(
        scope, container)


def _classifier_converter(scope, operator, container):
    # The head's scores to probabilities (softmax, or logistic outputs; a
    # binary model's one output becomes the two columns [1 - p, p]) and the
    # label: the most probable class, or each label with p > 0.5.
    model = operator.raw_operator
    opv = container.target_opset
    scores = _head(operator, opv)
    if model.out_activation_ == "softmax":
        proba = OnnxSoftmax(scores, axis=1, op_version=opv)
    else:
        proba = OnnxSigmoid(scores, op_version=opv)
    if _multilabel(model):
        label = OnnxCast(OnnxGreater(proba, np.array([0.5], dtype=np.float32), op_version=opv),
                         to=TensorProto.INT64, op_version=opv)
    else:
        if model.n_outputs_ == 1:
            proba = OnnxConcat(OnnxSub(np.array([1.0], dtype=np.float32), proba, op_version=opv),
                               proba, axis=1, op_version=opv)
        index = OnnxArgMax(proba, axis=1, keepdims=0, op_version=opv)
        label = OnnxGather(_classes(model), index, axis=0, op_version=opv)
    OnnxIdentity(label, op_version=opv, output_names=operator.outputs[:1]).add_to(
        scope, container)
    OnnxIdentity(proba, op_version=opv, output_names=operator.outputs[1:2]).add_to(
        scope, container)


for _estimator in REGRESSORS:
    update_registered_converter(_estimator, f"Skrnn{_estimator.__name__}",
                                _shape_calculator, _converter)
for _estimator in CLASSIFIERS:
    # The zipmap option makes skl2onnx parse the model as a classifier: a
    # label and a probabilities output, ZipMap'ed unless zipmap=False.
    update_registered_converter(_estimator, f"Skrnn{_estimator.__name__}",
                                _classifier_shape_calculator, _classifier_converter,
                                options={"zipmap": [True, False, "columns"], "nocl": [True, False]})
del _estimator
