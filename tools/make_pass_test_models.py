#!/usr/bin/env python3
"""Generates the small ONNX models the graph-pass tests read
(tests/unit/passes_*_test.cc), into tests/unit/data/passes/.

Models with BatchNormalization come from real PyTorch exports (BN kept as a
node: do_constant_folding=False, TrainingMode.PRESERVE on an eval model), with
random running statistics so that folding changes the weights measurably.
Patterns PyTorch does not emit in eval mode (Dropout, Identity, BN on a graph
input, a Relu whose input has two readers, Gemm with transB=0) are built with
onnx.helper. Every file is checked to contain the ops its test relies on.

Usage: /usr/bin/python3 tools/make_pass_test_models.py [out_dir]
"""
import io
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
MAX_BYTES = 200 * 1024
# Model name -> {"input": x, "output": PyTorch's output}, written as
# <name>_input.npy / <name>_output.npy.
GOLDEN = {}


def randomize_bn(model, gen):
    # Running statistics far from (0, 1) and non-trivial affine parameters.
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(c, generator=gen) * 2.0 + 0.25)
            m.weight.data.copy_(torch.randn(c, generator=gen))
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.3)


def export(model, example, input_names, output_names):
    model.eval()
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, opset_version=OPSET, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE, input_names=input_names,
                      output_names=output_names,
                      dynamic_axes={input_names[0]: {0: "batch"}, output_names[0]: {0: "batch"}})
    return onnx.load_from_string(buf.getvalue())


def count(model, op):
    return sum(1 for n in model.graph.node if n.op_type == op)


def insert_after(model, value, op_type, name, extra_inputs=(), attrs=None):
    """Inserts `op_type` reading `value`; its former readers (and graph
    outputs) read the new node's output, which takes `value`'s name when
    `value` is a graph output (the user-visible name moves to the new node)."""
    g = model.graph
    is_output = any(o.name == value for o in g.output)
    new_in = value + "_pre_" + name if is_output else value
    new_out = value if is_output else value + "_" + name
    if is_output:
        for n in g.node:
            n.output[:] = [new_in if o == value else o for o in n.output]
    for n in g.node:
        n.input[:] = [new_in if (i == value and is_output) else (new_out if i == value else i)
                      for i in n.input]
    node = helper.make_node(op_type, [new_in, *extra_inputs], [new_out], name=name, **(attrs or {}))
    g.node.append(node)


def toposort(model):
    g = model.graph
    known = {i.name for i in g.input} | {t.name for t in g.initializer} | {""}
    nodes, order = list(g.node), []
    while nodes:
        for n in nodes:
            if all(i in known for i in n.input):
                order.append(n)
                known.update(n.output)
                nodes.remove(n)
                break
        else:
            raise RuntimeError("cycle")
    del g.node[:]
    g.node.extend(order)


class ConvBnRelu6(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.act1 = torch.nn.ReLU6()
        self.conv2 = torch.nn.Conv2d(8, 8, 3, padding=1, groups=2, bias=True)
        self.bn2 = torch.nn.BatchNorm2d(8, eps=1e-3)
        self.act2 = torch.nn.ReLU()
        self.dw = torch.nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.bn3 = torch.nn.BatchNorm2d(8)

    def forward(self, x):
        y = self.act1(self.bn1(self.conv1(x)))
        y = self.act2(self.bn2(self.conv2(y)))
        return self.bn3(self.dw(y))


class GemmBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(16, 12)
        self.bn1 = torch.nn.BatchNorm1d(12)
        self.act = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(12, 5, bias=False)
        self.bn2 = torch.nn.BatchNorm1d(5)

    def forward(self, x):
        return self.bn2(self.fc2(self.act(self.bn1(self.fc1(x)))))


class ConvTransposeBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.up = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
        self.bn = torch.nn.BatchNorm2d(6)
        self.act = torch.nn.ReLU6()

    def forward(self, x):
        return self.act(self.bn(self.up(x)))


def golden(m, x):
    """PyTorch's own output for `x`: an oracle independent of qforge's
    BatchNormalization kernel, saved next to the model."""
    m.eval()
    with torch.no_grad():
        return {"input": x.numpy(), "output": m(x).numpy()}


def conv_bn_relu6(gen):
    torch.manual_seed(1)
    m = ConvBnRelu6()
    randomize_bn(m, gen)
    model = export(m, torch.randn(1, 3, 8, 8), ["input"], ["output"])
    GOLDEN["conv_bn_relu6"] = golden(m, torch.randn(2, 3, 8, 8) * 2)
    assert count(model, "BatchNormalization") == 3, "BN folded by the exporter"
    # PyTorch drops Dropout in eval mode and never emits Identity for
    # nn.Identity; add them where the passes must handle them: mid-graph and
    # in front of the graph output.
    first_clip = next(n for n in model.graph.node if n.op_type == "Clip")
    insert_after(model, first_clip.output[0], "Dropout", "dropout")
    insert_after(model, "output", "Identity", "identity_out")
    toposort(model)
    return model


def gemm_bn(gen):
    torch.manual_seed(2)
    m = GemmBn()
    randomize_bn(m, gen)
    model = export(m, torch.randn(4, 16), ["input"], ["output"])
    GOLDEN["gemm_bn"] = golden(m, torch.randn(5, 16) * 2)
    # fc2 has no bias: PyTorch writes it as Transpose(W) -> MatMul, which the
    # fold turns into a Gemm once the Transpose is constant-folded.
    assert count(model, "BatchNormalization") == 2 and count(model, "Gemm") == 1
    assert count(model, "MatMul") == 1
    return model


def convtranspose_bn(gen):
    torch.manual_seed(3)
    m = ConvTransposeBn()
    randomize_bn(m, gen)
    model = export(m, torch.randn(1, 4, 5, 5), ["input"], ["output"])
    GOLDEN["convtranspose_bn"] = golden(m, torch.randn(2, 4, 5, 5) * 2)
    assert count(model, "BatchNormalization") == 1 and count(model, "ConvTranspose") == 1
    return model


def const(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def bn_params(rng, prefix, c):
    return [const(prefix + "_scale", rng.normal(size=c)), const(prefix + "_bias", rng.normal(size=c) * 0.3),
            const(prefix + "_mean", rng.normal(size=c) * 0.5), const(prefix + "_var", rng.uniform(0.25, 2.25, c))]


def bn_node(prefix, x, y):
    return helper.make_node("BatchNormalization", [x] + [prefix + s for s in ("_scale", "_bias", "_mean", "_var")],
                            [y], name=prefix, epsilon=1e-5)


def gemm_transb0():
    """Gemm with transB=0, alpha/beta != 1 and a (1, N) bias, then BN."""
    rng = np.random.default_rng(4)
    inits = [const("W", rng.normal(size=(6, 7))), const("C", rng.normal(size=(1, 7)))] + bn_params(rng, "bn", 7)
    nodes = [helper.make_node("Gemm", ["input", "W", "C"], ["g"], name="gemm", alpha=0.5, beta=2.0),
             bn_node("bn", "g", "bn_out"), helper.make_node("Relu", ["bn_out"], ["output"], name="relu")]
    graph = helper.make_graph(nodes, "gemm_transb0",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [3, 6])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [3, 7])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def unfoldable():
    """Patterns the passes must leave alone (and two they must still take):
    - bn_in: BN on the graph input (no producer to fold into) -> kept;
    - conv -> c read by relu AND add: relu not fused;
    - conv2 -> c2 -> bn2, with c2 also a graph output: bn2 kept;
    - add -> Clip(min 0.5, no max): fused onto add, with no activation_max;
    - sub -> relu_sub -> Identity -> graph output 'output': identity removed,
      'output' keeps its name;
    - Identity from the graph input to the graph output 'passthrough': kept.
    """
    rng = np.random.default_rng(5)
    inits = (bn_params(rng, "bn_in", 4) + bn_params(rng, "bn2", 4) +
             [const("w", rng.normal(size=(4, 4, 3, 3)) * 0.3), const("b", rng.normal(size=4)),
              const("w2", rng.normal(size=(4, 4, 1, 1))), const("lo", 0.5)])
    nodes = [bn_node("bn_in", "input", "x"),
             helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu_shared"),
             helper.make_node("Add", ["r", "c"], ["a"], name="add"),
             helper.make_node("Clip", ["a", "lo", ""], ["a_clipped"], name="clip_min_only"),
             helper.make_node("Conv", ["a_clipped", "w2"], ["c2"], name="conv2"),
             bn_node("bn2", "c2", "n2"),
             helper.make_node("Sub", ["n2", "a_clipped"], ["s"], name="sub"),
             helper.make_node("Relu", ["s"], ["s_relu"], name="relu_sub"),
             helper.make_node("Identity", ["s_relu"], ["output"], name="identity_out"),
             helper.make_node("Identity", ["input"], ["passthrough"], name="identity_in")]
    shape = [2, 4, 5, 5]
    graph = helper.make_graph(nodes, "unfoldable", [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)
                               for n in ("output", "passthrough", "c2")], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def dropout_identity():
    """MatMul chains through Identity and Dropout (ratio given, training_mode
    constant false), a Dropout whose mask is a graph output (kept), and a
    MatMul -> Clip(0, 6) -> Identity -> graph output."""
    rng = np.random.default_rng(6)
    inits = [const("w1", rng.normal(size=(8, 8))), const("w2", rng.normal(size=(8, 8))), const("ratio", 0.3),
             numpy_helper.from_array(np.array(False), "training"), const("zero", 0.0), const("six", 6.0)]
    nodes = [helper.make_node("Identity", ["input"], ["i1"], name="identity_in"),
             helper.make_node("MatMul", ["i1", "w1"], ["m1"], name="matmul1"),
             helper.make_node("Dropout", ["m1", "ratio", "training"], ["d1"], name="dropout1"),
             helper.make_node("Identity", ["d1"], ["i2"], name="identity_mid"),
             helper.make_node("Dropout", ["i2"], ["d2", "mask"], name="dropout_mask"),
             helper.make_node("MatMul", ["d2", "w2"], ["m2"], name="matmul2"),
             helper.make_node("Clip", ["m2", "zero", "six"], ["relu6"], name="relu6"),
             helper.make_node("Identity", ["relu6"], ["output"], name="identity_out")]
    graph = helper.make_graph(nodes, "dropout_identity",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [3, 8])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [3, 8]),
                               helper.make_tensor_value_info("mask", TensorProto.BOOL, [3, 8])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "unit", "data", "passes")
    os.makedirs(out_dir, exist_ok=True)
    gen = torch.Generator().manual_seed(0)
    models = {
        "conv_bn_relu6": conv_bn_relu6(gen),
        "gemm_bn": gemm_bn(gen),
        "convtranspose_bn": convtranspose_bn(gen),
        "gemm_transb0_bn": gemm_transb0(),
        "unfoldable": unfoldable(),
        "dropout_identity": dropout_identity(),
    }
    for name, model in models.items():
        model.producer_name = "tools/make_pass_test_models.py"
        onnx.checker.check_model(model, full_check=True)
        data = model.SerializeToString()
        assert len(data) < MAX_BYTES, name
        with open(os.path.join(out_dir, name + ".onnx"), "wb") as f:
            f.write(data)
        for key, array in GOLDEN.get(name, {}).items():
            np.save(os.path.join(out_dir, f"{name}_{key}.npy"), array.astype(np.float32))
        ops = sorted({n.op_type for n in model.graph.node})
        print(f"{name}.onnx: {len(data)} bytes, {len(model.graph.node)} nodes {ops}")


if __name__ == "__main__":
    main()
