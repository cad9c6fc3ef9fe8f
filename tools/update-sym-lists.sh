#!/usr/bin/env bash
# Rewrites each library's version script from the functions its public headers declare
# ATHLETE_API (run after adding a public function; review the diff: it is the ABI change).
# usage: tools/update-sym-lists.sh   (from the source root)
set -euo pipefail
cd "$(dirname "$0")/.."
for spec in sdk/athlete-sdk.sym:sdk/include/athlete:ATHLETE_SDK_1 core/athlete.sym:core/include/athlete:ATHLETE_1 \
            envs/athlete-envs.sym:envs/include/athlete:ATHLETE_ENVS_1; do
  IFS=: read -r script headers version <<< "$spec"
  {
    echo "/* Every exported symbol by name, so an addition to the ABI shows in review; the"
    echo " * exported-symbol-lists test checks that this list and the library agree."
    echo " * tools/update-sym-lists.sh rewrites it from the headers. */"
    echo "$version {"
    echo "  global:"
    cat "$headers"/*.h | tr '\n' ' ' | grep -o 'ATHLETE_API [^;{]*' | grep -o 'athlete_[A-Za-z0-9_]* *(' |
      tr -d ' (' | LC_ALL=C sort -u | sed 's/^/    /; s/$/;/'
    echo "  local:"
    echo "    *;"
    echo "};"
  } > "$script.new"
  mv "$script.new" "$script"
done
