#!/usr/bin/env bash
# Compares the ABI of the built libraries (the files `meson install` copies) with the dumps
# in abi/ (libabigail's abidw format): a removed function or variable, or a changed one
# (including any change to a struct it reaches, e.g. a member inserted or retyped), fails;
# added functions and variables are printed and pass. An intended change (members appended
# with ATHLETE_ABI_MINOR bumped) is recorded by refreshing the dumps:
#     tests/tools/check-abi.sh --update SRC-ROOT BUILD-ROOT
# usage: check-abi.sh [--update] SRC-ROOT BUILD-ROOT
set -euo pipefail
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
src=$1 build=$2
status=0
for spec in sdk/libathlete-sdk.so:libathlete-sdk core/libathlete.so:libathlete envs/libathlete-envs.so:libathlete-envs; do
  IFS=: read -r lib name <<< "$spec"
  dump=$src/abi/$name.abi
  if [ $update -eq 1 ]; then
    abidw --no-corpus-path --no-show-locs "$build/$lib" --out-file "$dump"
    echo "wrote $dump"
    continue
  fi
  rc=0
  report=$(abidiff --no-show-locs "$dump" "$build/$lib") || rc=$?
  # abidiff's status bits: 1 error, 2 usage error, 4 ABI change, 8 incompatible change.
  if [ $((rc & 3)) -ne 0 ]; then
    echo "FAIL: abidiff could not compare $name (status $rc)"; echo "$report"; status=1
  elif [ $((rc & 8)) -ne 0 ] || echo "$report" | grep -Eq 'summary: ([1-9][0-9]* Removed|[0-9]+ Removed, [1-9][0-9]* Changed)'; then
    echo "FAIL: $name differs from $dump:"; echo "$report"; status=1
  elif [ $((rc & 4)) -ne 0 ]; then
    echo "$name: additions since $dump:"; echo "$report"
  else
    echo "$name: the same ABI as $dump"
  fi
done
exit $status
