#!/usr/bin/env bash
# The README's first command: installs what is needed, builds Athlete, and trains a
# q_learning agent on slippery FrozenLake-v1 in a run folder (runs/...) with live progress
# and a final evaluation, then prints the next commands to try.
# Extra arguments go to `athlete train` (e.g. tools/quickstart.sh --steps 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n== %s\n' "$*"; }
say "installing Debian packages (tools/install-deps.sh: compiler, meson, OpenBLAS, cJSON, libffi, gnuplot, ...)"
tools/install-deps.sh
if [ ! -d build ]; then
  say "configuring a release build in ./build (meson setup build -Dbuildtype=release)"
  meson setup build -Dbuildtype=release >/dev/null
fi
say "building (meson compile -C build)"
meson compile -C build >/dev/null
export ATHLETE_PLUGIN_PATH=$PWD/build/plugins
athlete=build/tools/athlete
run_dir=runs/quickstart_$(date +%Y%m%d-%H%M%S)
say "training q_learning on slippery FrozenLake-v1 for 1 000 000 steps, evaluating every 100 000 steps"
echo "   (the optimum's success rate is about 0.74; the run folder is $run_dir)"
"$athlete" train q_learning FrozenLake-v1 --steps 1000000 --seed 0 \
  --set discount=0.99 --set learning_rate=0.02 --set epsilon_decay_steps=100000 \
  --eval-every 100000 --eval-episodes 1000 --log-every 10000 --run-dir "$run_dir" "$@"
cat <<NEXT

== next commands to try
export ATHLETE_PLUGIN_PATH=$PWD/build/plugins
# what the checkpoint holds; the best policy scored again (same seeds, same score)
$athlete info $run_dir/final.ckpt
$athlete eval $run_dir --episodes 1000
# the learning curve, drawn by gnuplot
$athlete plot $run_dir -o curve.png --losses
# a neural network, in runs/dqn_CartPole-v1_N; then train this run on from where it stopped
$athlete train dqn CartPole-v1 --steps 50000 --eval-every 5000
$athlete train --resume $run_dir --steps 500000
# every command and option (also: man build/tools/athlete.1)
$athlete --help
NEXT
