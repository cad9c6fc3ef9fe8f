#!/usr/bin/env bash
# The same sweep under mpirun -np 2 and on 2 local workers: identical results (the
# machine's fields aside) and identical final checkpoints. Skipped (77) when this build
# has no MPI.
# usage: test-sweep-mpi.sh PATH_TO_ATHLETE MPI_BUILT(true|false) MPIRUN
set -uo pipefail
source "$(dirname "$0")/sweep-common.sh"
athlete=$(realpath "$1")
if [ "$2" != true ]; then
  echo "SKIP: this build has no MPI (install libopenmpi-dev openmpi-bin, then meson setup --reconfigure -Dmpi=enabled)"
  exit 77
fi
mpirun=$3
# Under ASan, Open MPI's own allocations at start-up are kept until exit: not ours to report
# (the slow unwinder sees through its components' frames to the suppressed functions).
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(realpath "$(dirname "$0")")/lsan-openmpi.supp"
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
write_spec spec.json ql
expect 0 "best: configuration" -- "$athlete" sweep spec.json --jobs 2 --out local
expect 0 "6 runs to do on 2 MPI ranks" -- "$mpirun" -np 2 --oversubscribe --allow-run-as-root "$athlete" sweep spec.json --out mpi
same_results local/ql mpi/ql
grep -q '"rank":1,' mpi/ql/results.jsonl || fail "rank 1 ran nothing: $(cat mpi/ql/results.jsonl)"
grep -q '"rank":0,' mpi/ql/results.jsonl || fail "rank 0 ran nothing: $(cat mpi/ql/results.jsonl)"
diff <(grep "^|" local/ql/summary.md) <(grep "^|" mpi/ql/summary.md) >/dev/null || fail "the summary tables differ"
cmp -s local/ql/best-config.json mpi/ql/best-config.json || fail "the best configurations differ"
# A bad spec is refused once, by rank 0, before anything runs.
sed 's/"learning_rate": \[0.1, 0.5\]/"learning_rate": [0.1, 5]/' spec.json > bad.json
out=$("$mpirun" -np 2 --oversubscribe --allow-run-as-root "$athlete" sweep bad.json --out bad 2>&1)
[ "$(grep -c "must be in (0, 1\], got 5" <<<"$out")" = 1 ] || fail "the bad spec's message under MPI: $out"
[ ! -e bad ] || fail "a refused spec created its folder under MPI"
[ "$failures" = 0 ]
