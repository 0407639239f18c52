# tests/cli/check_lib.sh: the small harness the CLI test scripts share. Sourced, not run.
# Provides: pass/fail counters, a scratch folder $tmp (removed on exit), report NAME OK WHY
# (OK 0 = passed; a failure prints rc and the captured $tmp/out and $tmp/err), and finish,
# which prints "N passed, M failed" and returns non-zero on any failure. For the flag-driven
# commands (gradcheck, train): run ARGS... and expect_error NAME SUBSTRING ARGS... ($NORMLAB
# is the binary under test; test_cli.sh, whose normalize reads stdin, redefines both).
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

# run ARGS...: runs normlab with no stdin, leaving rc, $tmp/out and $tmp/err.
run() {
  "$NORMLAB" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# expect_error NAME SUBSTRING ARGS...: exit 2, nothing on stdout, exactly one stderr line that
# starts with "normlab: " and contains SUBSTRING.
expect_error() {
  local name=$1 want=$2
  shift 2
  run "$@"
  report_error "$name" "$want"
}

# report_error NAME SUBSTRING: judges the run that just ended as a refused input: exit 2,
# nothing on stdout, one stderr line starting "normlab: " and containing SUBSTRING.
report_error() {
  local name=$1 want=$2
  local lines first
  lines=$(wc -l <"$tmp/err")
  first=$(head -n 1 "$tmp/err")
  if [ "$rc" -ne 2 ]; then report "$name" 1 "exit code $rc, expected 2"
  elif [ -s "$tmp/out" ]; then report "$name" 1 "stdout not empty"
  elif [ "$lines" -ne 1 ]; then report "$name" 1 "stderr has $lines lines, expected 1"
  elif [ "${first#normlab: }" = "$first" ]; then report "$name" 1 "stderr does not start with 'normlab: '"
  elif [ "${first#*"$want"}" = "$first" ]; then report "$name" 1 "stderr lacks '$want'"
  else report "$name" 0 ""
  fi
}
