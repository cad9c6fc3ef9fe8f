# Helpers of the CLI test scripts (sourced): each check prints "ok: ..." or "FAIL: ...",
# counts its failures in $failures, and the script exits non-zero at its end if any failed.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures+1)); }
expect() { # expect CODE PATTERN -- command...
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: '$*' exited $rc (expected $code), output:"; echo "$out" | head -20
    echo "      expected to match: $pattern"
    failures=$((failures+1))
  else
    echo "ok: $*"
  fi
}
