#!/usr/bin/env bash
# tests/scenario/test_validate.sh: `normlab validate` end to end: the bundled scenarios and lab
# text pass with the documented --summary line; every file of the broken corpus exits 2 with the
# messages tests/data/scenarios_bad/manifest.json expects, each on one "normlab: " line.
# Run by ctest as `cli_validate`; by hand: NORMLAB=build/native/normlab bash tests/scenario/test_validate.sh
set -u
NORMLAB=${NORMLAB:?set NORMLAB to the path of the normlab binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bundled=("$ROOT"/scenarios/[0-9]*.json "$ROOT"/scenarios/lab_text.json "$ROOT"/scenarios/lab_text.es.json)
"$NORMLAB" validate --summary "${bundled[@]}" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && "$PY" - "$tmp/out" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert set(d) == {"files", "scenarios", "lab_texts", "steps", "questions", "errors"}, d
assert d["scenarios"] >= 10 and d["lab_texts"] == 2 and d["errors"] == 0, d
assert d["questions"] >= 40 and d["steps"] >= d["scenarios"], d
PYEOF
then ok "bundled scenarios validate (--summary)"; else bad "bundled" "rc=$rc $(head -c 400 "$tmp/err") $(cat "$tmp/out")"; fi

"$NORMLAB" validate "$ROOT/scenarios/01_why_normalize.json" >"$tmp/out" 2>&1
grep -q '^ok .*01_why_normalize.json (7 steps, 7 questions)$' "$tmp/out" && ok "one ok line per file" || bad "ok line" "$(cat "$tmp/out")"

"$NORMLAB" validate >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q '^normlab: validate: no files given' "$tmp/err" && ok "no files: exit 2" || bad "no files" "rc=$rc"
"$NORMLAB" validate --frobnicate x.json >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'unknown option "--frobnicate"' "$tmp/err" && ok "unknown option: exit 2" || bad "unknown option" "rc=$rc"
"$NORMLAB" help validate | grep -q -- '--summary' && ok "help validate" || bad "help" "no --summary in help"
"$NORMLAB" validate --ids | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert "panel.board" in d["highlight"] and "batch" in d["condition_keys"]' \
  && ok "--ids lists the registry" || bad "--ids" "not the registry"
"$NORMLAB" validate "$ROOT/scenarios/does_not_exist.json" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'cannot read the file' "$tmp/err" && ok "missing file: exit 2" || bad "missing file" "rc=$rc"

# A translation given together with its original is checked against it.
sed 's/"shape": "8x12", "preset": "stable", "seed": 7/"shape": "8x12", "preset": "stable", "seed": 8/' \
  "$ROOT/scenarios/02_batchnorm.es.json" >"$tmp/02_batchnorm.es.json"
"$NORMLAB" validate "$ROOT/scenarios/02_batchnorm.json" "$tmp/02_batchnorm.es.json" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'translation of .*the lab state differs' "$tmp/err" && ok "translation mismatch: exit 2" \
  || bad "translation" "rc=$rc $(head -c 300 "$tmp/err")"

# The broken corpus, file by file.
if "$PY" - "$NORMLAB" "$ROOT/tests/data/scenarios_bad" <<'PYEOF'
import json, os, subprocess, sys
normlab, folder = sys.argv[1], sys.argv[2]
cases = json.load(open(os.path.join(folder, "manifest.json"), encoding="utf-8"))["cases"]
failed = 0
for name, expected in sorted(cases.items()):
    r = subprocess.run([normlab, "validate", os.path.join(folder, name)], capture_output=True)
    err = r.stderr.decode("utf-8", "replace")
    lines = err.splitlines()
    problems = []
    if r.returncode != 2: problems.append(f"exit {r.returncode}")
    if not lines or any(not l.startswith("normlab: ") for l in lines): problems.append("a stderr line without 'normlab: '")
    problems += [f"missing {e!r}" for e in expected if e not in err]
    if problems:
        failed += 1
        print(f"  {name}: {'; '.join(problems)}\n    {err[:300]}")
print(f"  {len(cases) - failed}/{len(cases)} broken files reported as expected")
sys.exit(1 if failed else 0)
PYEOF
then ok "broken corpus"; else bad "broken corpus" "see above"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
