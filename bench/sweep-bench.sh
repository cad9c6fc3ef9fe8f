#!/usr/bin/env bash
# athlete sweep's parallelism: the wall time of 16 small-DQN runs (CartPole-v1, 32-32, 40 000
# steps; 2 configurations x 8 seeds) on 1 and on 2 local workers (the speed-up), and under
# mpirun -np 2 (MPI's overhead per run against 2 local workers). Checks that the three give
# the same results, and prints the CPU, the OpenBLAS kernel and the threads per worker.
#   bench/sweep-bench.sh [ATHLETE]     (default: build-bench/tools/athlete, built by bench/run.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
athlete=$(realpath "${1:-$root/build-bench/tools/athlete}")
export ATHLETE_PLUGIN_PATH=${ATHLETE_PLUGIN_PATH:-$(dirname "$(dirname "$athlete")")/plugins}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cat > spec.json <<'SPEC'
{"name": "bench", "algorithm": "dqn", "environment": "CartPole-v1",
 "overrides": {"value_network_arguments.hidden_dims": [32, 32], "replay_buffer_mini_batch_size": 32,
               "warmup_steps": 500, "epsilon_decay_steps": 8000},
 "grid": {"optimizer_arguments.lr": [0.001, 0.0003]},
 "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "steps": 40000, "evaluation": {"episodes": 5, "every": 10000}}
SPEC
runs=16
wall() { # wall OUT_DIR COMMAND...: seconds of wall time
  local start end
  start=$(date +%s.%N)
  nice -n 10 "$@" --out "$1" --quiet > /dev/null
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.2f", $2 - $1}'
}
strip() { sed -E 's/,"wall_time":.*\}$/}/' "$1/bench/results.jsonl"; }
kernel=$("$athlete" plugins | sed -n 's/^OpenBLAS kernel: //p' | head -1)
echo "== athlete sweep: $runs runs of dqn on CartPole-v1 (32-32, 40 000 steps, 4 evaluations of 5 episodes)"
echo "CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OpenBLAS kernel: $kernel; 1 BLAS thread per worker (OPENBLAS_NUM_THREADS=1)"
t1=$(wall j1 "$athlete" sweep spec.json --jobs 1)
t2=$(wall j2 "$athlete" sweep spec.json --jobs 2)
cmp -s <(strip j1) <(strip j2) || { echo "the results of 1 and 2 workers differ"; exit 1; }
echo "1 worker:    $t1 s ($(awk -v t="$t1" -v n=$runs 'BEGIN {printf "%.3f", t / n}') s per run)"
echo "2 workers:   $t2 s; speed-up $(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", a / b}')x"
if command -v mpirun > /dev/null; then
  tm=$(wall mpi mpirun -np 2 --oversubscribe --allow-run-as-root "$athlete" sweep spec.json)
  if grep -q '"rank":1,' mpi/bench/results.jsonl 2> /dev/null; then
    cmp -s <(strip j2) <(strip mpi) || { echo "the results under MPI differ"; exit 1; }
    echo "mpirun -np 2: $tm s; overhead $(awk -v a="$tm" -v b="$t2" -v n=$runs 'BEGIN {printf "%.3f", (a - b) / n}') s per run against 2 local workers (mpirun's start included)"
  else
    echo "mpirun -np 2: this athlete has no MPI (rank 0 ran everything in $tm s)"
  fi
else
  echo "mpirun: not installed (apt-get install openmpi-bin libopenmpi-dev)"
fi
echo "per-run wall time (mean of results.jsonl): 1 worker $(awk -F'"wall_time":' '{split($2, a, ","); s += a[1]} END {printf "%.3f", s / NR}' j1/bench/results.jsonl) s, 2 workers $(awk -F'"wall_time":' '{split($2, a, ","); s += a[1]} END {printf "%.3f", s / NR}' j2/bench/results.jsonl) s"
