#!/usr/bin/env bash
# Runs the hostile file suite of issue 12 (tests/hostile/cases.txt) through the
# CLI: every case must end within seconds with its documented exit code (never
# a signal, never 70, never a timeout), one "qforge: " line on stderr for a
# failure, and no input file changed.
#
#   tests/hostile/run_hostile.sh QFORGE_BINARY [CASE_ID...]
#
# Memory: a release binary runs under `ulimit -v` (by default 6 GiB: the 4 GiB
# default budget plus room for code and threads; cases.txt may set less). ASan
# reserves terabytes of shadow address space, so a sanitizer build gets ASan's
# own limits instead: malloc_limit_mb (allocations past it fail, as under
# ulimit) and an RSS cap of at most 3 GiB.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
Q="$(realpath "${1:?usage: run_hostile.sh QFORGE_BINARY [CASE_ID...]}")"
shift
only=("$@")
export Q QFORGE_PROGRESS=0
readonly kTimeoutSec=20 kMemoryMiB=6144

if grep -qa __asan_init "$Q"; then
  asan=1
  asan_options="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
else
  asan=0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/qforge_hostile.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$root/tests/data/hostile/suite/." "$work/"
/usr/bin/python3 "$here/make_hostile.py" --big "$work" || { echo "FAIL: cannot generate the big cases" >&2; exit 1; }
cd "$work" || exit 1

# sha256 of every regular file a command names (folders: their files), but
# the words after an output flag: an output may change, an input (however
# named, e.g. through a hard link) may not.
input_hashes() {
  local word prev=""
  for word in $1; do
    case "$prev" in -o | --output | --save-calib-stats) prev="$word"; continue ;; esac
    prev="$word"
    if [[ -f "$word" ]]; then
      sha256sum "$word"
    elif [[ -d "$word" ]]; then
      find "$word" -type f -exec sha256sum {} + | sort
    fi
  done
}

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

wanted() {
  [[ ${#only[@]} -eq 0 ]] && return 0
  local o
  for o in "${only[@]}"; do [[ "$o" == "$1" ]] && return 0; done
  return 1
}

pass=0 fail=0
failed=()
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  # Fields are split on " | " only: "0|7" stays one field.
  IFS=$'\x1f' read -r id codes mem setup cmd check <<<"${line// | /$'\x1f'}"
  id="$(trim "$id")" codes="$(trim "$codes")" mem="$(trim "$mem")" setup="$(trim "$setup")"
  cmd="$(trim "$cmd")" check="$(trim "$check")"
  [[ "$mem" == "-" ]] && mem=$kMemoryMiB
  wanted "$id" || continue
  [[ "$setup" == "-" ]] || bash -c "$setup" || { echo "FAIL $id: setup failed"; fail=$((fail + 1)); continue; }
  before="$(input_hashes "$cmd")"
  err="$work/.stderr_$id"
  start=$EPOCHREALTIME
  if [[ $asan == 1 ]]; then
    ASAN_OPTIONS="$asan_options:malloc_limit_mb=$mem:hard_rss_limit_mb=$((mem < 3072 ? mem : 3072))" \
      timeout -k 5 "$kTimeoutSec" bash -c "$cmd" >/dev/null 2>"$err" </dev/null
  else
    timeout -k 5 "$kTimeoutSec" bash -c "ulimit -v $((mem << 10)); $cmd" >/dev/null 2>"$err" </dev/null
  fi
  rc=$?
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  problems=()
  if [[ $rc == 124 || $rc == 137 ]]; then
    problems+=("timeout after ${kTimeoutSec}s")
  elif ((rc >= 128)); then
    problems+=("signal $((rc - 128))")
  elif [[ $rc == 70 ]]; then
    problems+=("exit 70 (internal error)")
  fi
  [[ "|$codes|" == *"|$rc|"* ]] || problems+=("exit $rc, expected $codes")
  lines=$(wc -l <"$err")
  if [[ $rc != 0 ]]; then
    if [[ $lines != 1 ]] || ! head -n1 "$err" | grep -q '^qforge: '; then
      problems+=("stderr is $lines line(s), not one 'qforge: ' line")
    fi
  elif grep -q '^qforge: ' "$err"; then
    problems+=("exit 0 with an error line")
  fi
  after="$(input_hashes "$cmd")"
  [[ "$before" == "$after" ]] || problems+=("an input file changed")
  if [[ "$check" != "-" ]] && ! ERR="$err" bash -c "$check"; then problems+=("check failed: $check"); fi
  msg="$(head -c 300 "$err" | head -n1)"
  if [[ ${#problems[@]} == 0 ]]; then
    pass=$((pass + 1))
    echo "ok   $id: exit $rc in ${secs}s: $msg"
  else
    fail=$((fail + 1))
    failed+=("$id")
    echo "FAIL $id: $(IFS=';'; echo "${problems[*]}") (${secs}s): $msg"
  fi
done <"$here/cases.txt"

echo "hostile files: $pass passed, $fail failed${failed:+ (${failed[*]})}"
[[ $fail == 0 ]]
