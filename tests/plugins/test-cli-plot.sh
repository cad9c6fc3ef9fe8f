#!/usr/bin/env bash
# athlete plot: renders fixtures of real runs (tests/plugins/data: a run folder of dqn on
# CartPole-v1, seed 0, and the metrics of seed 1) with gnuplot, and checks that the files
# are valid images of the expected size (the PNG's IHDR, the SVG's viewBox).
# usage: test-cli-plot.sh PATH_TO_ATHLETE DATA_DIR
set -uo pipefail
source "$(dirname "$0")/../common/cli-expect.sh"
athlete=$(realpath "$1")
data=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
png_size() { # prints "WIDTHxHEIGHT" from the IHDR chunk, or nothing when not a PNG
  local magic
  magic=$(od -An -tx1 -N16 "$1" | tr -d ' \n')
  [ "$magic" = "89504e470d0a1a0a0000000d49484452" ] || return
  local b=($(od -An -tu1 -j16 -N8 "$1"))
  echo "$(( (b[0]<<24) | (b[1]<<16) | (b[2]<<8) | b[3] ))x$(( (b[4]<<24) | (b[5]<<16) | (b[6]<<8) | b[7] ))"
}
run="$data/plot-run"
expect 1 "^athlete: plot: gnuplot is not installed \(Debian: apt-get install gnuplot-nox\)$" -- env PATH=/nonexistent "$athlete" plot "$run"
expect 2 "^athlete: -o expects a .png or .svg file name, got 'curve.jpg'$" -- "$athlete" plot "$run" -o curve.jpg
expect 2 "^athlete: plot needs at least one run folder or metrics file$" -- "$athlete" plot
expect 2 "^athlete: --size expects WIDTHxHEIGHT in pixels \(200x150 to 10000x10000\), got '9x9'$" -- "$athlete" plot "$run" --size 9x9
if ! command -v gnuplot >/dev/null; then
  echo "SKIP: gnuplot is not installed (tools/install-deps.sh installs gnuplot-nox)"; exit 77
fi
expect 1 "^athlete: plot: cannot open '$tmp/missing': No such file or directory$" -- "$athlete" plot "$tmp/missing"
echo '{"episode": 1}' > bad.jsonl
expect 1 "^athlete: plot: 'bad.jsonl' line 1 is not a metrics line$" -- "$athlete" plot bad.jsonl
grep -v '"type": "episode"' "$run/metrics.jsonl" > no-episodes.jsonl
expect 1 "^athlete: plot: 'no-episodes.jsonl' has no episode lines$" -- "$athlete" plot no-episodes.jsonl

expect 0 "^wrote curve.png$" -- "$athlete" plot "$run"
[ "$(png_size curve.png)" = 900x540 ] || fail "curve.png: size '$(png_size curve.png)', expected 900x540"
expect 0 "^wrote small.png$" -- "$athlete" plot "$run/metrics.jsonl" -o small.png --size 640x400 --smooth 5
[ "$(png_size small.png)" = 640x400 ] || fail "small.png: size '$(png_size small.png)', expected 640x400"
# Two runs: the mean with a band; --losses adds a panel for each of greedy, epsilon, loss.
expect 0 "^wrote losses.png$" -- "$athlete" plot "$run" "$data/plot-seed1.jsonl" --losses -o losses.png
[ "$(png_size losses.png)" = 900x1020 ] || fail "losses.png: size '$(png_size losses.png)', expected 900x1020"
expect 0 "^wrote curve.svg$" -- "$athlete" plot "$run" "$data/plot-seed1.jsonl" -o curve.svg --size 800x500
grep -q 'viewBox="0 0 800 500"' curve.svg && grep -q '>dqn on CartPole-v1<' curve.svg \
  && grep -q 'min-max of 2 runs' curve.svg || fail "curve.svg lacks its size, title or band"
[ -z "$(ls /tmp | grep "athlete-plot-" || true)" ] || echo "note: other athlete-plot folders exist in /tmp"

[ $failures -eq 0 ] || { echo "$failures plot check(s) failed"; exit 1; }
echo "all plot checks passed"
