#!/usr/bin/env python3
"""Writes the small If models of tests/unit/control_flow_test.cc.

if_data.onnx: If on a data-dependent condition (sum(x) >= 0). Its
then_branch reads the enclosing graph's x and an initializer W, and holds a
nested If on the shape (Size(x) == 6); else_branch reads x and B. The form
is hey_jarvis_v0.1.onnx's (openWakeWord: GreaterOrEqual -> If, the whole
second head in then_branch) and silero_vad.onnx's (Ifs nested in branches).

if_weights.onnx: an If whose branches hold MatMul weights of the outer
scope, for quantization through control flow (see if_weights()).

if_shape.onnx: If on Shape(x)[1] == 4 with a static x: the condition folds
at load and the If is inlined (Silero's shape-dependent Ifs).

Run with /usr/bin/python3 (onnx, numpy) from this folder.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def f32(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def if_data():
    w = numpy_helper.from_array(np.array([[1, -2, 3], [-4, 5, -6]], np.float32), "W")
    b = numpy_helper.from_array(np.array([0.5, -1.5, 2.5], np.float32), "B")
    zero = numpy_helper.from_array(np.array(0, np.float32), "zero")
    six = numpy_helper.from_array(np.array(6, np.int64), "six")
    inner_then = helper.make_graph([helper.make_node("Relu", ["t1"], ["r"], name="relu")], "inner_then", [],
                                   [f32("r", [2, 3])])
    inner_else = helper.make_graph([helper.make_node("Neg", ["t1"], ["n"], name="neg")], "inner_else", [],
                                   [f32("n", [2, 3])])
    then_branch = helper.make_graph([
        helper.make_node("Mul", ["x", "W"], ["t1"], name="mul"),
        helper.make_node("Size", ["x"], ["size"], name="size"),
        helper.make_node("Equal", ["size", "six"], ["is6"], name="is6"),
        helper.make_node("If", ["is6"], ["t2"], name="inner_if", then_branch=inner_then, else_branch=inner_else),
    ], "then", [], [f32("t2", [2, 3])], initializer=[six])
    else_branch = helper.make_graph([helper.make_node("Sub", ["x", "B"], ["e"], name="sub")], "else", [],
                                    [f32("e", [2, 3])])
    nodes = [
        helper.make_node("ReduceSum", ["x"], ["s"], name="sum", keepdims=0),
        helper.make_node("GreaterOrEqual", ["s", "zero"], ["c"], name="ge"),
        helper.make_node("If", ["c"], ["y"], name="if", then_branch=then_branch, else_branch=else_branch),
        helper.make_node("Not", ["c"], ["not_c"], name="not"),
    ]
    g = helper.make_graph(nodes, "if_data", [f32("x", [2, 3])],
                          [f32("y", [2, 3]), helper.make_tensor_value_info("not_c", TensorProto.BOOL, [])],
                          initializer=[w, b, zero])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def if_shape():
    four = numpy_helper.from_array(np.array(4, np.int64), "four")
    one = numpy_helper.from_array(np.array(1, np.int64), "one")
    two = numpy_helper.from_array(np.array(2, np.float32), "two")
    then_branch = helper.make_graph([helper.make_node("Mul", ["x", "two"], ["m"], name="double")], "then", [],
                                    [f32("m", [1, 4])])
    else_branch = helper.make_graph([helper.make_node("Identity", ["x"], ["i"], name="keep")], "else", [],
                                    [f32("i", [1, 4])])
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "one"], ["d1"], name="dim1"),
        helper.make_node("Equal", ["d1", "four"], ["c"], name="is4"),
        helper.make_node("If", ["c"], ["y"], name="if", then_branch=then_branch, else_branch=else_branch),
    ]
    g = helper.make_graph(nodes, "if_shape", [f32("x", [1, 4])], [f32("y", [1, 4])], initializer=[four, one, two])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def if_weights():
    """x [N, 8] -> MatMul W0 -> h; If sum(h) >= 0: Relu(h W1) W2, else h W3.

    Both branches hold weights read from the outer scope (as hey_jarvis's
    then_branch reads its Gemm weights), for quantization through an If.
    W0 is the identity plus small terms, so the sign of sum(x) picks the
    branch."""
    rng = np.random.RandomState(7)
    w0 = np.eye(8, dtype=np.float32) + 0.05 * rng.randn(8, 8).astype(np.float32)
    w1 = (0.5 * rng.randn(8, 16)).astype(np.float32)
    w2 = (0.5 * rng.randn(16, 4)).astype(np.float32)
    w3 = (0.5 * rng.randn(8, 4)).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in [(w0, "W0"), (w1, "W1"), (w2, "W2"), (w3, "W3")]]
    inits.append(numpy_helper.from_array(np.array(0, np.float32), "zero"))
    then_branch = helper.make_graph([
        helper.make_node("MatMul", ["h", "W1"], ["t1"], name="then_fc1"),
        helper.make_node("Relu", ["t1"], ["t2"], name="then_relu"),
        helper.make_node("MatMul", ["t2", "W2"], ["t3"], name="then_fc2"),
    ], "then", [], [f32("t3", ["N", 4])])
    else_branch = helper.make_graph([helper.make_node("MatMul", ["h", "W3"], ["e1"], name="else_fc")], "else", [],
                                    [f32("e1", ["N", 4])])
    nodes = [
        helper.make_node("MatMul", ["x", "W0"], ["h"], name="fc0"),
        helper.make_node("ReduceSum", ["h"], ["s"], name="sum", keepdims=0),
        helper.make_node("GreaterOrEqual", ["s", "zero"], ["c"], name="ge"),
        helper.make_node("If", ["c"], ["y"], name="if", then_branch=then_branch, else_branch=else_branch),
    ]
    g = helper.make_graph(nodes, "if_weights", [f32("x", ["N", 8])], [f32("y", ["N", 4])], initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


for name, model in [("if_data.onnx", if_data()), ("if_shape.onnx", if_shape()), ("if_weights.onnx", if_weights())]:
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, name)
