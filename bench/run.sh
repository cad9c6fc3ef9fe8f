#!/usr/bin/env bash
# Builds an optimised tree (build-bench) and runs every benchmark, printing numbers with
# the CPU, the OpenBLAS kernel and the thread count they ran with. Then, when OpenBLAS
# picked something else, the GEMM-bound figures again with OPENBLAS_CORETYPE=SkylakeX
# (see README: the OpenBLAS kernel trap).
#   bench/run.sh            all benchmarks
#   bench/run.sh dqn nn     only these (envs, nn, dqn, offpolicy, ppo, checkpoint, export, python, sweep)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release -Dtests=disabled >/dev/null
meson compile -C build-bench >/dev/null
export ATHLETE_PLUGIN_PATH=$PWD/build-bench/plugins OPENBLAS_NUM_THREADS=1
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(envs nn dqn offpolicy ppo checkpoint export python sweep)
# The Python package's bench runs under the interpreter it was built for.
bench_python() { PYTHONPATH=$PWD/build-bench/python /usr/bin/python3 bench/bench-python.py; }
for name in "${names[@]}"; do
  if [ "$name" = python ]; then
    if [ -d build-bench/python/athlete ]; then bench_python; else echo "no Python package in build-bench (needs python3-dev, python3-numpy)"; fi
    echo; continue
  fi
  if [ "$name" = sweep ]; then bench/sweep-bench.sh build-bench/tools/athlete; echo; continue; fi
  exe=build-bench/bench/bench-$name
  if [ ! -x "$exe" ]; then echo "no benchmark '$name'"; continue; fi
  "$exe"
  echo
done
core=$(build-bench/tools/athlete plugins | sed -n 's/^OpenBLAS kernel: \([A-Za-z0-9]*\).*/\1/p')
if grep -q avx512f /proc/cpuinfo && [ "$core" != "SkylakeX" ] && [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  echo "== the same GEMM-bound figures with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS chose $core)"
  for name in "${names[@]}"; do
    case $name in nn|dqn|offpolicy) [ -x build-bench/bench/bench-$name ] && OPENBLAS_CORETYPE=SkylakeX build-bench/bench/bench-$name && echo ;; esac
    if [ "$name" = python ] && [ -d build-bench/python/athlete ]; then OPENBLAS_CORETYPE=SkylakeX bench_python; echo; fi
  done
fi
