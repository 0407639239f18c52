# tests/cli/check_lib.sh: the small harness the CLI test scripts share. Sourced, not run.
# Provides: pass/fail counters, a scratch folder $tmp (removed on exit), report NAME OK WHY
# (OK 0 = passed; a failure prints rc and the captured $tmp/out and $tmp/err), and finish,
# which prints "N passed, M failed" and returns non-zero on any failure.
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

report() { # NAME OK(0/1) WHY
  if [ "$2" -eq 0 ]; then
    pass=$((pass + 1))
    echo "ok   $1"
  else
    fail=$((fail + 1))
    echo "FAIL $1: $3"
    echo "     rc=${rc:-?} stdout: $(head -c 300 "$tmp/out" 2>/dev/null)"
    echo "     stderr: $(head -c 300 "$tmp/err" 2>/dev/null)"
  fi
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
