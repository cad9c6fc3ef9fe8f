#!/usr/bin/env bash
# Installs the Debian 12 packages Athlete needs to build, test and benchmark (gnuplot-nox:
# the renderer of `athlete plot`).
set -euo pipefail
packages=(meson ninja-build pkg-config gcc libc6-dev libcjson-dev libffi-dev libopenblas-dev
          check valgrind clang libclang-rt-14-dev binutils abigail-tools clang-format gnuplot-nox
          python3-dev python3-numpy python3-pytest python3-mesonpy python3-venv libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
