#!/usr/bin/env bash
# Fuzzes the checkpoint reader with libFuzzer (clang, ASan+UBSan) for a bounded time.
# usage: tools/fuzz.sh [SECONDS]   (default 60). Prints libFuzzer's statistics; fails on
# any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dtests=disabled -Dbench=disabled -Dexamples=disabled -Dpython=disabled >/dev/null
fi
meson compile -C build-fuzz >/dev/null
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# Seeds: real checkpoints and policy files of a q_learning agent.
export ATHLETE_PLUGIN_PATH=$PWD/build-fuzz/plugins
build-fuzz/tools/athlete train q_learning FrozenLake-v1 --steps 300 --quiet --eval-episodes 1 \
  --save "$corpus/seed-checkpoint" >/dev/null
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
log=$corpus.log
set +e
(cd "$corpus" && "$OLDPWD/build-fuzz/tests/fuzz/fuzz-checkpoint" . -max_total_time="$seconds" -seed=1 \
  -print_final_stats=1 -max_len=4096 -timeout=10 -artifact_prefix="$OLDPWD/build-fuzz/") >"$log" 2>&1
rc=$?
set -e
grep -E "^(stat::|INFO: seed)|^Done|ERROR|SUMMARY" "$log" || true
rm -f "$log"
if [ $rc -ne 0 ]; then
  echo "FAIL: the fuzzer found a crash (exit $rc); the input is in build-fuzz/crash-*"
  exit 1
fi
echo "fuzzing finished: 0 crashes"
