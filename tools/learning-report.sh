#!/usr/bin/env bash
# The learning report: trains every preset (or the ones named) on N seeds with the CLI,
# several runs at once, and prints and writes one table row per preset: mean +/- std of the
# per-seed greedy evaluation means, the interquartile mean (IQM, the middle half of the
# seeds) with a 95 % percentile-bootstrap interval (2000 resamples, as rliable reports it),
# the worst seed, the pass rate against the preset's threshold, the env steps, the wall and
# CPU time per run (on a loaded machine wall time grows, CPU time does not), and the
# OpenBLAS kernel.
#
# usage: tools/learning-report.sh [--seeds N] [--jobs J] [--build DIR] [--out FILE]
#                                 [--auto-kernel] [ALGO/ENV ...]
#   --seeds N       seeds 0..N-1 (default 10)
#   --jobs J        trainings at once (default: the number of cores)
#   --build DIR     the build tree with tools/athlete and plugins/ (default: build)
#   --out FILE      the markdown table (default: learning-report.md); FILE.csv gets every run
#   --auto-kernel   run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS picks
#                   its kernel for the CPU) instead of the environment's
# Example: tools/learning-report.sh --seeds 10 q_learning/Taxi-v4 dqn/CartPole-v1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=10 jobs=$(nproc) build=$root/build out=learning-report.md auto_kernel=0
presets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --auto-kernel) auto_kernel=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "learning-report: unknown option '$1'" >&2; exit 2 ;;
    *) presets+=("$1"); shift ;;
  esac
done
athlete=$build/tools/athlete
[ -x "$athlete" ] || { echo "learning-report: no $athlete (build first: meson compile -C build)" >&2; exit 1; }
export ATHLETE_PLUGIN_PATH=${ATHLETE_PLUGIN_PATH:-$build/plugins}
export ATHLETE_PRESET_PATH=${ATHLETE_PRESET_PATH:-$root/presets}
run=("$athlete")
[ $auto_kernel = 1 ] && run=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$athlete")
kernel=$("${run[@]}" plugins | sed -n 's/^OpenBLAS kernel: \([^,]*\), \([0-9]*\) thread.*/\1, \2 thread(s)/p')
if [ ${#presets[@]} -eq 0 ]; then
  mapfile -t presets < <("$athlete" presets | awk 'NR > 1 {print $1 "/" $2}')
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One training, called as: one_run DIR COMMAND... ALGO/ENV SEED (xargs appends the last two);
# writes "algo env seed mean threshold wall_seconds cpu_seconds" to its own file in DIR.
one_run() {
  local dir=$1; shift
  local n=$#
  local preset=${*:n-1:1} seed=${*:n:1}
  local cmd=("${@:1:n-2}")
  local algo=${preset%%/*} env=${preset#*/}
  local start end out rc cpu
  start=$(date +%s.%N)
  cpu=$( { TIMEFORMAT='%U %S'; time { out=$(nice -n 10 "${cmd[@]}" train "$algo" "$env" --preset --seed "$seed" \
          --quiet 2>&1); rc=$?; echo "$out" > "$dir/.out_${algo}_${env}_$seed"; exit $rc; } ; } 2>&1 ) || {
    echo "learning-report: $algo $env seed $seed failed: $(cat "$dir/.out_${algo}_${env}_$seed")" >&2; return 0; }
  out=$(cat "$dir/.out_${algo}_${env}_$seed")
  end=$(date +%s.%N)
  local mean threshold
  mean=$(sed -n 's/^evaluation: .*mean return \([-0-9.naif]*\) .*/\1/p' <<<"$out")
  threshold=$(sed -n 's/^preset .*: threshold \([-0-9.e+]*\) .*/\1/p' <<<"$out")
  echo "$algo $env $seed $mean $threshold $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')" \
    "$(awk '{printf "%.2f", $1 + $2}' <<<"$cpu")" \
    > "$dir/${algo}_${env}_$seed"
}
export -f one_run
echo "learning report: ${#presets[@]} preset(s) x $seeds seed(s), $jobs at once, OpenBLAS $kernel" >&2
for p in "${presets[@]}"; do
  for ((s = 0; s < seeds; s++)); do printf '%s\n%s\n' "$p" "$s"; done
done | xargs -d '\n' -n 2 -P "$jobs" bash -c 'one_run "$@"' _ "$tmp" "${run[@]}"

{
  echo "| algorithm | environment | seeds | mean ± std | IQM [95 % CI] | worst | pass (≥ threshold) | env steps | wall/run | CPU/run | OpenBLAS |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$out"
: > "$out.csv"
echo "algorithm,environment,seed,mean_return,threshold,wall_seconds,cpu_seconds,kernel" >> "$out.csv"
for p in "${presets[@]}"; do
  algo=${p%%/*} env=${p#*/}
  files=$(ls "$tmp"/"${algo}_${env}_"* 2>/dev/null || true)
  [ -n "$files" ] || { echo "| $algo | $env | 0 | (every run failed) | | | | | | | $kernel |" >> "$out"; continue; }
  steps=$("$athlete" presets | awk -v a="$algo" -v e="$env" '$1 == a && $2 == e {print $3}')
  cat $files | sort -k3n | awk -v kernel="$kernel" '{print $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 ",\"" kernel "\""}' >> "$out.csv"
  cat $files | awk -v steps="$steps" -v kernel="$kernel" -v want="$seeds" '
    function iqm(v, n,    i, j, t, k, s, c) {   # trimmed mean: drop floor(n/4) at each end
      for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
      k = int(n / 4); s = 0; c = 0
      for (i = k + 1; i <= n - k; i++) { s += v[i]; c++ }
      return s / c
    }
    { algo = $1; env = $2; x[++n] = $4; thr = $5; wall += $6; cpu += $7; if ($4 >= $5) pass++ }
    END {
      srand(12345)
      for (i = 1; i <= n; i++) { sum += x[i]; if (i == 1 || x[i] < worst) worst = x[i]; c[i] = x[i] }
      mean = sum / n
      for (i = 1; i <= n; i++) ss += (x[i] - mean) ^ 2
      std = n > 1 ? sqrt(ss / (n - 1)) : 0
      point = iqm(c, n)
      B = 2000
      for (b = 1; b <= B; b++) {
        for (i = 1; i <= n; i++) r[i] = x[int(rand() * n) + 1]
        boot[b] = iqm(r, n)
      }
      for (i = 2; i <= B; i++) { t = boot[i]; for (j = i - 1; j >= 1 && boot[j] > t; j--) boot[j + 1] = boot[j]; boot[j + 1] = t }
      lo = boot[int(0.025 * B) + 1]; hi = boot[int(0.975 * B)]
      fmt = (thr > -1 && thr < 1) ? "%.3f" : (thr > -100 && thr < 100) ? "%.2f" : "%.1f"
      printf "| %s | %s | %d%s | " fmt " ± " fmt " | " fmt " [" fmt ", " fmt "] | " fmt " | %d/%d (≥ %g) | %s | %.1f s | %.1f s | %s |\n",
        algo, env, n, n < want ? " of " want : "", mean, std, point, lo, hi, worst, pass, n, thr, steps, wall / n, cpu / n, kernel
    }' >> "$out"
done
cat "$out"
echo "(written to $out and $out.csv)" >&2
