#!/usr/bin/env bash
# athlete export: its messages and exit codes (0 success, 1 failed call, 2 usage), the files
# it writes, and that they compile with the strict flags.
# usage: test-export-cli.sh PATH_TO_ATHLETE CC
set -uo pipefail
source "$(dirname "$0")/../common/cli-expect.sh"
athlete=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expect 0 "usage: athlete export CHECKPOINT_OR_POLICY -o NAME.c" -- "$athlete" export --help
expect 0 "export +write a trained policy as dependency-free C" -- "$athlete" --help
expect 2 "export needs a checkpoint or policy file and -o NAME.c" -- "$athlete" export
expect 2 "option -o needs a value" -- "$athlete" export x.ckpt -o
expect 2 "the output must end in .c, got 'out.txt'" -- "$athlete" export x.ckpt -o out.txt
expect 2 "export: unknown storage 'f8' \(expected f32, f16 or int8\)" -- "$athlete" export x.ckpt -o out.c --quantize f8
expect 2 "unknown option '--fast'" -- "$athlete" export x.ckpt -o out.c --fast
expect 1 "athlete: export: cannot open '$tmp/missing.ckpt'" -- "$athlete" export "$tmp/missing.ckpt" -o "$tmp/a.c"
expect 0 "evaluation: q_learning on FrozenLake-v1" -- "$athlete" train q_learning FrozenLake-v1 --steps 5000 --quiet --eval-episodes 1 --run-dir "$tmp/run" \
  --save "$tmp/lake.ckpt"
expect 0 "wrote $tmp/lake-policy.c and $tmp/lake-policy.h: lake_policy_act for q_learning, 1 -> 1, float32 weights, 16 bytes of constants" -- \
  "$athlete" export "$tmp/lake.ckpt" -o "$tmp/lake-policy.c"
sha=$(sha256sum "$tmp/lake.ckpt" | cut -d' ' -f1)
expect 0 "SHA-256 $sha" -- grep "Source:" "$tmp/lake-policy.h"
expect 0 "Observation:  Discrete\(16, start=0\)" -- cat "$tmp/lake-policy.h"
expect 0 "^int lake_policy_act_discrete\(const float observation\[1\]\);" -- cat "$tmp/lake-policy.h"
expect 0 "" -- "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -c "$tmp/lake-policy.c" -o "$tmp/lake-policy.o"
expect 1 "export: name '9' is not a C identifier of at most 48 characters" -- \
  "$athlete" export "$tmp/lake.ckpt" -o "$tmp/a.c" --name 9
expect 0 "int8 weights" -- "$athlete" export "$tmp/lake.ckpt" -o "$tmp/_7.c" --quantize int8
[ $failures -eq 0 ] || { echo "$failures export CLI check(s) failed"; exit 1; }
echo "all export CLI checks passed"
