#!/usr/bin/env bash
# The README's first command: installs what is needed, builds Athlete, and trains a
# q_learning agent on slippery FrozenLake-v1 with live progress and a final evaluation.
# Extra arguments go to `athlete train` (e.g. tools/quickstart.sh --steps 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
if [ ! -d build ]; then
  meson setup build -Dbuildtype=release >/dev/null
fi
meson compile -C build >/dev/null
export ATHLETE_PLUGIN_PATH=$PWD/build/plugins
exec build/tools/athlete train q_learning FrozenLake-v1 --steps 1000000 --seed 0 \
  --set discount=0.99 --set learning_rate=0.02 --set epsilon_decay_steps=100000 \
  --eval-episodes 1000 "$@"
