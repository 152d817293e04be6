#!/usr/bin/env bash
# tools/check_layers.py on a made-up two-layer tree: an include that goes up
# a layer, an unknown include and an 801-line file (under src/ or tests/)
# fail; a clean tree passes, with an 800-line test file whose includes are
# not layered.
set -euo pipefail
check="$(cd "$(dirname "$0")/../.." && pwd)/tools/check_layers.py"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/src/low" "$t/src/high" "$t/include/qforge" "$t/examples" "$t/tests/unit"
cat > "$t/src/CMakeLists.txt" <<'CM'
qforge_layer(low DIRS low HEADERS api.h)
qforge_layer(high DIRS high DEPS low)
CM
echo '#include "low/a.h"' > "$t/src/high/b.cc"
echo '#pragma once' > "$t/src/low/a.h"
echo '#pragma once' > "$t/include/qforge/api.h"
echo '#include "qforge/api.h"' > "$t/examples/e.cc"
{ echo '#include "test_util.h"'; seq 799; } > "$t/tests/unit/t_test.cc"
python3 "$check" "$t" > /dev/null || { echo "FAIL: clean tree rejected"; exit 1; }
expect_fail() {  # expect_fail WHAT
  if python3 "$check" "$t" > "$t/out"; then echo "FAIL: not caught: $1"; exit 1; fi
  grep -q "$2" "$t/out" || { echo "FAIL: $1: unexpected message: $(cat "$t/out")"; exit 1; }
}
echo '#include "high/b.h"' > "$t/src/low/c.cc"; touch "$t/src/high/b.h"
expect_fail "include up a layer" "layer low includes \"high/b.h\" of layer high"
rm "$t/src/low/c.cc"
echo '#include "nowhere/x.h"' > "$t/src/low/d.cc"
expect_fail "unknown include" "is not a path under src/"
rm "$t/src/low/d.cc"
echo '#include "low/a.h"' > "$t/examples/f.cc"
expect_fail "example beyond the public API" "examples use the public API only"
rm "$t/examples/f.cc"
seq 801 > "$t/src/low/big.h"
expect_fail "oversized file" "src/low/big.h: 801 lines"
rm "$t/src/low/big.h"
seq 801 > "$t/tests/unit/big_test.cc"
expect_fail "oversized test file" "tests/unit/big_test.cc: 801 lines"
echo "check_layers_test: ok"
