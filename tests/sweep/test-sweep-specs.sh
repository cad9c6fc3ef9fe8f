#!/usr/bin/env bash
# athlete sweep refuses bad specs before anything runs, each with its exact message, and
# creates no sweep folder for them.
# usage: test-sweep-specs.sh PATH_TO_ATHLETE MPI_BUILT(true|false)
set -uo pipefail
source "$(dirname "$0")/../common/cli-expect.sh"
athlete=$(realpath "$1")
mpi_built=${2:-false}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
base='"name": "bad", "algorithm": "q_learning", "environment": "FrozenLake-v1", "steps": 1000'
refused() { # refused 'SPEC FIELDS' 'EXACT MESSAGE'
  echo "{$1}" > spec.json
  local out rc
  out=$("$athlete" sweep spec.json 2>&1); rc=$?
  if [ "$rc" != 1 ] || [ "$out" != "athlete: sweep spec 'spec.json': $2" ]; then
    echo "FAIL: {$1} exited $rc with:"; echo "$out"; echo "      expected: athlete: sweep spec 'spec.json': $2"
    failures=$((failures+1))
  else
    echo "ok: $2"
  fi
  [ ! -e sweeps ] || fail "a refused spec created sweeps/"
}
# Fields of the spec.
refused "$base, \"seed\": [1]" "unknown field 'seed'; did you mean 'seeds'?"
refused "$base, \"evaluation\": {\"episode\": 3}" "unknown field 'evaluation.episode'; did you mean 'evaluation.episodes'?"
refused '"algorithm": "q_learning"' "'name' is missing (the sweep's folder name)"
refused '"name": "x", "algorithm": "q_learning", "environment": "FrozenLake-v1"' "'steps' is missing (or give a 'preset')"
refused "$base, \"name\": \"../up\"" "'name' must be a folder name (letters, digits, '-', '_', '.'; not starting with '.'), got \"../up\""
# Types and ranges of the spec's own values.
refused "$base, \"steps\": -3" "'steps' expects a positive integer, got -3"
refused "$base, \"steps\": 10.5" "'steps' expects a positive integer, got 10.5"
refused "$base, \"seeds\": [1, \"2\"]" "'seeds[1]' expects a non-negative integer, got \"2\""
refused "$base, \"seeds\": []" "'seeds' expects a non-empty list of non-negative integers, got []"
refused "$base, \"seeds\": [1, 1]" "'seeds' lists 1 twice"
refused "$base, \"evaluation\": {\"every\": 300}" "'evaluation.every' (300) must divide 'steps' (1000): the last evaluation is the final score"
refused "$base, \"threshold\": \"high\"" "'threshold' expects a number, got \"high\""
# The grid and the random space.
refused "$base, \"grid\": {\"learning_rate\": []}" "'grid.learning_rate' is an empty list"
refused "$base, \"grid\": {\"learning_rate\": 0.1}" "'grid.learning_rate' expects a list of values, got 0.1"
refused "$base, \"grid\": {\"discount\": [0.9]}, \"random\": {\"discount\": {\"choice\": [0.9]}}, \"samples\": 1" "'discount' is varied twice"
refused "$base, \"random\": {\"learning_rate\": {\"uniform\": [0.5, 0.1]}}, \"samples\": 2" "'random.learning_rate.uniform' needs low < high, got [0.5,0.1]"
refused "$base, \"random\": {\"learning_rate\": {\"uniform\": [0.1, 0.1]}}, \"samples\": 2" "'random.learning_rate.uniform' needs low < high, got [0.1,0.1]"
refused "$base, \"random\": {\"learning_rate\": {\"log_uniform\": [0, 0.1]}}, \"samples\": 2" "'random.learning_rate.log_uniform' needs low > 0, got [0,0.1]"
refused "$base, \"random\": {\"learning_rate\": {\"log_uniform\": [0.1]}}, \"samples\": 2" "'random.learning_rate.log_uniform' expects [low, high] (two numbers), got [0.1]"
refused "$base, \"random\": {\"learning_rate\": {\"choice\": []}}, \"samples\": 2" "'random.learning_rate.choice' expects a non-empty list, got []"
refused "$base, \"random\": {\"learning_rate\": {\"unifrom\": [0.01, 0.1]}}, \"samples\": 2" "'random.learning_rate': unknown distribution 'unifrom'; did you mean 'uniform'? (uniform, log_uniform or choice)"
refused "$base, \"random\": {\"learning_rate\": {\"uniform\": [0.01, 0.1]}}" "'random' needs 'samples' (how many configurations to draw)"
refused "$base, \"samples\": 3" "'samples' is given without 'random'"
# Algorithm, environment and preset.
refused '"name": "x", "algorithm": "q_lerning", "environment": "FrozenLake-v1", "steps": 10' "algorithm 'q_lerning' not found in the registry; did you mean 'q_learning'? (see 'athlete list')"
refused '"name": "x", "algorithm": "q_learning", "environment": "FrozenLak-v1", "steps": 10' "environment: unknown environment id 'FrozenLak-v1'; did you mean 'FrozenLake-v1'? (see 'athlete envs')"
refused '"name": "x", "preset": "q_learning/FrozenLake-v1", "algorithm": "dqn"' "'preset' \"q_learning/FrozenLake-v1\" is not for dqn on FrozenLake-v1"
refused '"name": "x", "preset": "q_learning"' "'preset' expects \"ALGORITHM/ENVIRONMENT\" or true, got \"q_learning\""
# Every configuration through the plugin's own checks: keys, types, ranges.
refused "$base, \"grid\": {\"learning_rat\": [0.1]}" "configuration 0 of 1 {\"learning_rat\":0.1}: q_learning: q_learning config: unknown key 'learning_rat'; did you mean 'learning_rate'?"
refused "$base, \"grid\": {\"learning_rate\": [0.1, 2]}" "configuration 1 of 2 {\"learning_rate\":2}: q_learning: q_learning config: 'learning_rate' must be in (0, 1], got 2"
refused "$base, \"grid\": {\"warmup_steps\": [\"x\"]}" "configuration 0 of 1 {\"warmup_steps\":\"x\"}: q_learning: q_learning config: 'warmup_steps' expects an integer, got the string \"x\""
refused "$base, \"overrides\": {\"discount\": 2}" "configuration 0 of 1 {}: q_learning: q_learning config: 'discount' must be in [0, 1], got 2"
# Nested grid keys reach nested configuration keys (dqn's optimizer).
dqn='"name": "d", "algorithm": "dqn", "environment": "CartPole-v1", "steps": 100'
refused "$dqn, \"grid\": {\"optimizer_arguments\": {\"lr\": [0.001, -1]}}" "configuration 1 of 2 {\"optimizer_arguments.lr\":-1}: dqn: dqn config: 'optimizer_arguments.lr' must be > 0, got -1"
# A good spec with a preset, nested keys, a grid and random draws: the plan is listed.
echo '{"name": "ok", "preset": "q_learning/FrozenLake-v1", "seeds": [0, 1], "steps": 1000,
       "grid": {"end_epsilon": [0.05, 0.1]}, "random": {"learning_rate": {"log_uniform": [0.01, 0.1]},
       "discount": {"choice": [0.9, 0.99]}}, "samples": 2, "sampler_seed": 7}' > ok.json
expect 0 "sweep ok: q_learning on FrozenLake-v1, 4 configurations x 2 seeds = 8 runs of 1000 steps" -- "$athlete" sweep ok.json --dry-run
out=$("$athlete" sweep ok.json --dry-run)
[ "$(sed -n 2p <<<"$out" | sed -E 's/[0-9.]+,/N,/')" = "$(sed -n 4p <<<"$out" | sed -E 's/[0-9.]+,/N,/;s/^  2/  0/;s/0\.1/0.05/')" ] \
  || fail "grid point 1 does not reuse the random draws of grid point 0: $out"
[ "$("$athlete" sweep ok.json --dry-run)" = "$out" ] || fail "the random draws are not reproducible"
# Help and the man page's section.
expect 0 "^usage: athlete sweep SPEC.json" -- "$athlete" sweep --help
expect 0 "^\\.SS sweep$" -- "$athlete" --man
# Started by mpirun without MPI built in: rank 0 says how to get it and runs the sweep
# alone, the other ranks leave (the launcher's variables are set by hand here).
if [ "$mpi_built" = false ]; then
  expect 0 "^$" -- env OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=1 "$athlete" sweep ok.json --dry-run
  expect 0 "athlete: sweep: started by mpirun with 2 processes, but this athlete was built without MPI: rank 0 runs the whole sweep locally and the other ranks exit. For MPI: apt-get install libopenmpi-dev openmpi-bin, then meson setup --reconfigure BUILD -Dmpi=enabled and rebuild." -- \
    env PMI_SIZE=2 PMI_RANK=0 "$athlete" sweep ok.json --dry-run
fi
# Usage errors.
expect 2 "unknown option '--job'; did you mean '--jobs'\\?" -- "$athlete" sweep ok.json --job 2
expect 2 "--jobs expects a positive integer \\(at most 4096\\), got '0'" -- "$athlete" sweep ok.json --jobs 0
expect 2 "sweep needs a spec file \\(or --resume SWEEP_DIR\\)" -- "$athlete" sweep
expect 1 "^athlete: sweep: cannot resume 'nowhere/ok/spec.json': No such file or directory$" -- "$athlete" sweep ok.json --resume --out nowhere
[ "$failures" = 0 ]
