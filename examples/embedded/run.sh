#!/usr/bin/env bash
# Trains DQN on CartPole-v1 (the README's fast 64-64 setting), exports its greedy policy as
# C, builds the dependency-free controller in cartpole.c against it and runs 10 episodes.
#   examples/embedded/run.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, build/embedded)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=${2:-$build/embedded}
mkdir -p "$out"
export ATHLETE_PLUGIN_PATH=$build/plugins
"$build/tools/athlete" train dqn CartPole-v1 --steps 50000 --seed 0 --quiet \
  --set value_network_arguments.hidden_dims=[64,64] --set replay_buffer_mini_batch_size=64 \
  --set enable_double_q_learning=true --set epsilon_decay_steps=8000 --set end_epsilon=0.02 \
  --set optimizer_arguments.lr=1e-3 --eval-episodes 10 --run-dir "$out/run" --save "$out/cartpole.ckpt"
"$build/tools/athlete" export "$out/cartpole.ckpt" -o "$out/cartpole_policy.c"
${CC:-cc} -std=c99 -pedantic -Wall -Wextra -Werror -O2 -I"$out" \
  "$root/examples/embedded/cartpole.c" "$out/cartpole_policy.c" -lm -o "$out/cartpole"
echo "built $out/cartpole: $(size "$out/cartpole" | awk 'NR == 2 {print $1 + $2 " bytes of code and data"}'), linked with: $(ldd "$out/cartpole" | awk '{print $1}' | tr '\n' ' ')"
"$out/cartpole" 10
