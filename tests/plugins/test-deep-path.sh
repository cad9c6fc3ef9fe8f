#!/usr/bin/env bash
# Runs the registry test with every plugin and fixture copied under a directory whose path
# is over 300 characters long: the rejection messages must keep their reasons (the
# test asserts each one, e.g. "undefined symbol: ...") however long the paths in them.
# usage: test-deep-path.sh TEST-REGISTRY FIXTURES-DIR PLUGINS-DIR
set -euo pipefail
test_registry=$1 fixtures=$2 plugins=$3
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
deep=$top
while [ ${#deep} -lt 300 ]; do deep=$deep/a-rather-long-directory-name-like-users-have; done
mkdir -p "$deep/fixtures" "$deep/plugins"
cp "$fixtures"/fixture-*.so "$deep/fixtures/"
cp "$plugins"/athlete-*.so "$deep/plugins/"
echo "running the registry test from a ${#deep}-character directory"
ATHLETE_FIXTURES_DIR=$deep/fixtures ATHLETE_PLUGIN_PATH=$deep/plugins "$test_registry"
