#!/usr/bin/env bash
# athlete sweep's parallelism: the wall time of 16 small-DQN runs (CartPole-v1, 32-32, 40 000
# steps; 2 configurations x 8 seeds) on 1 and on 2 local workers (the speed-up), and under
# mpirun -np 2 (MPI's overhead per run against 2 local workers). Each is timed REPEAT times
# (default 2), interleaved, and the best wall time kept (the machine may be shared); then the
# sweep's own cost per run, from 32 tiny runs on 2 workers and under mpirun. Checks
# that all give the same results, and prints the CPU, the load, the OpenBLAS kernel and the
# threads per worker.
#   bench/sweep-bench.sh [ATHLETE]     (default: build-bench/tools/athlete, built by bench/run.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
athlete=$(realpath "${1:-$root/build-bench/tools/athlete}")
export ATHLETE_PLUGIN_PATH=${ATHLETE_PLUGIN_PATH:-$(dirname "$(dirname "$athlete")")/plugins}
repeat=${REPEAT:-2}
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
mpi=false
command -v mpirun > /dev/null && mpi=true
declare -A best cpu
timed() { # timed NAME COMMAND...: keeps the best wall time of NAME and its CPU time
  local name=$1 line real
  shift
  rm -rf "out-$name"
  line=$( { TIMEFORMAT='%R %U %S'; time nice -n 10 "$@" --out "out-$name" --quiet > /dev/null 2> "err-$name"; } 2>&1 )
  real=${line%% *}
  if [ -z "${best[$name]:-}" ] || awk -v a="$real" -v b="${best[$name]}" 'BEGIN {exit !(a < b)}'; then
    best[$name]=$real
    cpu[$name]=$(awk -v l="$line" 'BEGIN {split(l, t, " "); printf "%.2f", t[2] + t[3]}')
  fi
  cp "out-$name/bench/results.jsonl" "results-$name.jsonl"
}
strip() { sed -E 's/,"wall_time":.*\}$/}/' "results-$1.jsonl"; }
kernel=$("$athlete" plugins | sed -n 's/^OpenBLAS kernel: //p' | head -1)
echo "== athlete sweep: $runs runs of dqn on CartPole-v1 (32-32, 40 000 steps, 4 evaluations of 5 episodes), best of $repeat"
echo "CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OpenBLAS kernel: $kernel; 1 BLAS thread per worker (OPENBLAS_NUM_THREADS=1)"
for _ in $(seq "$repeat"); do
  timed j1 "$athlete" sweep spec.json --jobs 1
  timed j2 "$athlete" sweep spec.json --jobs 2
  if $mpi; then timed mpi mpirun -np 2 --oversubscribe --allow-run-as-root "$athlete" sweep spec.json; fi
done
cmp -s <(strip j1) <(strip j2) || { echo "the results of 1 and 2 workers differ"; exit 1; }
echo "1 worker:     ${best[j1]} s wall ($(awk -v t="${best[j1]}" -v n=$runs 'BEGIN {printf "%.3f", t / n}') s per run), ${cpu[j1]} s CPU"
echo "2 workers:    ${best[j2]} s wall, ${cpu[j2]} s CPU; speed-up $(awk -v a="${best[j1]}" -v b="${best[j2]}" 'BEGIN {printf "%.2f", a / b}')x"
if $mpi && grep -q '"rank":1,' results-mpi.jsonl; then
  cmp -s <(strip j2) <(strip mpi) || { echo "the results under MPI differ"; exit 1; }
  echo "mpirun -np 2: ${best[mpi]} s wall, ${cpu[mpi]} s CPU; overhead $(awk -v a="${best[mpi]}" -v b="${best[j2]}" -v n=$runs 'BEGIN {printf "%+.3f", (a - b) / n}') s per run against 2 local workers (mpirun's start-up included)"
elif $mpi; then
  echo "mpirun -np 2: this athlete has no MPI (rank 0 ran everything)"
else
  echo "mpirun: not installed (apt-get install openmpi-bin libopenmpi-dev)"
fi
# The sweep's own cost per run: 32 tiny runs (q_learning, 1 000 steps: a few ms of training),
# so the time is the worker's start, its run folder and the results line.
cat > tiny.json <<'SPEC'
{"name": "bench", "algorithm": "q_learning", "environment": "FrozenLake-v1",
 "grid": {"learning_rate": [0.1, 0.2, 0.3, 0.4]}, "seeds": [0, 1, 2, 3, 4, 5, 6, 7], "steps": 1000}
SPEC
for _ in $(seq "$repeat"); do
  timed t2 "$athlete" sweep tiny.json --jobs 2
  if $mpi; then timed tmpi mpirun -np 2 --oversubscribe --allow-run-as-root "$athlete" sweep tiny.json; fi
done
echo "32 tiny runs, 2 workers: ${best[t2]} s wall ($(awk -v t="${best[t2]}" 'BEGIN {printf "%.3f", t / 32}') s per run), ${cpu[t2]} s CPU"
if $mpi && grep -q '"rank":1,' results-tmpi.jsonl; then
  cmp -s <(strip t2) <(strip tmpi) || { echo "the tiny results under MPI differ"; exit 1; }
  echo "32 tiny runs, mpirun -np 2: ${best[tmpi]} s wall, ${cpu[tmpi]} s CPU; MPI's overhead $(awk -v a="${best[tmpi]}" -v b="${best[t2]}" 'BEGIN {printf "%+.3f", (a - b) / 32}') s per run (mpirun's start-up included)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
