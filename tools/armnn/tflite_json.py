"""Reads a .tflite file as JSON with `flatc` and qforge's schema (src/io/tflite/tflite_schema.fbs)."""
import json
import os
import re
import subprocess
import tempfile

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "io", "tflite",
                      "tflite_schema.fbs")


def decode(model):
    """The model as a dict (flatc --strict-json: enums as names, defaults omitted)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["flatc", "--json", "--strict-json", "--raw-binary", "-o", tmp, SCHEMA, "--", model],
                       check=True, capture_output=True)
        base = os.path.splitext(os.path.basename(model))[0]
        with open(os.path.join(tmp, base + ".json")) as f:
            return json.load(f)


def builtin_names():
    """{value: name} of the BuiltinOperator enum in the schema."""
    with open(SCHEMA) as f:
        text = f.read()
    body = re.search(r"enum BuiltinOperator\s*:\s*\w+\s*\{(.*?)\}", text, re.S).group(1)
    return {int(v): n for n, v in re.findall(r"(\w+)\s*=\s*(-?\d+)", body)}


def op_name(m, op):
    """Builtin name of an operator: the larger of builtin_code and deprecated_builtin_code, as TFLite
    reads them (flatc omits fields at their default, so ADD = 0 appears as a missing field)."""
    code = m["operator_codes"][op.get("opcode_index", 0)]
    names = builtin_names()
    value = {n: v for v, n in names.items()}.get(code.get("builtin_code"), 0)
    value = max(value, int(code.get("deprecated_builtin_code", 0)))
    return names.get(value, str(value))


def tensor(m, index, subgraph=0):
    return m["subgraphs"][subgraph]["tensors"][index]


def input_tensor(m, k=0, subgraph=0):
    g = m["subgraphs"][subgraph]
    return g["tensors"][g["inputs"][k]]


def output_step(m, k=0, subgraph=0):
    """(step, integer) of output k: integer outputs compare in their own units (step 1); a float
    output produced by DEQUANTIZE has the step of that DEQUANTIZE's input. None if neither."""
    g = m["subgraphs"][subgraph]
    out_index = g["outputs"][k]
    out = g["tensors"][out_index]
    if out.get("type", "FLOAT32") in ("INT8", "UINT8", "INT16"):
        return 1.0, True
    for op in g.get("operators", []):
        if out_index in op.get("outputs", []) and op_name(m, op) == "DEQUANTIZE":
            q = g["tensors"][op["inputs"][0]].get("quantization", {})
            if q.get("scale"):
                return float(q["scale"][0]), False
    return None, False
