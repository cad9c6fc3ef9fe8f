#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite three ways:
#   1. release-like build (-O2, -Werror): every suite
#   2. ASan + UBSan build: every suite except the long learning runs' slowest parts
#   3. valgrind on a representative subset (plugin loading, an agent's life cycle,
#      checkpoints), zero errors and zero leaks
#   4. libFuzzer on the checkpoint reader: 120 000 byte inputs, 30 000 structured ones
#   5. ThreadSanitizer on the two-threads-two-agents test
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
export OPENBLAS_NUM_THREADS=1

echo "== format of the files listed in .clang-format-files"
tools/check-format.sh --listed

echo "== build (werror) and test"
meson setup build-ci -Dwerror=true -Dbuildtype=debugoptimized --wipe >/dev/null 2>&1 || meson setup build-ci -Dwerror=true -Dbuildtype=debugoptimized
meson compile -C build-ci
meson test -C build-ci --print-errorlogs --num-processes 2

echo "== ASan + UBSan"
meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false --wipe >/dev/null 2>&1 || \
  meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite learning --no-suite bench

echo "== valgrind subset"
meson test -C build-ci --print-errorlogs --setup valgrind --num-processes 2 --suite plugins --suite reliability
echo "== fuzzing the checkpoint reader (libFuzzer, ASan+UBSan, fixed executions from seed 1)"
tools/fuzz.sh
echo "== ThreadSanitizer (two threads, two agents)"
tools/tsan.sh
echo "all tests passed"
