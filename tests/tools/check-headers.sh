#!/usr/bin/env bash
# Each public header compiles alone, as C17 with -pedantic, and as C++ when available.
# usage: check-headers.sh CC INCLUDE_DIR... -- HEADER...
set -euo pipefail
cc=$1; shift
incs=()
while [ "$1" != "--" ]; do incs+=("-I$1"); shift; done
shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
for h in "$@"; do
  name=$(basename "$h")
  printf '#include <athlete/%s>\n#include <athlete/%s>\nint main(void) { return 0; }\n' "$name" "$name" > "$tmp/t.c"
  if ! "$cc" -std=c17 -pedantic -Wall -Wextra -Werror "${incs[@]}" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: <athlete/$name> does not compile alone as C17"; status=1
  fi
  if command -v g++ >/dev/null; then
    cp "$tmp/t.c" "$tmp/t.cpp"
    if ! g++ -std=c++17 -pedantic -Wall -Wextra -Werror "${incs[@]}" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
      echo "FAIL: <athlete/$name> does not compile alone as C++17"; status=1
    fi
  fi
done
echo "$# headers checked"
exit $status
