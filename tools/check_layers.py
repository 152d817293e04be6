#!/usr/bin/env python3
"""Fails on an #include that goes up a layer, and on oversized source files.

The layers and what each may use are read from the qforge_layer(...) calls in
src/CMakeLists.txt, so the build's declared dependencies are what is checked:
a file may include headers of its own layer and of the layers below it
(the transitive closure of DEPS). src/cli is the top layer (uses everything);
examples/ may include only the public headers include/qforge/*.h.

Also checks file sizes (STYLE.md): no C++ file (.cc, .h, .def) over 800
lines, under src/, include/ and examples/ and also under tests/, bench/ and
tools/ (those are not layered: only their size is checked); and the median
of src/, include/ and examples/ under 150 (reported; over 150 fails). Tests,
benchmarks and tools stay out of the median: it describes the product's
code, and a test file's length follows the number of its cases.

Usage: tools/check_layers.py [checkout root]   (exit 0 ok, 1 violations)
"""
import os
import re
import statistics
import sys

MAX_LINES = 800
MEDIAN_LINES = 150
GENERATED = {"tflite_schema_generated.h": "io"}  # made by flatc at build time
CXX_FILE = re.compile(r"\.(cc|h|def)$")
SIZE_ONLY = ("tests", "bench", "tools")  # sizes checked, no layers, not in the median


def read_layers(root):
    text = open(os.path.join(root, "src/CMakeLists.txt")).read()
    layers = {}
    for m in re.finditer(r"^qforge_layer\(([^)]*)\)", text, re.M):
        words = m.group(1).split()
        name, key, fields = words[0], None, {"DIRS": [], "DEPS": [], "HEADERS": []}
        for w in words[1:]:
            if w in fields:
                key = w
            else:
                fields[key].append(w)
        layers[name] = fields
    for m in re.finditer(r"qforge_layer_of_executable: (\w+) DEPS (.*)", text):
        layers[m.group(1)] = {"DIRS": [m.group(1)], "DEPS": m.group(2).split(), "HEADERS": []}
    return layers


def closure(layers, name, seen=None):
    seen = set() if seen is None else seen
    if name in seen:
        return seen
    seen.add(name)
    for d in layers[name]["DEPS"]:
        if d not in layers:
            raise SystemExit("src/CMakeLists.txt: layer %s depends on unknown layer %s" % (name, d))
        closure(layers, d, seen)
    return seen


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    layers = read_layers(root)
    allowed = {n: closure(layers, n) for n in layers}
    dir_layer = {d: n for n, f in layers.items() for d in f["DIRS"]}
    header_layer = {h: n for n, f in layers.items() for h in f["HEADERS"]}

    def layer_of(rel):  # rel: path under src/
        best = None
        for d, n in dir_layer.items():
            if (rel == d or rel.startswith(d + "/")) and (best is None or len(d) > len(best[0])):
                best = (d, n)
        return best[1] if best else None

    errors, sizes, other_sizes = [], [], []

    def count_lines(path, rel, into):
        text = open(path, encoding="utf-8").read()
        into.append(text.count("\n"))
        if into[-1] > MAX_LINES:
            errors.append("%s: %d lines (at most %d: split it)" % (rel, into[-1], MAX_LINES))
        return text

    include_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    for base in ("src", "include", "examples"):
        for dirpath, _, files in os.walk(os.path.join(root, base)):
            for fn in sorted(files):
                if not CXX_FILE.search(fn):
                    continue
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, root)
                text = count_lines(path, rel, sizes)
                if base == "src":
                    me = layer_of(os.path.relpath(path, os.path.join(root, "src")))
                    if me is None:
                        errors.append("%s: in no layer of src/CMakeLists.txt" % rel)
                        continue
                elif base == "include":
                    me = header_layer.get(fn)
                    if me is None:
                        errors.append("%s: no layer lists it in HEADERS (src/CMakeLists.txt)" % rel)
                        continue
                for m in include_re.finditer(text):
                    inc = m.group(1)
                    line = text.count("\n", 0, m.start()) + 1
                    if inc.startswith("qforge/"):
                        target = header_layer.get(inc[len("qforge/"):])
                    elif base == "examples":
                        errors.append("%s:%d: examples use the public API only, not \"%s\"" % (rel, line, inc))
                        continue
                    elif inc in GENERATED:
                        target = GENERATED[inc]
                    elif os.path.exists(os.path.join(root, "src", inc)):
                        target = layer_of(inc)
                    else:
                        errors.append("%s:%d: \"%s\" is not a path under src/" % (rel, line, inc))
                        continue
                    if base == "examples":
                        continue
                    if target is None:
                        errors.append("%s:%d: \"%s\" belongs to no layer" % (rel, line, inc))
                    elif target not in allowed[me]:
                        errors.append("%s:%d: layer %s includes \"%s\" of layer %s, which is not below it"
                                      % (rel, line, me, inc, target))
    for base in SIZE_ONLY:
        for dirpath, _, files in os.walk(os.path.join(root, base)):
            for fn in sorted(files):
                if CXX_FILE.search(fn):
                    path = os.path.join(dirpath, fn)
                    count_lines(path, os.path.relpath(path, root), other_sizes)
    median = statistics.median(sizes) if sizes else 0
    if median > MEDIAN_LINES:
        errors.append("median source file is %d lines (at most %d)" % (median, MEDIAN_LINES))
    for e in errors:
        print(e)
    print("check_layers: %d layers, %d files (median %d lines, largest %d), %d in %s (largest %d): %s"
          % (len(layers), len(sizes), median, max(sizes or [0]), len(other_sizes), "/".join(SIZE_ONLY),
             max(other_sizes or [0]), "FAILED" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
