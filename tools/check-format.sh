#!/usr/bin/env bash
# Checks C files against .clang-format without changing them: the files given, or with
# --listed the files named in .clang-format-files, or with no argument every tracked C file.
# usage: tools/check-format.sh [--listed | FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--listed" ]; then
  mapfile -t files < <(grep -v '^\s*\(#\|$\)' .clang-format-files)
elif [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^tests/data/')
fi
clang-format --version
status=0 clean=0
for f in "${files[@]}"; do
  if clang-format --dry-run -Werror "$f" 2>/dev/null; then
    clean=$((clean+1))
  else
    echo "not formatted: $f"; status=1
  fi
done
echo "$clean of ${#files[@]} files formatted"
exit $status
