#!/usr/bin/env bash
# Fuzzes the checkpoint reader with libFuzzer (clang, ASan+UBSan) for a bounded time:
#   fuzz-checkpoint             arbitrary bytes (SECONDS, default 60)
#   fuzz-checkpoint-structured  well-formed edits of real checkpoints, CRCs and the end
#                               record recomputed; what loads is stepped and saved again
#                               (STRUCTURED_SECONDS, default 75)
# usage: tools/fuzz.sh [SECONDS [STRUCTURED_SECONDS]]. Prints libFuzzer's statistics; fails on
# any crash, hang, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
structured_seconds=${2:-75}
if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dtests=disabled -Dbench=disabled -Dexamples=disabled -Dpython=disabled >/dev/null
fi
meson compile -C build-fuzz >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Seeds: a checkpoint of every algorithm with and without environment state, and a
# policy-only file of each (make-fuzz-seeds), plus a CLI-trained q_learning checkpoint.
export ATHLETE_PLUGIN_PATH=$PWD/build-fuzz/plugins
mkdir "$work/seeds" "$work/bytes" "$work/structured"
build-fuzz/tests/fuzz/make-fuzz-seeds "$work/seeds"
(cd "$work" && "$OLDPWD/build-fuzz/tools/athlete" train q_learning FrozenLake-v1 --steps 300 --quiet \
  --eval-episodes 1 --save "$work/seeds/cli-q_learning" >/dev/null) # its run folder goes to $work
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
status=0
run() { # name corpus seconds extra-args...
  local name=$1 corpus=$2 time=$3
  shift 3
  local log=$work/$name.log rc=0
  echo "-- $name (${time} s)"
  (cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/$name" "$corpus" "$work/seeds" -max_total_time="$time" -seed=1 \
    -print_final_stats=1 -timeout=10 -artifact_prefix="$OLDPWD/build-fuzz/$name-" "$@") >"$log" 2>&1 || rc=$?
  grep -E "^(stat::|INFO: seed)|^Done|ERROR|SUMMARY" "$log" || true
  if [ $rc -ne 0 ]; then
    echo "FAIL: $name found a crash (exit $rc); the input is in build-fuzz/$name-*"
    status=1
  fi
}
run fuzz-checkpoint "$work/bytes" "$seconds" -max_len=16384
run fuzz-checkpoint-structured "$work/structured" "$structured_seconds" -max_len=131072
[ $status -eq 0 ] || exit 1
echo "fuzzing finished: 0 crashes"
