#!/usr/bin/env bash
# Each library exports exactly the symbols its version script lists by name, and every
# function its public headers declare ATHLETE_API is on the list: a function added to a
# header but not to the list would be silently local, and a stale entry fails too.
# With --update, rewrites each list from the symbols its headers declare ATHLETE_API (the
# diff of the .sym file is then what a reviewer reads).
# usage: check-sym-lists.sh [--update] LIB VERSION-SCRIPT HEADER-DIR [LIB VERSION-SCRIPT HEADER-DIR]...
set -euo pipefail
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
status=0
while [ $# -gt 0 ]; do
  lib=$1 script=$2 headers=$3; shift 3
  if [ $update -eq 1 ]; then
    node=$(grep -o '^[A-Z_0-9]* {' "$script" | tr -d ' {')
    { sed -n '/^\/\*/,/\*\//p' "$script"
      echo "$node {"; echo "  global:"
      cat "$headers"/*.h | tr '\n' ' ' | grep -o 'ATHLETE_API [^;{]*' | grep -o 'athlete_[A-Za-z0-9_]* *(' |
        tr -d ' (' | sort -u | sed 's/^/    /; s/$/;/'
      echo "  local:"; echo "    *;"; echo "};"; } > "$script.new"
    mv "$script.new" "$script"
    echo "wrote $script"
    continue
  fi
  exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' |
             grep -v '^ATHLETE_' | sort -u)
  listed=$(sed 's|/\*.*\*/||; /^ *\*/d; /^\/\*/d' "$script" | grep -o '^ *athlete_[A-Za-z0-9_]*;' |
           tr -d ' ;' | sort -u)
  missing=$(comm -13 <(echo "$exported") <(echo "$listed"))
  extra=$(comm -23 <(echo "$exported") <(echo "$listed"))
  for s in $missing; do echo "FAIL: $(basename "$script") lists $s, which $(basename "$lib") does not define"; status=1; done
  for s in $extra; do echo "FAIL: $(basename "$lib") exports $s, which $(basename "$script") does not list"; status=1; done
  declared=$(cat "$headers"/*.h | tr '\n' ' ' | grep -o 'ATHLETE_API [^;{]*' |
             grep -o 'athlete_[A-Za-z0-9_]* *(' | tr -d ' (' | sort -u)
  for s in $(comm -23 <(echo "$declared") <(echo "$listed")); do
    echo "FAIL: $s is declared ATHLETE_API in $headers but $(basename "$script") does not list it"; status=1
  done
  echo "$(basename "$lib"): $(echo "$listed" | wc -l) symbols listed and exported"
done
exit $status
