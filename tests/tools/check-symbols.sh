#!/usr/bin/env bash
# Exported-symbol check (libinput's leak test): the libraries export only athlete_* names
# declared in a public header, never an athlete__ internal; each plugin exports exactly
# athlete_plugin_entry.
# usage: check-symbols.sh HEADER_DIR LIB... -- PLUGIN...
set -euo pipefail
header_dir=$1; shift
status=0
libs=(); plugins=(); in_plugins=0
for a in "$@"; do
  if [ "$a" = "--" ]; then in_plugins=1; continue; fi
  if [ $in_plugins -eq 1 ]; then plugins+=("$a"); else libs+=("$a"); fi
done
exported() { nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u; }
for lib in "${libs[@]}"; do
  count=0
  while read -r sym; do
    count=$((count+1))
    case "$sym" in
      athlete__*) echo "FAIL: $lib exports the internal symbol $sym"; status=1 ;;
      athlete_*)
        if ! grep -rqw -- "$sym" "$header_dir"; then
          echo "FAIL: $lib exports $sym, which no public header declares"; status=1
        fi ;;
      *) echo "FAIL: $lib exports $sym (not prefixed athlete_)"; status=1 ;;
    esac
  done < <(exported "$lib")
  [ $count -gt 0 ] || { echo "FAIL: $lib exports nothing"; status=1; }
  echo "$lib: $count symbols checked"
done
for plugin in "${plugins[@]}"; do
  syms=$(exported "$plugin" | tr '\n' ' ')
  if [ "$syms" != "athlete_plugin_entry " ]; then
    echo "FAIL: $plugin exports '$syms', expected only athlete_plugin_entry"; status=1
  else
    echo "$plugin: exports only athlete_plugin_entry"
  fi
done
exit $status
