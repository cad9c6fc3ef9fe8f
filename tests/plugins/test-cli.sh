#!/usr/bin/env bash
# The athlete command line: every subcommand, its messages and its exit codes
# (0 success, 1 runtime failure, 2 usage error).
# usage: test-cli.sh PATH_TO_ATHLETE
set -uo pipefail
athlete=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() { # expect CODE PATTERN -- command...
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: '$*' exited $rc (expected $code), output:"; echo "$out" | head -20
    echo "      expected to match: $pattern"
    failures=$((failures+1))
  else
    echo "ok: $*"
  fi
}
expect 2 "usage: athlete <command>" -- "$athlete"
expect 0 "train ID ENV" -- "$athlete" --help
expect 2 "unknown command 'fly'" -- "$athlete" fly
expect 0 "^q_learning +1.0.0" -- "$athlete" list
expect 0 "\"epsilon_decay_steps\":	100" -- "$athlete" config q_learning
expect 1 "algorithm 'nope' not found in the registry" -- "$athlete" config nope
expect 0 "OpenBLAS kernel: [A-Za-z0-9]+, 1 thread" -- "$athlete" plugins
expect 0 "ok   .*athlete-q_learning.so" -- "$athlete" plugins
expect 0 "athlete: plugins: .*athlete-q_learning.so: OK: loaded plugin 'q_learning' 1.0.0: q_learning" -- env ATHLETE_DEBUG=plugins "$athlete" list
# The kernel trap is named when OpenBLAS runs a generic kernel on a better CPU.
if grep -q avx512f /proc/cpuinfo; then
  expect 0 "OpenBLAS kernel: Prescott, 1 thread\(s\) -- GENERIC: this CPU supports SkylakeX" -- env OPENBLAS_CORETYPE=Prescott "$athlete" plugins
fi
expect 0 "FrozenLake-v1 +obs Discrete\(16\)" -- "$athlete" envs
expect 0 "--steps N" -- "$athlete" train --help
expect 2 "train needs an algorithm id and an environment id" -- "$athlete" train
expect 2 "--steps expects a positive integer, got 'many'" -- "$athlete" train q_learning FrozenLake-v1 --steps many
expect 2 "--set expects KEY=VALUE, got 'discount'" -- "$athlete" train q_learning FrozenLake-v1 --set discount
expect 1 "unknown key 'discont'; did you mean 'discount'\?" -- "$athlete" train q_learning FrozenLake-v1 --set discont=0.5
expect 1 "unknown environment id 'FrozenPond-v1'|FrozenPond-v1" -- "$athlete" train q_learning FrozenPond-v1
expect 1 "q_learning needs a Discrete observation space, got Box" -- "$athlete" train q_learning CartPole-v1
expect 0 "evaluation: q_learning on FrozenLake-v1, 10 episodes: mean return 1.00" -- \
  "$athlete" train q_learning FrozenLake-v1 --env-option is_slippery=false --steps 20000 --quiet \
  --eval-episodes 10 --metrics "$tmp/metrics.jsonl" --save "$tmp/run.ckpt"
lines=$(wc -l < "$tmp/metrics.jsonl")
if [ "$lines" -lt 10 ] || ! head -1 "$tmp/metrics.jsonl" | grep -q '"episode": 1, "step": '; then
  echo "FAIL: metrics file has $lines lines: $(head -1 "$tmp/metrics.jsonl")"; failures=$((failures+1))
fi
expect 0 "evaluation: q_learning on FrozenLake-v1, 5 episodes: mean return 1.00" -- \
  "$athlete" eval "$tmp/run.ckpt" FrozenLake-v1 --env-option is_slippery=false --episodes 5
expect 0 "^0.1$" -- "$athlete" call "$tmp/run.ckpt" epsilon
expect 0 "epsilon +d\(\)" -- "$athlete" call "$tmp/run.ckpt"
expect 1 "q_learning has no method 'alpha'" -- "$athlete" call "$tmp/run.ckpt" alpha
expect 1 "method 'q_value' \(d\(ii\)\) takes 2 arguments, got 1" -- "$athlete" call "$tmp/run.ckpt" q_value "[1]"
expect 1 "cannot open checkpoint '$tmp/missing'" -- "$athlete" eval "$tmp/missing" FrozenLake-v1
expect 0 "evaluation: q_learning on FrozenLake-v1" -- \
  "$athlete" train q_learning FrozenLake-v1 --env-option is_slippery=false --resume "$tmp/run.ckpt" --steps 100 --quiet --eval-episodes 2
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
