#!/usr/bin/env bash
# Every public function taking an athlete_error * must be exercised with a NULL err by the
# test program given: its name must appear there.
# usage: check-null-err.sh TEST-SOURCE [--skip HEADER-NAME]... HEADER-DIR...
set -euo pipefail
test_source=$1; shift
skip=()
while [ "${1:-}" = "--skip" ]; do skip+=("$2"); shift 2; done
headers=()
for dir in "$@"; do
  for h in "$dir"/*.h; do
    base=$(basename "$h")
    for s in "${skip[@]}"; do [ "$s" = "$base" ] && continue 2; done
    headers+=("$h")
  done
done
status=0 count=0
for name in $(cat "${headers[@]}" | tr '\n' ' ' | grep -o 'ATHLETE_API[^;]*athlete_error \*[a-z]*[^;]*;' |
              grep -o 'athlete_[a-z0-9_]*(' | tr -d '(' | sort -u); do
  count=$((count+1))
  if ! grep -qw -- "$name" "$test_source"; then
    echo "FAIL: $name takes an athlete_error * but $(basename "$test_source") never calls it with NULL"
    status=1
  fi
done
echo "$count fallible public functions checked"
exit $status
