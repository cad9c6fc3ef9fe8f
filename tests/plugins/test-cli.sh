#!/usr/bin/env bash
# The athlete command line: every subcommand, its messages and its exit codes
# (0 success, 1 runtime failure, 2 usage error).
# usage: test-cli.sh PATH_TO_ATHLETE
set -uo pipefail
source "$(dirname "$0")/../common/cli-expect.sh"
athlete=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" # run folders (runs/...) go here
expect 2 "usage: athlete <command>" -- "$athlete"
expect 0 "train +train an agent" -- "$athlete" --help
expect 2 "unknown command 'fly'" -- "$athlete" fly
expect 2 "unknown command 'trian'; did you mean 'train'\?" -- "$athlete" trian
expect 0 "^athlete [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI [0-9]+\.[0-9]+, OpenBLAS kernel [A-Za-z0-9]+\)$" -- "$athlete" --version
# Every subcommand has its own help (the same text as the man page's section).
for cmd in train eval plot info list config plugins envs call; do
  expect 0 "^usage: athlete $cmd" -- "$athlete" "$cmd" --help
  expect 0 "^usage: athlete $cmd" -- "$athlete" help "$cmd"
  expect 0 "^\.SS $cmd$" -- "$athlete" --man
done
expect 0 "^\.TH ATHLETE 1" -- "$athlete" --man
if command -v groff >/dev/null; then # the page renders without a warning
  warnings=$("$athlete" --man | groff -man -ww -z 2>&1)
  [ -z "$warnings" ] || { echo "FAIL: groff warns about the man page: $warnings"; failures=$((failures+1)); }
fi
expect 0 "--checkpoint-every N" -- "$athlete" train --help
expect 0 "^1000000 \+ e, during training" -- "$athlete" train --help
expect 0 "^q_learning +1.0.0" -- "$athlete" list
expect 0 "\"epsilon_decay_steps\":	100" -- "$athlete" config q_learning
expect 1 "algorithm 'nope' not found in the registry" -- "$athlete" config nope
expect 0 "^optimizer_arguments.lr \(number, default 0.00063, range \(0, 1e\+30\]\)$" -- "$athlete" config dqn --describe
expect 0 "^    Adam learning rate$" -- "$athlete" config dqn --describe
expect 0 "^criteria \(string, default \"mse\", one of \[\"mse\",\"huber\"\]\)$" -- "$athlete" config dqn --describe
expect 0 "^target_net_tau \(number or null, default null, range \(0, 1\]\)$" -- "$athlete" config dqn --describe
expect 0 "^max_parameters \(integer, default 50000000, range \[1, 1e\+10\]\)$" -- "$athlete" config sac --describe
expect 1 "algorithm 'nope' not found in the registry" -- "$athlete" config nope --describe
expect 2 "config takes one algorithm id" -- "$athlete" config dqn --verbose
expect 0 "OpenBLAS kernel: [A-Za-z0-9]+, 1 thread" -- "$athlete" plugins
expect 0 "ok   .*athlete-q_learning.so" -- "$athlete" plugins
expect 0 "athlete: plugins: .*athlete-q_learning.so: OK: loaded plugin 'q_learning' 1.0.0: q_learning" -- env ATHLETE_DEBUG=plugins "$athlete" list
# The kernel trap is named when OpenBLAS runs a generic kernel on a better CPU.
if grep -q avx512f /proc/cpuinfo; then
  expect 0 "OpenBLAS kernel: Prescott, 1 thread\(s\) -- GENERIC: this CPU supports SkylakeX" -- env OPENBLAS_CORETYPE=Prescott "$athlete" plugins
fi
expect 0 "FrozenLake-v1 +obs Discrete\(16\)" -- "$athlete" envs
expect 2 "train needs an algorithm id and an environment id" -- "$athlete" train
expect 2 "--steps expects a positive integer, got 'many'" -- "$athlete" train q_learning FrozenLake-v1 --steps many
expect 2 "unknown option '--step'; did you mean '--steps'\?" -- "$athlete" train q_learning FrozenLake-v1 --step 5
expect 2 "--set expects KEY=VALUE, got 'discount'" -- "$athlete" train q_learning FrozenLake-v1 --set discount
expect 1 "unknown key 'discont'; did you mean 'discount'\?" -- "$athlete" train q_learning FrozenLake-v1 --set discont=0.5
expect 1 "dqn config: unknown key 'learning_rate'; did you mean 'optimizer_arguments.lr'\?" -- "$athlete" train dqn CartPole-v1 --set learning_rate=1e-3
expect 1 "algorithm 'dqm' not found in the registry; did you mean 'dqn'\?" -- "$athlete" train dqm CartPole-v1
expect 1 "algorithm 'ppo2' not found in the registry; did you mean 'ppo'\?" -- "$athlete" config ppo2
expect 1 "unknown environment id 'cartpole'; did you mean 'CartPole-v1'\?" -- "$athlete" train dqn cartpole
expect 1 "unknown environment id 'FrozenPond-v1'; did you mean 'FrozenLake-v1'\?" -- "$athlete" train q_learning FrozenPond-v1
expect 1 "q_learning needs a Discrete observation space, got Box" -- "$athlete" train q_learning CartPole-v1
# --set builds a JSON object: a quote stays in the key, a non-JSON value is a string.
expect 1 "unknown key 'discount\", \"x'; did you mean 'discount'\?" -- "$athlete" train q_learning FrozenLake-v1 --set 'discount", "x=0.5'
expect 1 "q_learning config: 'discount' expects a number, got the string \"nan\"" -- "$athlete" train q_learning FrozenLake-v1 --set discount=nan
expect 2 "--set has a number out of the range of a double, got 'discount=1e999'" -- "$athlete" train q_learning FrozenLake-v1 --set discount=1e999
[ ! -e runs ] || { echo "FAIL: a failed train left a run folder: $(ls runs)"; failures=$((failures+1)); }
expect 0 "evaluation: q_learning on FrozenLake-v1, 10 episodes: mean return 1.00" -- \
  "$athlete" train q_learning FrozenLake-v1 --env-option is_slippery=false --steps 20000 --quiet \
  --eval-episodes 10 --metrics "$tmp/metrics.jsonl" --save "$tmp/run.ckpt"
lines=$(grep -c '"type": "episode"' "$tmp/metrics.jsonl")
if [ "$lines" -lt 10 ] || ! head -1 "$tmp/metrics.jsonl" | grep -q '^{"type": "episode", "episode": 1, "step": '; then
  echo "FAIL: metrics file has $lines episode lines: $(head -1 "$tmp/metrics.jsonl")"; failures=$((failures+1))
fi
cmp -s "$tmp/metrics.jsonl" runs/q_learning_FrozenLake-v1_1/metrics.jsonl \
  || { echo "FAIL: --metrics differs from the run folder's metrics.jsonl"; failures=$((failures+1)); }
expect 0 "algorithm: +q_learning \(plugin q_learning 1.0.0\)" -- "$athlete" info "$tmp/run.ckpt"
expect 0 "steps: +20000" -- "$athlete" info "$tmp/run.ckpt"
expect 0 "observation space: Discrete\(16\)" -- "$athlete" info runs/q_learning_FrozenLake-v1_1/final.ckpt
expect 0 "OpenBLAS kernel: +[A-Za-z0-9]+" -- "$athlete" info "$tmp/run.ckpt"
expect 0 "size: +[0-9]+ bytes \(header [0-9]+, records [0-9]+\)" -- "$athlete" info "$tmp/run.ckpt"
expect 1 "info: '$tmp/metrics.jsonl' is not an Athlete checkpoint" -- "$athlete" info "$tmp/metrics.jsonl"
expect 0 "evaluation: q_learning on FrozenLake-v1, 5 episodes: mean return 1.00" -- \
  "$athlete" eval "$tmp/run.ckpt" FrozenLake-v1 --env-option is_slippery=false --episodes 5
expect 0 "^0.1$" -- "$athlete" call "$tmp/run.ckpt" epsilon
expect 0 "epsilon +d\(\)" -- "$athlete" call "$tmp/run.ckpt"
expect 1 "q_learning has no method 'alpha'" -- "$athlete" call "$tmp/run.ckpt" alpha
expect 1 "method 'q_value' \(d\(ii\)\) takes 2 arguments, got 1" -- "$athlete" call "$tmp/run.ckpt" q_value "[1]"
expect 1 "cannot open checkpoint '$tmp/missing'" -- "$athlete" eval "$tmp/missing" FrozenLake-v1
expect 0 "evaluation: q_learning on FrozenLake-v1" -- \
  "$athlete" train q_learning FrozenLake-v1 --env-option is_slippery=false --resume "$tmp/run.ckpt" --steps 100 --quiet --eval-episodes 2
expect 0 "steps: +20100" -- "$athlete" info runs/q_learning_FrozenLake-v1_2/final.ckpt
# The progress line fits the terminal at any width and is redrawn in place (a carriage
# return per update, one newline at the end).
for width in 20 60 200; do
  script -qfec "stty cols $width -onlcr; '$athlete' train q_learning FrozenLake-v1 --steps 1500000 --eval-episodes 1 --run-dir pty$width" \
    /dev/null > "pty$width.txt" 2>&1
  redraws=$(tr -cd '\r' < "pty$width.txt" | wc -c)
  too_long=$(tr '\r' '\n' < "pty$width.txt" | sed 's/\x1b\[K//g' | grep -E '^(\[[#.]+\] )?[0-9]+/1500000' | awk -v w=$width 'length($0) >= w' | wc -l)
  ended=$(grep -c '/1500000' "pty$width.txt")
  if [ "$redraws" -lt 2 ] || [ "$too_long" != 0 ] || [ "$ended" != 1 ]; then
    fail_pty="width $width: $redraws redraws, $too_long lines too long, $ended progress lines ended"
    echo "FAIL: progress line: $fail_pty"; cat -v "pty$width.txt" | head -5; failures=$((failures+1))
  else
    echo "ok: progress line at width $width ($redraws redraws)"
  fi
done
# Presets: listed, printed, trained with; --set and --steps still win over a preset.
expect 0 "^q_learning +CliffWalking-v1 +50000 +1 +-13 " -- "$athlete" presets
expect 0 "\"threshold\": 7.5" -- "$athlete" presets q_learning Taxi-v4
expect 1 "no preset for dqn on Nope-v0 \(searched " -- "$athlete" presets dqn Nope-v0
expect 2 "presets takes no arguments or an algorithm id and an environment id" -- "$athlete" presets dqn
expect 0 "preset q_learning on CliffWalking-v1: threshold -13 reached \(mean return -13.00\)" -- \
  "$athlete" train q_learning CliffWalking-v1 --preset --quiet
expect 0 "FrozenLake-v1, 3 episodes" -- "$athlete" train q_learning FrozenLake-v1 --preset --steps 2000 \
  --eval-episodes 3 --quiet --save "$tmp/preset.ckpt"
expect 0 "^0.98" -- "$athlete" call "$tmp/preset.ckpt" epsilon
expect 0 "FrozenLake-v1, 3 episodes" -- "$athlete" train q_learning FrozenLake-v1 --preset --steps 2000 \
  --eval-episodes 3 --quiet --set epsilon_decay_steps=100 --save "$tmp/preset.ckpt"
expect 0 "^0.1$" -- "$athlete" call "$tmp/preset.ckpt" epsilon
expect 2 "--preset cannot change a resumed agent's configuration" -- \
  "$athlete" train q_learning FrozenLake-v1 --preset --resume "$tmp/preset.ckpt"
mkdir -p "$tmp/presets/q_learning"
echo '{"algorithm": "q_learning", "environment": "Taxi-v4", "steps": 10, "evaluation_episodes": 1, "threshold": 0, "source": "x"}' \
  > "$tmp/presets/q_learning/FrozenLake-v1.json"
expect 1 "preset '.*/q_learning/FrozenLake-v1.json': it describes q_learning on Taxi-v4 but is not named q_learning/Taxi-v4.json" -- \
  env ATHLETE_PRESET_PATH="$tmp/presets" "$athlete" train q_learning FrozenLake-v1 --preset
echo '{"algorithm": "q_learning", "environment": "FrozenLake-v1", "step": 10}' > "$tmp/presets/q_learning/FrozenLake-v1.json"
expect 1 "preset '.*/q_learning/FrozenLake-v1.json': unknown key 'step'" -- \
  env ATHLETE_PRESET_PATH="$tmp/presets" "$athlete" presets
[ $failures -eq 0 ] || { echo "$failures CLI check(s) failed"; exit 1; }
echo "all CLI checks passed"
