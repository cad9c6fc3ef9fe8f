#!/usr/bin/env bash
# Exported-symbol check (libinput's leak test): the libraries export only athlete_* names
# declared in a public header, never an athlete__ internal; each plugin exports exactly
# athlete_plugin_entry. Each library's symbols must be declared in its own headers.
# usage: check-symbols.sh LIB HEADER_DIR [LIB HEADER_DIR]... -- PLUGIN...
set -euo pipefail
status=0
libs=(); dirs=(); plugins=(); in_plugins=0
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then in_plugins=1; shift; continue; fi
  if [ $in_plugins -eq 1 ]; then plugins+=("$1"); shift
  else libs+=("$1"); dirs+=("$2"); shift 2; fi
done
exported() { nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u; }
for i in "${!libs[@]}"; do
  lib=${libs[$i]} header_dir=${dirs[$i]}
  count=0
  while read -r sym; do
    count=$((count+1))
    case "$sym" in
      athlete__*) echo "FAIL: $lib exports the internal symbol $sym"; status=1 ;;
      athlete_*)
        if ! grep -rqw -- "$sym" "$header_dir"; then
          echo "FAIL: $lib exports $sym, which none of its public headers in $header_dir declares"; status=1
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
