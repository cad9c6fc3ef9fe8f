# Shared by the sweep test scripts (sourced): a 2-configuration x 3-seed q_learning spec and
# results compared without the fields of the machine (wall time, host, rank, worker, attempts).
source "$(dirname "${BASH_SOURCE[0]}")/../common/cli-expect.sh"
write_spec() { # write_spec FILE NAME
  cat > "$1" <<SPEC
{"name": "$2", "algorithm": "q_learning", "environment": "FrozenLake-v1",
 "overrides": {"discount": 0.99}, "grid": {"learning_rate": [0.1, 0.5]},
 "seeds": [0, 1, 2], "steps": 20000, "evaluation": {"episodes": 50, "every": 5000}, "threshold": 0.5}
SPEC
}
deterministic() { sed -E 's/,"wall_time":.*\}$/}/' "$1"; }
same_results() { # same_results DIR_A DIR_B: results lines and every run's final checkpoint bytes
  diff <(deterministic "$1/results.jsonl") <(deterministic "$2/results.jsonl") >/dev/null \
    || { fail "$1/results.jsonl and $2/results.jsonl differ beyond the machine's fields"; diff <(deterministic "$1/results.jsonl") <(deterministic "$2/results.jsonl") | head -5; }
  [ "$(wc -l < "$1/results.jsonl")" = 6 ] || fail "$1/results.jsonl does not have 6 lines"
  for run in "$1"/runs/*; do
    cmp -s "$run/final.ckpt" "$2/runs/$(basename "$run")/final.ckpt" || fail "$run/final.ckpt differs in $2"
  done
}
