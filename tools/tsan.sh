#!/usr/bin/env bash
# Runs the two-threads-two-agents test under ThreadSanitizer (clang): a shared registry,
# concurrent checkpoint saves and loads, plugin references released in any thread.
# Fails on any data race report. Builds only what the test needs (build-tsan).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d build-tsan ]; then
  CC=clang meson setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dbench=disabled -Dexamples=disabled >/dev/null
fi
ninja -C build-tsan tests/reliability/test-threads plugins/athlete-dqn.so >/dev/null
export ATHLETE_PLUGIN_PATH=$PWD/build-tsan/plugins
# halt_on_error: the first race fails the run; CK_FORK=no keeps reports in this process.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" CK_FORK=no build-tsan/tests/reliability/test-threads
echo "ThreadSanitizer: no data race in the two-threads-two-agents test"
