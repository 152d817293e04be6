#!/usr/bin/python3
"""Writes the ONNX fuzz seed corpus (tests/fuzz/corpus/onnx).

Run by hand when the reader's rules change; the output is committed (tens of
KB). Valid seeds (valid_*.onnx) are tiny static-shape models that cover the
op families the runtime prepares and runs: convolutions and pools, matmul
and gemm, shape ops, elementwise ops, quantized (QDQ and QLinear) ops.
Hostile seeds (bad_*) break one rule each so the fuzzer starts next to the
reader's and the planner's checks. The bundled models (models/*.onnx, 200 to
430 KB each) are left out: large seeds slow every mutation down.

  /usr/bin/python3 tests/fuzz/make_onnx_corpus.py
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests/fuzz/corpus/onnx")
F = TensorProto.FLOAT
RNG = np.random.default_rng(12)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def weights(name, shape):
    return const(name, RNG.standard_normal(shape).astype(np.float32) * 0.2)


def model(nodes, inputs, outputs, inits, opset=13):
    g = helper.make_graph(nodes, "fuzz", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def conv_pool():
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"]),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "gw", "gb"], ["y"], transB=1),
        helper.make_node("Softmax", ["y"], ["z"], axis=1),
    ]
    inits = [weights("w", [4, 2, 3, 3]), weights("b", [4]), const("s", np.ones(4, np.float32)),
             weights("bb", [4]), weights("m", [4]), const("v", np.full(4, 0.5, np.float32)),
             weights("gw", [3, 4]), weights("gb", [3])]
    return model(nodes, [vi("x", [1, 2, 6, 6])], [vi("z", [1, 3])], inits)


def depthwise_transpose():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], group=2, pads=[0, 0, 0, 0]),
        helper.make_node("HardSwish", ["c"], ["h"]),
        helper.make_node("ConvTranspose", ["h", "tw"], ["t"], strides=[2, 2]),
        helper.make_node("AveragePool", ["t"], ["a"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["a", "lo", "hi"], ["y"]),
    ]
    inits = [weights("w", [2, 1, 3, 3]), weights("tw", [2, 3, 2, 2]), const("lo", np.float32(0)),
             const("hi", np.float32(6))]
    return model(nodes, [vi("x", [1, 2, 5, 5])], [vi("y", [1, 3, 6, 6])], inits)


def matmul_shapes():
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["mm"]),
        helper.make_node("Add", ["mm", "b"], ["a"]),
        helper.make_node("LayerNormalization", ["a", "g", "be"], ["ln"], axis=-1),
        helper.make_node("Shape", ["ln"], ["sh"]),
        helper.make_node("Reshape", ["ln", "rs"], ["r"]),
        helper.make_node("Transpose", ["r"], ["t"], perm=[1, 0, 2]),
        helper.make_node("Concat", ["t", "t"], ["cc"], axis=2),
        helper.make_node("Slice", ["cc", "st", "en", "ax"], ["sl"]),
        helper.make_node("ReduceMean", ["sl"], ["y"], axes=[2], keepdims=0),
        helper.make_node("Gather", ["sh", "gi"], ["gs"], axis=0),
        helper.make_node("ConstantOfShape", ["gs"], ["z"], value=helper.make_tensor("v", F, [1], [1.5])),
    ]
    inits = [weights("w", [8, 6]), weights("b", [6]), const("g", np.ones(6, np.float32)),
             weights("be", [6]), const("rs", np.array([2, 2, 6], np.int64)),
             const("st", np.array([1], np.int64)), const("en", np.array([9], np.int64)),
             const("ax", np.array([2], np.int64)), const("gi", np.array([0, 1], np.int64))]
    return model(nodes, [vi("x", [4, 8])], [vi("y", [2, 2]), vi("z", [4, 6])], inits)


def elementwise():
    nodes = [
        helper.make_node("Mul", ["x", "k"], ["m"]),
        helper.make_node("Sigmoid", ["m"], ["s"]),
        helper.make_node("Tanh", ["x"], ["t"]),
        helper.make_node("Where", ["c", "s", "t"], ["w"]),
        helper.make_node("Pad", ["w", "pads"], ["p"], mode="reflect"),
        helper.make_node("Expand", ["p", "es"], ["e"]),
        helper.make_node("Tile", ["e", "reps"], ["ti"]),
        helper.make_node("Split", ["ti"], ["s0", "s1"], axis=1),
        helper.make_node("Div", ["s0", "s1"], ["d"]),
        helper.make_node("Cast", ["d"], ["y"], to=TensorProto.FLOAT),
        helper.make_node("Range", ["r0", "r1", "r2"], ["rg"]),
    ]
    inits = [weights("k", [1, 4]), const("c", np.array([[True, False, True, False]])),
             const("pads", np.array([0, 1, 0, 1], np.int64)), const("es", np.array([2, 1], np.int64)),
             const("reps", np.array([1, 2], np.int64)), const("r0", np.float32(0)),
             const("r1", np.float32(3)), const("r2", np.float32(0.5))]
    return model(nodes, [vi("x", [1, 4])], [vi("y", [2, 6]), vi("rg", [6])], inits)


def resize_reduce():
    nodes = [
        helper.make_node("Resize", ["x", "", "sc"], ["r"], mode="linear"),
        helper.make_node("ReduceMax", ["r"], ["m"], axes=[3], keepdims=1),
        helper.make_node("Squeeze", ["m", "sq"], ["s"]),
        helper.make_node("Unsqueeze", ["s", "sq"], ["u"]),
        helper.make_node("LeakyRelu", ["u"], ["y"], alpha=0.1),
    ]
    inits = [const("sc", np.array([1, 1, 2, 2], np.float32)), const("sq", np.array([3], np.int64))]
    return model(nodes, [vi("x", [1, 1, 3, 3])], [vi("y", [1, 1, 6, 1])], inits)


def qdq_conv():
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0),
        helper.make_node("Conv", ["xd", "wd"], ["c"]),
        helper.make_node("QuantizeLinear", ["c", "ys", "yz"], ["cq"]),
        helper.make_node("QLinearConv", ["cq", "ys", "yz", "w2", "w2s", "w2z", "ys", "yz"], ["q2"]),
        helper.make_node("DequantizeLinear", ["q2", "ys", "yz"], ["y"]),
    ]
    inits = [const("xs", np.float32(0.02)), const("xz", np.uint8(128)),
             const("wq", RNG.integers(-20, 20, [3, 2, 1, 1]).astype(np.int8)),
             const("ws", np.array([0.01, 0.02, 0.03], np.float32)), const("wz", np.zeros(3, np.int8)),
             const("ys", np.float32(0.05)), const("yz", np.uint8(120)),
             const("w2", RNG.integers(0, 255, [3, 3, 1, 1]).astype(np.uint8)),
             const("w2s", np.float32(0.01)), const("w2z", np.uint8(128))]
    return model(nodes, [vi("x", [1, 2, 4, 4])], [vi("y", [1, 3, 4, 4])], inits)


def qlinear_matmul():
    I8 = TensorProto.INT8
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["mi"]),
        helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "os", "oz"], ["q"]),
        helper.make_node("DequantizeLinear", ["q", "os", "oz"], ["y"]),
    ]
    inits = [const("w", RNG.integers(0, 255, [4, 3]).astype(np.uint8)), const("wz", np.uint8(128)),
             const("b", RNG.integers(-50, 50, [4, 2]).astype(np.int8)), const("as", np.float32(0.1)),
             const("az", np.int8(0)), const("bs", np.float32(0.05)), const("bz", np.int8(0)),
             const("os", np.float32(0.2)), const("oz", np.int8(1))]
    return model(nodes, [vi("x", [2, 4]), vi("a", [3, 4], I8)],
                 [vi("mi", [2, 3], TensorProto.INT32), vi("y", [3, 2])], inits)


def opset9_reshape():
    nodes = [helper.make_node("Reshape", ["x", "s"], ["r"]), helper.make_node("Relu", ["r"], ["y"])]
    return model(nodes, [vi("x", [2, 3])], [vi("y", [3, 2])], [const("s", np.array([3, 2], np.int64))], opset=9)


def breaks(m):
    """(name, edit) pairs on a copy of the conv_pool model, each breaking one rule."""
    def huge_constant(m):
        m.graph.node.append(helper.make_node("ConstantOfShape", ["big"], ["huge"]))
        m.graph.initializer.append(const("big", np.array([1 << 31, 1 << 31], np.int64)))
        m.graph.output.append(vi("huge", [1 << 31, 1 << 31]))

    def big_input(m):
        m.graph.input[0].type.tensor_type.shape.dim[2].dim_value = 1 << 20

    def dynamic_input(m):
        m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"

    def short_weights(m):
        m.graph.initializer[0].raw_data = m.graph.initializer[0].raw_data[:7]

    def external_data(m):
        t = m.graph.initializer[0]
        t.ClearField("raw_data")
        t.data_location = TensorProto.EXTERNAL
        t.external_data.add(key="location", value="../../../etc/passwd")
        t.external_data.add(key="length", value=str(1 << 40))

    def bad_ref(m):
        m.graph.node[2].input[0] = "missing"

    def cycle(m):
        m.graph.node[0].input[0] = "f"

    def opset(m):
        m.opset_import[0].version = 99

    def negative_dim(m):
        m.graph.initializer[0].dims[0] = -4

    def resize_scale(m):
        m.graph.node.append(helper.make_node("Resize", ["z", "", "sc"], ["rz"]))
        m.graph.initializer.append(const("sc", np.array([1, 1e6], np.float32)))
        m.graph.output.append(vi("rz", [1, 3000000]))

    return [("huge_constant", huge_constant), ("big_input", big_input), ("dynamic_input", dynamic_input),
            ("short_weights", short_weights), ("external_data", external_data), ("bad_ref", bad_ref),
            ("cycle", cycle), ("opset", opset), ("negative_dim", negative_dim), ("resize_scale", resize_scale)]


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if not f.startswith("fuzz_"):  # fuzz_*: reproducers the fuzzer found, kept as regression seeds
            os.remove(os.path.join(OUT, f))
    valid = {"conv_pool": conv_pool, "depthwise_transpose": depthwise_transpose,
             "matmul_shapes": matmul_shapes, "elementwise": elementwise, "resize_reduce": resize_reduce,
             "qdq_conv": qdq_conv, "qlinear_matmul": qlinear_matmul, "opset9": opset9_reshape}
    for name, make in valid.items():
        with open(os.path.join(OUT, "valid_%s.onnx" % name), "wb") as f:
            f.write(make().SerializeToString())
    base = conv_pool()
    for name, edit in breaks(base):
        m = onnx.ModelProto()
        m.CopyFrom(base)
        edit(m)
        with open(os.path.join(OUT, "bad_%s.onnx" % name), "wb") as f:
            f.write(m.SerializeToString())
    data = base.SerializeToString()
    for name, blob in [("truncated", data[:len(data) // 2]), ("empty", b""), ("not_protobuf", b"\xff" * 40)]:
        with open(os.path.join(OUT, "bad_%s.onnx" % name), "wb") as f:
            f.write(blob)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("%d seeds, %d bytes in %s" % (len(os.listdir(OUT)), total, OUT))


if __name__ == "__main__":
    sys.exit(main())
