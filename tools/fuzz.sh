#!/usr/bin/env bash
# Fuzzes the checkpoint reader with libFuzzer (clang, ASan+UBSan):
#   fuzz-checkpoint             arbitrary bytes
#   fuzz-checkpoint-structured  well-formed edits of real checkpoints, CRCs and the end
#                               record recomputed; what loads is stepped and saved again
# usage: tools/fuzz.sh                       CI's check: a fixed number of executions from
#                                            seed 1 (120 000 bytes, 30 000 structured), so
#                                            every machine explores the same inputs and a
#                                            result does not depend on the machine's speed
#        tools/fuzz.sh --seconds S [--seed N] a campaign: each target for S seconds from seed N
#                                            (default 1); finds what the fixed check cannot
# Prints libFuzzer's statistics; fails on any crash, hang (an input over 25 s), leak or
# sanitizer report, and leaves the input in build-fuzz/<target>-crash-* (or -timeout-*).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="" seed=1
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument '$1' (usage: tools/fuzz.sh [--seconds S [--seed N]])" >&2; exit 2 ;;
  esac
done
if [ -n "$seconds" ]; then
  bytes_limit=(-max_total_time="$seconds") structured_limit=(-max_total_time="$seconds")
else # the cap only guards against a machine far slower than any seen
  bytes_limit=(-runs=120000 -max_total_time=600) structured_limit=(-runs=30000 -max_total_time=900)
fi
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
run() { # name corpus extra-args...
  local name=$1 corpus=$2
  shift 2
  local log=$work/$name.log rc=0 start=$SECONDS
  echo "-- $name ($*, seed $seed)"
  (cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/$name" "$corpus" "$work/seeds" -seed="$seed" \
    -print_final_stats=1 -timeout=25 -artifact_prefix="$OLDPWD/build-fuzz/$name-" "$@") >"$log" 2>&1 || rc=$?
  grep -E "^(stat::|INFO: seed)|^Done|ERROR|SUMMARY|^fuzz:" "$log" || true
  echo "   $((SECONDS - start)) s"
  if [ $rc -ne 0 ]; then
    echo "FAIL: $name found a crash (exit $rc); the input is in build-fuzz/$name-*"
    status=1
  fi
}
run fuzz-checkpoint "$work/bytes" "${bytes_limit[@]}" -max_len=16384
run fuzz-checkpoint-structured "$work/structured" "${structured_limit[@]}" -max_len=131072
[ $status -eq 0 ] || exit 1
echo "fuzzing finished: 0 crashes"
