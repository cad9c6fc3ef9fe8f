#!/usr/bin/env bash
# The SDK as a third party sees it: install the project into a temporary prefix, build
# examples/plugin-template out of tree against the installed pkg-config files, put it on
# ATHLETE_PLUGIN_PATH, then create and step an agent of it from a host program compiled
# against the installed athlete.pc and from the installed CLI.
# usage: test-install.sh SOURCE_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

meson setup "$tmp/build" "$src" --prefix="$prefix" -Dtests=disabled -Dbench=disabled -Dexamples=disabled >/dev/null
meson compile -C "$tmp/build" >/dev/null
meson install -C "$tmp/build" >/dev/null

libdir=$(dirname "$(find "$prefix" -name 'libathlete.so.1' | head -n 1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
export LD_LIBRARY_PATH=$libdir
plugindir=$(pkg-config --variable=plugindir athlete-sdk)
[ -f "$plugindir/athlete-q_learning.so" ] || { echo "FAIL: q_learning not installed in $plugindir"; exit 1; }
# Every library's public headers are installed, and nothing else.
for dir in sdk core envs; do
  for h in "$src/$dir/include/athlete/"*.h; do
    [ -f "$prefix/include/athlete/$(basename "$h")" ] || { echo "FAIL: header $dir/$(basename "$h") not installed"; exit 1; }
  done
done
[ ! -e "$prefix/include/athlete/runner.h" ] || { echo "FAIL: the CLI's private runner.h is installed"; exit 1; }
for pc in athlete-sdk athlete athlete-envs; do
  pkg-config --exists "$pc" || { echo "FAIL: $pc.pc not installed"; exit 1; }
done

# The README's host example, built against the installed prefix only.
cc -std=c17 -Wall -Wextra -Werror "$src/examples/host/train.c" -o "$tmp/host-example" \
   $(pkg-config --cflags --libs athlete athlete-envs)
ATHLETE_PLUGIN_PATH= "$tmp/host-example" q_learning FrozenLake-v1 2000 | tail -n 2

# A program using the environments alone links libathlete-envs and not the core.
cat > "$tmp/envs-only.c" <<'C'
#include <athlete/env.h>
#include <stdio.h>
int main(void)
{
    athlete_error err;
    athlete_env *env;
    if (athlete_env_create("CartPole-v1", NULL, &env, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
    float obs[4], action = 1;
    uint64_t seed = 0;
    double reward, total = 0;
    bool terminated = false, truncated = false;
    if (athlete_env_reset(env, &seed, obs, &err)) return 1;
    while (!terminated && !truncated) {
        if (athlete_env_step(env, &action, 1, obs, &reward, &terminated, &truncated, &err)) return 1;
        total += reward;
    }
    printf("envs alone: CartPole return %.0f\n", total);
    athlete_env_destroy(env);
    return 0;
}
C
cc -std=c17 -Wall -Wextra -Werror "$tmp/envs-only.c" -o "$tmp/envs-only" $(pkg-config --cflags --libs athlete-envs)
"$tmp/envs-only" | grep -q '^envs alone: CartPole return [0-9]' || { echo "FAIL: envs-only program"; exit 1; }
if ldd "$tmp/envs-only" | grep -q 'libathlete\.so'; then echo "FAIL: libathlete-envs pulls in libathlete"; exit 1; fi

# The third-party plugin, out of tree.
meson setup "$tmp/template" "$src/examples/plugin-template" >/dev/null
meson compile -C "$tmp/template" >/dev/null
export ATHLETE_PLUGIN_PATH=$tmp/template

# From the installed CLI: the installed plugins and the template are both found.
list=$("$prefix/bin/athlete" list)
echo "$list"
grep -q '^expected_sarsa' <<<"$list" || { echo "FAIL: the CLI does not list expected_sarsa"; exit 1; }
grep -q '^q_learning' <<<"$list" || { echo "FAIL: the CLI does not list the installed q_learning"; exit 1; }
out=$("$prefix/bin/athlete" train expected_sarsa FrozenLake-v1 --steps 20000 --seed 3 --quiet \
      --env-option is_slippery=false --eval-episodes 5)
echo "$out"
grep -q 'evaluation: expected_sarsa on FrozenLake-v1, 5 episodes: mean return 1.00' <<<"$out" || {
  echo "FAIL: expected_sarsa did not solve deterministic FrozenLake from the CLI"; exit 1; }

# The installed presets are found by the installed CLI with no path set, in the prefix and,
# moved elsewhere with their bin/, next to the program.
[ -f "$prefix/share/athlete/presets/q_learning/Taxi-v4.json" ] || { echo "FAIL: presets not installed"; exit 1; }
out=$(ATHLETE_PRESET_PATH= "$prefix/bin/athlete" train q_learning CliffWalking-v1 --preset --quiet)
grep -q 'preset q_learning on CliffWalking-v1: threshold -13 reached' <<<"$out" || {
  echo "FAIL: the installed CLI does not train with its preset: $out"; exit 1; }
mkdir -p "$tmp/moved"
cp -r "$prefix/bin" "$prefix/share" "$tmp/moved/"
rm -rf "$prefix/share/athlete/presets"
out=$(ATHLETE_PRESET_PATH= "$tmp/moved/bin/athlete" presets)
grep -qE '^q_learning +Taxi-v4 ' <<<"$out" || {
  echo "FAIL: a moved install does not find its presets next to the program: $out"; exit 1; }

# From a host program built against the installed athlete.pc.
cat > "$tmp/host.c" <<'C'
#include <athlete/athlete.h>
#include <stdio.h>
int main(void)
{
    athlete_error err;
    athlete_registry *reg;
    if (athlete_registry_create(NULL, &reg, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
    athlete_space obs = athlete_space_discrete(4), act = athlete_space_discrete(2);
    athlete_agent *agent;
    uint64_t seed = 1;
    if (athlete_agent_create(reg, "expected_sarsa", &obs, &act, &seed, "{\"learning_rate\": 0.5}", &agent, &err)) {
        fprintf(stderr, "%s\n", err.message); return 1;
    }
    float o = 0;
    const float *a;
    if (athlete_agent_reset_step(agent, &o, &a, NULL, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
    for (int i = 0; i < 100; i++) {
        o = (float)((i + 1) % 4);
        if (athlete_agent_step(agent, &o, 1.0, o == 3, false, &a, NULL, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
        if (o == 3 && athlete_agent_reset_step(agent, &(float){0}, &a, NULL, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
    }
    printf("host stepped expected_sarsa for %llu interactions\n",
           (unsigned long long)athlete_agent_clock(agent)->interactions);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    return 0;
}
C
cc -std=c17 -Wall -Werror "$tmp/host.c" -o "$tmp/host" $(pkg-config --cflags --libs athlete)
"$tmp/host" | tee "$tmp/host.out"
grep -q 'host stepped expected_sarsa for 100 interactions' "$tmp/host.out"

# The Python package (when this machine can build it), as the README installs it: found
# through PYTHONPATH, its libraries through the extension's run path, the installed
# plugins by itself and the template through ATHLETE_PLUGIN_PATH.
init=$(find "$prefix" -path '*/athlete/__init__.py' | head -n 1)
if [ -z "$init" ] && /usr/bin/python3 -c 'import numpy, sysconfig, os, sys; sys.exit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))' 2>/dev/null; then
  echo "FAIL: the Python package was not installed although python3-dev and python3-numpy are"; exit 1
fi
if [ -n "$init" ]; then
  PYTHONPATH=$(dirname "$(dirname "$init")") env -u LD_LIBRARY_PATH /usr/bin/python3 -c '
import athlete
ids = athlete.list_algorithms()
assert "q_learning" in ids and "expected_sarsa" in ids, ids
env = athlete.envs.make("FrozenLake-v1")
agent = athlete.make("expected_sarsa", env.observation_space, env.action_space, seed=0)
observation, _ = env.reset(seed=0)
action, _ = agent.reset_step(observation)
print("installed Python package: ok,", len(ids), "algorithms, first action", action)
'
  # pip builds the same package alone against the installed libraries (meson-python).
  if /usr/bin/python3 -c 'import mesonpy, venv' 2>/dev/null; then
    /usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
    cp -r "$src/python" "$tmp/python-package"  # meson-python writes into the directory it builds
    "$tmp/venv/bin/pip" install --quiet --no-build-isolation --no-index --no-cache-dir "$tmp/python-package"
    (cd "$tmp" && env -u LD_LIBRARY_PATH ATHLETE_PLUGIN_PATH= "$tmp/venv/bin/python" -c '
import athlete
assert athlete.__file__.startswith("'"$tmp/venv"'"), athlete.__file__
assert "q_learning" in athlete.list_algorithms()
print("pip-installed Python package: ok")
')
  fi
fi
echo "install test passed"
