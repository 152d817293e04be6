#!/usr/bin/python3
"""Cuts a .tflite model before one operator, so that the part before it can be checked.

    cut_tflite.py MODEL.tflite --before K -o OUT.tflite

Keeps operators 0 .. K-1 (TFLite files list operators in execution order);
the new graph outputs are the tensors those operators produce that a removed
operator (or the old graph output) reads. The file is edited in place, byte
for byte otherwise (a JSON round trip through flatc would round every float
to 6 decimals and break scales): the operators vector is shortened, the
outputs vector rewritten (it may not grow), signature defs emptied (they name
the old outputs). Exit 0 ok, 2 bad arguments or a cut that needs more outputs
than the model had, 1 failure.
"""
import argparse
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_json  # noqa: E402

# Field ids (positions) in TFLite's schema, as in src/io/tflite/tflite_schema.fbs.
MODEL_SUBGRAPHS, MODEL_SIGNATURE_DEFS = 2, 7
SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS = 2, 3


def u32(buf, pos):
    return struct.unpack_from("<I", buf, pos)[0]


def field(buf, table, index):
    """Position of field `index` of the table at `table`, or None when absent."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    vsize = struct.unpack_from("<H", buf, vtable)[0]
    if 4 + 2 * index >= vsize:
        return None
    off = struct.unpack_from("<H", buf, vtable + 4 + 2 * index)[0]
    return table + off if off else None


def vector(buf, table, index):
    """Position of the length word of vector field `index`, or None."""
    pos = field(buf, table, index)
    return None if pos is None else pos + u32(buf, pos)


def cut(buf, m, before):
    g = m["subgraphs"][0]
    ops = g.get("operators", [])
    if not 1 <= before < len(ops):
        raise ValueError(f"--before must be in [1, {len(ops) - 1}]")
    kept, removed = ops[:before], ops[before:]
    produced = [t for op in kept for t in op.get("outputs", [])]
    needed = set(g.get("outputs", []))
    for op in removed:
        needed.update(t for t in op.get("inputs", []) if t >= 0)
    outputs = list(dict.fromkeys(t for t in produced if t in needed))
    if not outputs:
        raise ValueError("the kept operators produce nothing the rest reads")
    root = u32(buf, 0)
    subgraphs = vector(buf, root, MODEL_SUBGRAPHS)
    sg = subgraphs + 4 + u32(buf, subgraphs + 4)
    out_vec = vector(buf, sg, SUBGRAPH_OUTPUTS)
    op_vec = vector(buf, sg, SUBGRAPH_OPERATORS)
    if out_vec is None or op_vec is None or u32(buf, op_vec) != len(ops):
        raise RuntimeError("the subgraph's operators/outputs are not where the schema puts them")
    if len(outputs) > u32(buf, out_vec):
        raise ValueError(f"the cut has {len(outputs)} outputs, more than the model's {u32(buf, out_vec)}")
    struct.pack_into("<I", buf, out_vec, len(outputs))
    for i, t in enumerate(outputs):
        struct.pack_into("<i", buf, out_vec + 4 + 4 * i, t)
    struct.pack_into("<I", buf, op_vec, before)
    sigs = vector(buf, root, MODEL_SIGNATURE_DEFS)
    if sigs is not None:
        struct.pack_into("<I", buf, sigs, 0)
    return buf


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--before", type=int, required=True)
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    try:
        with open(args.model, "rb") as f:
            buf = bytearray(f.read())
        buf = cut(buf, tflite_json.decode(args.model), args.before)
    except ValueError as e:
        print(f"cut_tflite.py: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # unreadable file, flatc failure, unexpected layout
        print(f"cut_tflite.py: cannot cut {args.model}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(buf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
