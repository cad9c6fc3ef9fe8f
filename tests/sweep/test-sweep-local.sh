#!/usr/bin/env bash
# A local sweep on 2 workers: run folders, results, summary, best configuration, plots; a
# worker killed by SIGKILL (a test hook, and from outside) is reported and its run retried; Ctrl-C stops the workers and
# --resume finishes the sweep without touching the finished runs, with the same results as
# a sweep never stopped.
# usage: test-sweep-local.sh PATH_TO_ATHLETE
set -uo pipefail
source "$(dirname "$0")/sweep-common.sh"
athlete=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
write_spec spec.json ql

# 1. Six runs on two workers.
expect 0 "\| 0 \| \`\{\"learning_rate\":0.1\}\` \| 3 \| " -- "$athlete" sweep spec.json --jobs 2 --out a
for f in spec.json plan.json results.jsonl summary.md best-config.json; do [ -s a/ql/$f ] || fail "a/ql/$f is missing"; done
for c in 0 1; do for s in 0 1 2; do
  d=a/ql/runs/$c-seed$s
  for f in config.json run.json metrics.jsonl final.ckpt worker.log; do [ -s $d/$f ] || fail "$d/$f is missing"; done
  grep -qE "\"seed\":\s+$s," $d/run.json || fail "$d/run.json does not say seed $s"
done; done
grep -q '"learning_rate":	0.5' a/ql/runs/1-seed2/config.json || fail "configuration 1 does not have learning_rate 0.5"
grep -qE '^\{"config":0,"configuration":\{"learning_rate":0.1\},"seed":0,"final_eval":[0-9.]+,"best_eval":[0-9.]+,"best_step":[0-9]+,"env_steps":20000,"episodes":[0-9]+,"wall_time":[0-9.]+,"host":"[^"]+","rank":0,"worker":[12],"attempts":1\}$' a/ql/results.jsonl \
  || fail "results line: $(head -1 a/ql/results.jsonl)"
grep -q "IQM \[95 % CI\]" a/ql/summary.md || fail "summary.md has no IQM column"
grep -q "^best: configuration [01] " a/ql/summary.md || fail "summary.md names no best configuration"
expect 0 "evaluation: q_learning on FrozenLake-v1" -- "$athlete" train q_learning FrozenLake-v1 --config a/ql/best-config.json --steps 100 --quiet --run-dir best
expect 0 "wrote sweep.png" -- "$athlete" plot a/ql -o sweep.png
[ -s sweep.png ] || fail "no sweep.png"
# Each run folder is an ordinary one: the same command line gives the same run.
expect 0 "evaluation" -- "$athlete" train q_learning FrozenLake-v1 --config a/ql/runs/1-seed1/sweep-overrides.json --seed 1 --steps 20000 --eval-every 5000 --eval-episodes 50 --quiet --run-dir alone
cmp -s alone/final.ckpt a/ql/runs/1-seed1/final.ckpt || fail "a run of the sweep differs from the same athlete train"
# Starting it again is refused; resuming a finished sweep runs nothing.
expect 1 "^athlete: sweep: 'a/ql' already holds a sweep; continue it with 'athlete sweep --resume a/ql' or remove it$" -- "$athlete" sweep spec.json --out a
expect 0 "0 runs to do" -- "$athlete" sweep --resume a/ql
# A sweep resumes only with its own spec and configurations.
sed 's/0.1, 0.5/0.1, 0.6/' spec.json > changed.json
expect 1 "^athlete: sweep: 'a/ql/spec.json' differs from the spec given; a sweep resumes with its own spec$" -- "$athlete" sweep changed.json --resume --out a
cp a/ql/plan.json plan.saved
sed -i 's/"discount":	0.99/"discount":	0.9/' a/ql/plan.json
expect 1 "^athlete: sweep: the configurations of the spec differ from 'a/ql/plan.json' \(a preset changed\?\); a sweep resumes with its own configurations$" -- "$athlete" sweep --resume a/ql
cp plan.saved a/ql/plan.json

# 2. A worker killed by SIGKILL (the test hook makes 1-seed1's first worker kill itself).
expect 0 "athlete: sweep: run 1-seed1 \(worker [12], pid [0-9]+\) was killed by signal 9 \(Killed\); retrying it once" -- \
  env ATHLETE_SWEEP_TEST_KILL=1-seed1 "$athlete" sweep spec.json --jobs 2 --out killed
same_results a/ql killed/ql
grep -q '"seed":1,.*"attempts":2}$' <(grep '"config":1,' killed/ql/results.jsonl) || fail "the retried run does not say attempts 2"

# 3. Ctrl-C in the middle, then --resume: slower runs (long evaluations), one worker.
sed -e 's/"episodes": 50, "every": 5000/"episodes": 8000, "every": 5000/' spec.json > slow.json
"$athlete" sweep slow.json --jobs 1 --out stopped > stopped.log 2>&1 &
pid=$!
for _ in $(seq 600); do [ -s stopped/ql/results.jsonl ] && break; sleep 0.05; done
kill -INT $pid
wait $pid; rc=$?
[ "$rc" = 130 ] || { fail "the stopped sweep exited $rc, not 130"; cat stopped.log; }
grep -q "athlete sweep --resume stopped/ql" stopped.log || fail "the stopped sweep does not say how to resume: $(cat stopped.log)"
finished=$(wc -l < stopped/ql/results.jsonl)
[ "$finished" -ge 1 ] && [ "$finished" -lt 6 ] || fail "$finished runs finished before the stop"
# The finished runs' folders, byte for byte and with their times, must not change.
snapshot() { for d in $(sed -E 's/^\{"config":([0-9]+),.*"seed":([0-9]+),.*/\1-seed\2/' stopped/ql/results.jsonl.before); do
  find stopped/ql/runs/$d -type f -printf '%p %s %T@\n' | sort; md5sum stopped/ql/runs/$d/* 2>/dev/null; done; }
cp stopped/ql/results.jsonl stopped/ql/results.jsonl.before
before=$(snapshot)
expect 0 "$((6 - finished)) runs? to do" -- "$athlete" sweep --resume stopped/ql --jobs 2
[ "$(snapshot)" = "$before" ] || fail "--resume touched a finished run's folder"
rm stopped/ql/results.jsonl.before
expect 0 "6 runs to do" -- "$athlete" sweep slow.json --jobs 2 --out straight
same_results straight/ql stopped/ql

# 4. A worker killed from outside (SIGKILL to its pid, as the OOM killer would) is retried.
"$athlete" sweep slow.json --jobs 1 --out outside > outside.log 2>&1 &
pid=$!
# Whichever run is in progress: the worker is stopped first, so it cannot finish (a fast
# machine runs one in 0.1 s) between being found and being killed.
worker=
for _ in $(seq 600); do
  worker=$(pgrep -P $pid | head -1)
  [ -n "$worker" ] && kill -STOP "$worker" 2>/dev/null && break
  worker=
  sleep 0.01
done
[ -n "$worker" ] && kill -KILL "$worker"
wait $pid; rc=$?
[ "$rc" = 0 ] || fail "the sweep with a killed worker exited $rc"
grep -qE "^athlete: sweep: run [0-9]+-seed[0-9]+ \(worker 1, pid $worker\) was killed by signal 9 \(Killed\); retrying it once$" outside.log \
  || fail "the killed worker ($worker) is not reported: $(cat outside.log)"
same_results straight/ql outside/ql
[ "$failures" = 0 ]
