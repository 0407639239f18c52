#!/usr/bin/env bash
# tests/cli/test_gradcheck.sh: end-to-end checks of `normlab gradcheck`: every family, several
# seeds and shapes (random and given), both eps placements and BatchNorm's eval mode print one
# JSON line with a small max_rel_err; bad arguments exit 2 with ONE stderr line starting
# "normlab: " that names the problem. Run with NORMLAB set to the binary:
#   NORMLAB=build/normlab bash tests/cli/test_gradcheck.sh
# JSON output is checked with python3's json module (no jq needed).
set -u

NORMLAB=${NORMLAB:?set NORMLAB to the path of the normlab binary}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TOL=1e-4

source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"


# expect_ok NAME PYTHON_ASSERTIONS ARGS...: exit 0, nothing on stderr, stdout ONE line of JSON
# with the documented keys, max_rel_err < TOL, and the python statements (with `d` the object)
# raising nothing.
expect_ok() {
  local name=$1 asserts=$2
  shift 2
  run gradcheck "$@"
  if [ "$rc" -ne 0 ]; then report "$name" 1 "exit code $rc, expected 0"; return; fi
  if [ -s "$tmp/err" ]; then report "$name" 1 "stderr not empty"; return; fi
  if ! "$PY" - "$tmp/out" "$TOL" "$asserts" 2>"$tmp/pyerr" <<'EOF'
import json, math, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1 and text.endswith("\n"), "expected one line of JSON"
d = json.loads(text)
keys = ["family", "shape", "seed", "max_rel_err", "max_abs_err", "checked"]
assert list(d.keys())[:6] == keys, list(d.keys())
assert isinstance(d["checked"], int) and d["checked"] > 0, d["checked"]
assert 0 <= d["max_rel_err"] < float(sys.argv[2]), ("max_rel_err", d["max_rel_err"])
assert 0 <= d["max_abs_err"] < 1e-2, ("max_abs_err", d["max_abs_err"])
assert 2 <= len(d["shape"]) <= 4 and all(isinstance(v, int) and v >= 1 for v in d["shape"])
exec(sys.argv[3])
EOF
  then
    report "$name" 1 "python check failed: $(tail -n 2 "$tmp/pyerr" | tr '\n' ' ')"
    return
  fi
  report "$name" 0 ""
}


# ---- every family, random shapes from several seeds ------------------------------------------

for family in batchnorm layernorm rmsnorm groupnorm instancenorm; do
  for seed in 1 2 3 17 123456789; do
    expect_ok "$family seed $seed (random shape)" "
assert d['family'] == '$family' and d['seed'] == $seed
assert d['mode'] == 'train' and d['eps_placement'] == 'inside' and d['eps'] == 1e-05
if '$family' == 'instancenorm': assert len(d['shape']) in (3, 4)
if '$family' == 'groupnorm':
    c = d['shape'][1] if len(d['shape']) == 4 else d['shape'][-1]
    assert c % d['groups'] == 0
else: assert 'groups' not in d" \
      --family "$family" --seed "$seed"
  done
done

# ---- given shapes: every rank a family accepts -----------------------------------------------

# checked = cells + C (gamma) + C (beta; not for rmsnorm) for small shapes.
for spec in "batchnorm 6,5" "batchnorm 2,3,4" "batchnorm 3,2,3,3" \
            "layernorm 3,7" "layernorm 2,3,5" "layernorm 2,3,2,2" \
            "rmsnorm 3,7" "rmsnorm 2,3,5" "rmsnorm 2,3,2,2" \
            "groupnorm 3,6" "groupnorm 2,3,6" "groupnorm 2,4,3,3" \
            "instancenorm 2,5,3" "instancenorm 2,3,2,3"; do
  set -- $spec
  expect_ok "$1 shape $2" "
shape = [int(v) for v in '$2'.split(',')]
assert d['shape'] == shape, d['shape']
cells = math.prod(shape)
c = shape[1] if len(shape) == 4 else shape[-1]
assert d['checked'] == cells + (c if '$1' == 'rmsnorm' else 2 * c), d['checked']" \
    --family "$1" --seed 5 --shape "$2"
done

expect_ok "groupnorm --groups 3 on 6 channels" "assert d['groups'] == 3" \
  --family groupnorm --seed 4 --shape 2,6,2,2 --groups 3
expect_ok "groupnorm --groups 3 with a random shape (C a multiple of 3)" "
c = d['shape'][1] if len(d['shape']) == 4 else d['shape'][-1]
assert d['groups'] == 3 and c % 3 == 0" --family groupnorm --seed 21 --groups 3
expect_ok "groupnorm default groups 2 for even C" "assert d['groups'] == 2" \
  --family groupnorm --seed 4 --shape 2,6,2,2
expect_ok "groupnorm default groups 1 for odd C" "assert d['groups'] == 1" \
  --family groupnorm --seed 4 --shape 2,5
expect_ok "batchnorm eval mode (running stats as constants)" "assert d['mode'] == 'eval'" \
  --family batchnorm --seed 9 --mode eval
expect_ok "batchnorm eval mode, eps outside" "assert d['mode'] == 'eval' and d['eps_placement'] == 'outside'" \
  --family batchnorm --seed 9 --shape 4,3,2,2 --mode eval --eps-placement outside
for family in batchnorm layernorm rmsnorm groupnorm instancenorm; do
  expect_ok "$family eps outside the root" "assert d['eps_placement'] == 'outside'" \
    --family "$family" --seed 11 --shape 3,4,2,2 --eps-placement outside --eps 0.01
done
expect_ok "eps 0.1 and --flag=value syntax" "assert d['eps'] == 0.1" \
  --family=layernorm --seed=8 --shape=2,16 --eps=0.1
expect_ok "eps 0 on non-constant rows" "assert d['eps'] == 0" \
  --family rmsnorm --seed 8 --shape 2,16 --eps 0
expect_ok "lane edge d=257" "assert d['shape'] == [2, 257]" \
  --family layernorm --seed 2 --shape 2,257
expect_ok "large tensor is sampled (4096 input cells)" "assert d['checked'] == 4096 + 2 * 4" \
  --family batchnorm --seed 3 --shape 8,4,16,16

# Same seed, same output: the case is a pure function of the arguments.
run gradcheck --family groupnorm --seed 77
cp "$tmp/out" "$tmp/first"
run gradcheck --family groupnorm --seed 77
if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/first"; then
  report "same seed gives identical output" 0 ""
else report "same seed gives identical output" 1 "outputs differ"; fi

# Help.
run help gradcheck
if [ "$rc" -eq 0 ] && grep -q "usage: normlab gradcheck" "$tmp/out" && grep -q "rel_err" "$tmp/out"; then
  report "normlab help gradcheck documents flags and errors" 0 ""
else report "normlab help gradcheck documents flags and errors" 1 "no gradcheck usage"; fi
run gradcheck --help
if [ "$rc" -eq 0 ] && grep -q "usage: normlab gradcheck" "$tmp/out"; then
  report "normlab gradcheck --help" 0 ""
else report "normlab gradcheck --help" 1 "no gradcheck usage"; fi
run --help
if [ "$rc" -eq 0 ] && grep -q "gradcheck" "$tmp/out"; then
  report "normlab --help lists gradcheck" 0 ""
else report "normlab --help lists gradcheck" 1 "not listed"; fi

# ---- bad arguments: exit 2, one line naming the problem ----------------------------------------

expect_error "no arguments" "gradcheck needs --family" gradcheck
expect_error "missing seed" "gradcheck needs --seed" gradcheck --family layernorm
expect_error "unknown family" 'unknown family "bogonorm" (expected one of: batchnorm, layernorm' \
  gradcheck --family bogonorm --seed 1
expect_error "missing family value" "--family needs a value" gradcheck --seed 1 --family
expect_error "missing seed value" "--seed needs a value" gradcheck --family layernorm --seed
expect_error "missing shape value" "--shape needs a value" gradcheck --family layernorm --seed 1 --shape
expect_error "negative seed" '--seed must be an integer in [0, 2^64), got "-3"' \
  gradcheck --family layernorm --seed -3
expect_error "seed too large" "--seed must be an integer" \
  gradcheck --family layernorm --seed 18446744073709551616
expect_error "seed not a number" '--seed must be an integer in [0, 2^64), got "abc"' \
  gradcheck --family layernorm --seed abc
expect_error "shape with a zero" '--shape must be 2 to 4 positive integers separated by commas' \
  gradcheck --family layernorm --seed 1 --shape 2,0
expect_error "shape rank 1" "--shape must be 2 to 4 positive integers" \
  gradcheck --family layernorm --seed 1 --shape 8
expect_error "shape rank 5" "--shape must be 2 to 4 positive integers" \
  gradcheck --family layernorm --seed 1 --shape 1,2,3,4,5
expect_error "shape not numbers" '(got "2,x")' gradcheck --family layernorm --seed 1 --shape 2,x
expect_error "shape trailing comma" "--shape must be 2 to 4" gradcheck --family layernorm --seed 1 --shape 2,3,
expect_error "shape too large" "gradcheck allows at most 65536" \
  gradcheck --family layernorm --seed 1 --shape 300,300
expect_error "instancenorm on rank 2" "InstanceNorm needs spatial axes" \
  gradcheck --family instancenorm --seed 1 --shape 2,3
expect_error "groups not dividing channels" "groups 4 does not divide the 6 channels" \
  gradcheck --family groupnorm --seed 1 --shape 2,6,2,2 --groups 4
expect_error "groups on layernorm" "--groups only applies to groupnorm, not layernorm" \
  gradcheck --family layernorm --seed 1 --groups 2
expect_error "groups zero" '--groups must be a positive integer, got "0"' \
  gradcheck --family groupnorm --seed 1 --groups 0
expect_error "negative eps" '--eps must be a finite number >= 0, got "-1"' \
  gradcheck --family layernorm --seed 1 --eps -1
expect_error "eps not a number" '--eps must be a finite number >= 0, got "small"' \
  gradcheck --family layernorm --seed 1 --eps small
expect_error "eps infinite" "--eps must be a finite number" gradcheck --family layernorm --seed 1 --eps inf
expect_error "unknown mode" '--mode must be train or eval, got "test"' \
  gradcheck --family batchnorm --seed 1 --mode test
expect_error "eval on layernorm" "--mode eval applies to batchnorm only, not layernorm" \
  gradcheck --family layernorm --seed 1 --mode eval
expect_error "unknown eps placement" '--eps-placement must be inside or outside, got "above"' \
  gradcheck --family layernorm --seed 1 --eps-placement above
expect_error "unknown flag" 'unknown argument "--sead"' gradcheck --family layernorm --sead 1
expect_error "positional argument" 'unknown argument "extra"' gradcheck --family layernorm --seed 1 extra
expect_error "eps 0 on a constant group" "analytic gradients are not finite" \
  gradcheck --family layernorm --seed 1 --shape 3,1 --eps 0

finish
