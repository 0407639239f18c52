#!/usr/bin/env bash
# tests/cli/test_cli.sh: end-to-end checks of the `normlab` tool: good inputs produce the
# documented JSON, bad inputs exit 2 with ONE stderr line starting "normlab: " that names the
# problem. Run by ctest as `cli` with NORMLAB set to the binary; by hand:
#   NORMLAB=build/normlab bash tests/cli/test_cli.sh
# JSON output is checked with python3's json module (no jq needed).
set -u

NORMLAB=${NORMLAB:?set NORMLAB to the path of the normlab binary}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

# run STDIN ARGS...: runs normlab, leaving rc, $tmp/out and $tmp/err.
run() {
  printf '%s' "$1" >"$tmp/in"
  shift
  "$NORMLAB" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# expect_json NAME STDIN PYTHON_ASSERTIONS: exit 0, stdout one JSON object for which the
# python statements (with `d` the object and close(a, b, tol)) raise nothing.
expect_json() {
  local name=$1 input=$2 asserts=$3
  run "$input" normalize
  if [ "$rc" -ne 0 ]; then report "$name" 1 "exit code $rc, expected 0"; return; fi
  if ! "$PY" - "$tmp/out" "$asserts" 2>"$tmp/pyerr" <<'EOF'
import json, math, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "expected one line of JSON"
d = json.loads(text)
def close(a, b, tol=1e-5):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (a, b)
        return all(close(p, q, tol) for p, q in zip(a, b))
    assert abs(a - b) <= tol * (1 + abs(b)), (a, b)
    return True
exec(sys.argv[2])
EOF
  then
    report "$name" 1 "python check failed: $(tail -n 2 "$tmp/pyerr" | tr '\n' ' ')"
    return
  fi
  report "$name" 0 ""
}

# expect_error NAME STDIN SUBSTRING [ARGS...]: exit 2, nothing on stdout, exactly one stderr
# line that starts with "normlab: " and contains SUBSTRING.
expect_error() {
  local name=$1 input=$2 want=$3
  shift 3
  [ $# -eq 0 ] && set -- normalize
  run "$input" "$@"
  report_error "$name" "$want"
}

# expect_help NAME ARGS...: exit 0 and usage text on stdout.
expect_help() {
  local name=$1
  shift
  run "" "$@"
  if [ "$rc" -ne 0 ]; then report "$name" 1 "exit code $rc, expected 0"
  elif ! grep -q "usage: normlab" "$tmp/out"; then report "$name" 1 "no usage on stdout"
  else report "$name" 0 ""
  fi
}

# ---- good inputs ------------------------------------------------------------------------

expect_json "layernorm (1,4) matches the hand calculation" \
  '{"family":"layernorm","shape":[1,4],"x":[1,2,3,4]}' '
assert list(d.keys())[:6] == ["family", "shape", "impl", "y", "mean", "var"], list(d.keys())
assert d["family"] == "layernorm" and d["shape"] == [1, 4] and d["impl"] == "simd"
s = math.sqrt(1.25 + 1e-5)
close(d["y"], [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])
assert d["mean"] == [2.5] and d["var"] == [1.25]
close(d["rms"], [math.sqrt(7.5)])
close(d["inv_std"], [1 / s])'

expect_json "floats print in shortest form" \
  '{"family":"layernorm","shape":[1,2],"x":[0.1,0.2],"eps":0.1}' '
assert open(sys.argv[1]).read().find("0.15000000") < 0, "float noise in output"
assert d["mean"] == [0.15]'

expect_json "batchnorm (3,2) with gamma/beta, reference impl" \
  '{"family":"batchnorm","shape":[3,2],"x":[1,10,2,20,3,30],"gamma":[2,1],"beta":[0,5],"eps":0,"impl":"reference"}' '
assert d["impl"] == "reference"
close(d["mean"], [2, 20]); close(d["var"], [2 / 3, 200 / 3])
z = math.sqrt(1.5)
close(d["y"], [-2 * z, 5 - z, 0, 5, 2 * z, 5 + z])'

expect_json "groupnorm (2,4,1,3) G=2: stats over 2 channels x 3 positions" \
  '{"family":"groupnorm","shape":[2,4,1,3],"groups":2,"x":[0.5,1,-2,3,4,0,1,1,2,-1,7,0.25,3,3,1,0,2,5,9,-4,1,2,0,6]}' '
assert len(d["mean"]) == 4 and len(d["y"]) == 24
for g in range(4):
    cells = [0.5,1,-2,3,4,0,1,1,2,-1,7,0.25,3,3,1,0,2,5,9,-4,1,2,0,6][g * 6:(g + 1) * 6]
    m = sum(cells) / 6
    close(d["mean"][g], m)
    close(d["var"][g], sum((c - m) ** 2 for c in cells) / 6)'

# The same input through both implementations.
big='{"family":"batchnorm","shape":[20,3],"x":['
for i in $(seq 1 60); do big="$big$(( (i * 37) % 11 )).$(( (i * 53) % 97 )),"; done
big="${big%,}]"
run "$big,\"impl\":\"simd\"}" normalize
cp "$tmp/out" "$tmp/simd.json"
run "$big,\"impl\":\"reference\"}" normalize
if [ "$rc" -eq 0 ] && "$PY" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["impl"] == "simd" and b["impl"] == "reference"
assert all(abs(p - q) <= 1e-5 * (1 + abs(q)) for p, q in zip(a["y"] + a["var"], b["y"] + b["var"]))
assert len(a["y"]) == 60 and len(a["var"]) == 3' "$tmp/simd.json" "$tmp/out"; then
  report "simd and reference agree through the CLI" 0 ""
else report "simd and reference agree through the CLI" 1 "outputs differ"; fi

expect_json "rmsnorm (2,3): y * rms(x) gives x back" \
  '{"family":"rmsnorm","shape":[2,3],"x":[1,2,2,-3,0,4],"eps":0,"gamma":[1,1,1]}' '
close(d["rms"], [math.sqrt(3), math.sqrt(25 / 3)])
close([y * d["rms"][i // 3] for i, y in enumerate(d["y"])], [1, 2, 2, -3, 0, 4])'

expect_json "instancenorm (2,3,2): one group per example and channel, over L" \
  '{"family":"instancenorm","shape":[2,3,2],"x":[1,2,3,4,5,7,0,0,1,2,2,4]}' '
close(d["mean"], [3, 13 / 3, 1, 2])
close(d["var"], [8 / 3, 38 / 9, 2 / 3, 8 / 3])'

expect_json "zero-variance row gives exactly beta" \
  '{"family":"layernorm","shape":[2,3],"x":[5,5,5,1,2,3],"beta":[0.5,-1,2]}' '
assert d["y"][:3] == [0.5, -1, 2], d["y"][:3]
assert d["var"][0] == 0'

# eps 0 on a constant group: IEEE gives 0 * inf = nan, written as null with a warning.
run '{"family":"layernorm","shape":[2,2],"x":[3,3,1,2],"eps":0}' normalize
if [ "$rc" -eq 0 ] && grep -q '^normlab: warning: ' "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["y"][:2]==[None,None] and None not in d["y"][2:] and d["inv_std"][0] is None' "$tmp/out"; then
  report "non-finite y written as null with one warning line" 0 ""
else
  report "non-finite y written as null with one warning line" 1 "unexpected output"
fi

# ---- teaching variants: running statistics, eps placement, storage precision ---------------

expect_json "batchnorm train updates the running stats (unbiased var, momentum)" \
  '{"family":"batchnorm","shape":[4,2],"x":[1,10,2,20,3,30,6,40],"momentum":0.25}' '
assert d["mode"] == "train" and d["impl_used"] == "simd"
close(d["var"], [3.5, 125])
close(d["running_mean"], [0.25 * 3, 0.25 * 25])
close(d["running_var"], [0.75 + 0.25 * 14 / 3, 0.75 + 0.25 * 500 / 3])'

expect_json "batchnorm train starts from the defaults 0 and 1 with momentum 0.1" \
  '{"family":"batchnorm","shape":[3,1],"x":[1,2,6],"running_mean":[0.5]}' '
close(d["running_mean"], [0.9 * 0.5 + 0.1 * 3])
close(d["running_var"], [0.9 + 0.1 * 7])'

expect_json "batchnorm eval normalizes with the running stats and echoes them" \
  '{"family":"batchnorm","shape":[2,2],"x":[1,10,3,30],"mode":"eval","running_mean":[1,20],"running_var":[4,100],"gamma":[2,1],"beta":[0,1],"eps":0}' '
assert d["mode"] == "eval" and d["impl_used"] == "reference"
close(d["y"], [0, 1 - 1, 2 * 2 / 2, 1 + 1])
assert d["running_mean"] == [1, 20] and d["running_var"] == [4, 100]
close(d["mean"], [2, 20])
close(d["inv_std"], [0.5, 0.1])'

expect_json "batchnorm eval without running stats uses 0 and 1" \
  '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"mode":"eval","eps":0,"impl":"simd"}' '
close(d["y"], [1, 2, 3, 4])
assert d["running_mean"] == [0, 0] and d["running_var"] == [1, 1]'

expect_json "layernorm: eval is the same as train" \
  '{"family":"layernorm","shape":[1,4],"x":[1,2,3,4],"mode":"eval"}' '
s = math.sqrt(1.25 + 1e-5)
close(d["y"], [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])
assert d["impl_used"] == "simd" and "running_mean" not in d'

expect_json "eps outside the root: inv_std = 1/(sqrt(var) + eps)" \
  '{"family":"layernorm","shape":[2,2],"x":[1,3,5,5],"eps":0.5,"eps_placement":"outside"}' '
assert d["eps_placement"] == "outside" and d["impl_used"] == "reference"
close(d["inv_std"], [1 / 1.5, 2])
close(d["y"], [-1 / 1.5, 1 / 1.5, 0, 0])'

expect_json "fp16 storage: every y is an fp16 value" \
  '{"family":"layernorm","shape":[1,5],"x":[0.1,0.2,0.3,0.4,0.55],"precision":"fp16"}' '
import struct
f32 = lambda v: struct.unpack("<f", struct.pack("<f", v))[0]  # output is float32 text
f16 = lambda v: struct.unpack("<e", struct.pack("<e", v))[0]
assert d["precision"] == "fp16" and d["accumulate"] == "fp32"
for v in d["y"]:
    assert f16(f32(v)) == f32(v), v
xs = [f16(f32(v)) for v in [0.1, 0.2, 0.3, 0.4, 0.55]]
close(d["mean"], [sum(xs) / 5], 1e-7)  # the mean of the fp16-rounded inputs
assert abs(d["mean"][0] - 0.31) > 1e-5'

expect_json "bf16 storage: every y is a bf16 value" \
  '{"family":"rmsnorm","shape":[1,5],"x":[0.1,0.2,0.3,0.4,0.55],"precision":"bf16"}' '
import struct
for v in d["y"]:
    assert struct.unpack("<I", struct.pack("<f", v))[0] & 0xffff == 0, v
assert d["impl_used"] == "reference"'

row300=$(printf '300,%.0s' $(seq 1 16))
run "{\"family\":\"rmsnorm\",\"shape\":[2,16],\"x\":[${row300}$(seq -s, 1 16)],\"precision\":\"fp16\",\"accumulate\":\"storage\"}" normalize
if [ "$rc" -eq 0 ] && grep -q '^normlab: warning: ' "$tmp/err" &&
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rms"][0] is None and d["inv_std"][0] == 0 and d["y"][:16] == [0] * 16 and d["accumulate"] == "storage"' "$tmp/out"; then
  report "fp16 accumulate=storage: 300^2 overflows the sum of squares" 0 ""
else
  report "fp16 accumulate=storage: 300^2 overflows the sum of squares" 1 "unexpected output"
fi

expect_help "normlab --help prints usage" --help
expect_help "normlab help prints usage" help
run "" help normalize
if [ "$rc" -eq 0 ] && grep -q "family" "$tmp/out" && grep -q "usage: normlab normalize" "$tmp/out"; then
  report "normlab help normalize describes the input" 0 ""
else report "normlab help normalize describes the input" 1 "no normalize usage"; fi
run "" normalize --help
if [ "$rc" -eq 0 ] && grep -q "usage: normlab normalize" "$tmp/out"; then
  report "normlab normalize --help" 0 ""
else report "normlab normalize --help" 1 "no normalize usage"; fi

# ---- bad inputs: exit 2, one line naming the problem ---------------------------------------

expect_error "unknown command" "" 'unknown command "frobnicate"' frobnicate
expect_error "help for unknown command" "" 'unknown command "frobnicate"' help frobnicate
expect_error "normalize takes no arguments" "" "takes no arguments" normalize extra
expect_error "empty stdin" "" "empty input"
expect_error "whitespace-only stdin" $'  \n\t ' "empty input"
expect_error "malformed JSON names line and column" $'{"family": "layernorm",\n  "shape": [1, 2],,\n "x": [1,2]}' "malformed JSON at line 2, column 19"
expect_error "trailing text after the object" '{"family":"layernorm","shape":[1,2],"x":[1,2]} extra' "malformed JSON at line 1"
expect_error "number overflow" '{"family":"layernorm","shape":[1,2],"x":[1e400,2]}' "malformed JSON"
expect_error "top level is not an object" '[1,2,3]' "expected a JSON object, got array"
expect_error "unknown key" '{"family":"layernorm","shape":[1,2],"x":[1,2],"epsilon":0.1}' 'unknown key "epsilon"'
expect_error "unknown family" '{"family":"bogonorm","shape":[1,2],"x":[1,2]}' 'unknown family "bogonorm"'
expect_error "family is not a string" '{"family":3,"shape":[1,2],"x":[1,2]}' "family must be a string"
expect_error "missing x" '{"family":"layernorm","shape":[1,2]}' 'missing key "x"'
expect_error "missing family" '{"shape":[1,2],"x":[1,2]}' 'missing key "family"'
expect_error "x length mismatch" '{"family":"layernorm","shape":[2,2],"x":[1,2,3]}' "x has 3 numbers but shape (2, 2) needs 4"
expect_error "zero dim" '{"family":"layernorm","shape":[2,0],"x":[]}' "shape[1] must be a positive integer"
expect_error "negative dim" '{"family":"layernorm","shape":[-2,3],"x":[1,2,3]}' "shape[0] must be a positive integer"
expect_error "fractional dim" '{"family":"layernorm","shape":[2,1.5],"x":[1,2,3]}' "shape[1] must be a positive integer"
expect_error "rank 5 shape" '{"family":"layernorm","shape":[1,1,1,1,1],"x":[1]}' "shape must have 2, 3 or 4 dims"
expect_error "rank 1 shape" '{"family":"layernorm","shape":[4],"x":[1,2,3,4]}' "shape must have 2, 3 or 4 dims"
expect_error "groups not dividing channels" '{"family":"groupnorm","shape":[1,4,1,1],"groups":3,"x":[1,2,3,4]}' "groups 3 does not divide the 4 channels"
expect_error "groups zero" '{"family":"groupnorm","shape":[1,4,1,1],"groups":0,"x":[1,2,3,4]}' "groups must be a positive integer"
expect_error "groups on layernorm" '{"family":"layernorm","shape":[1,4],"groups":2,"x":[1,2,3,4]}' "groups only applies to groupnorm"
expect_error "non-numeric x entry" '{"family":"layernorm","shape":[1,3],"x":[1,"two",3]}' 'x[1] must be a number, got string "two"'
expect_error "null x entry" '{"family":"layernorm","shape":[1,3],"x":[1,2,null]}' "x[2] must be a number"
expect_error "x out of float range" '{"family":"layernorm","shape":[1,2],"x":[1e39,2]}' "x[0] = 1e+39 is outside the float range"
expect_error "x is not an array" '{"family":"layernorm","shape":[1,2],"x":5}' "x must be an array"
expect_error "negative eps" '{"family":"layernorm","shape":[1,2],"x":[1,2],"eps":-0.1}' "eps must be finite and >= 0"
expect_error "instancenorm on rank 2" '{"family":"instancenorm","shape":[2,3],"x":[1,2,3,4,5,6]}' "InstanceNorm needs spatial axes"
expect_error "gamma length mismatch" '{"family":"batchnorm","shape":[2,3],"x":[1,2,3,4,5,6],"gamma":[1,2]}' "gamma has 2 numbers but shape (2, 3) has 3 channels"
expect_error "beta on rmsnorm" '{"family":"rmsnorm","shape":[1,2],"x":[1,2],"beta":[0,0]}' "beta does not apply to rmsnorm"
expect_error "unknown impl" '{"family":"layernorm","shape":[1,2],"x":[1,2],"impl":"gpu"}' 'unknown impl "gpu"'
expect_error "unknown mode" '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"mode":"training"}' 'unknown mode "training" (expected train or eval)'
expect_error "mode is not a string" '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"mode":1}' "mode must be a string"
expect_error "unknown precision" '{"family":"layernorm","shape":[1,2],"x":[1,2],"precision":"fp8"}' 'unknown precision "fp8" (expected fp32, fp16 or bf16)'
expect_error "unknown accumulate" '{"family":"layernorm","shape":[1,2],"x":[1,2],"accumulate":"fp16"}' 'unknown accumulate "fp16" (expected fp32 or storage)'
expect_error "unknown eps_placement" '{"family":"layernorm","shape":[1,2],"x":[1,2],"eps_placement":"under"}' 'unknown eps_placement "under" (expected inside or outside)'
expect_error "momentum above 1" '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"momentum":1.5}' "momentum must be in [0, 1] (got 1.5)"
expect_error "negative momentum" '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"momentum":-0.1}' "momentum must be in [0, 1]"
expect_error "momentum on layernorm" '{"family":"layernorm","shape":[2,2],"x":[1,2,3,4],"momentum":0.1}' "momentum only applies to batchnorm"
expect_error "running_mean on groupnorm" '{"family":"groupnorm","shape":[1,2,1,1],"x":[1,2],"running_mean":[0,0]}' "running_mean only applies to batchnorm"
expect_error "running_var on rmsnorm" '{"family":"rmsnorm","shape":[1,2],"x":[1,2],"running_var":[1,1]}' "running_var only applies to batchnorm"
expect_error "running_mean length" '{"family":"batchnorm","shape":[2,3],"x":[1,2,3,4,5,6],"running_mean":[0,0]}' "running_mean has 2 numbers but shape (2, 3) has 3 channels"
expect_error "running_var length" '{"family":"batchnorm","shape":[2,1,2,2],"x":[1,2,3,4,5,6,7,8],"running_var":[1,1]}' "running_var has 2 numbers but shape (2, 1, 2, 2) has 1 channels"
expect_error "negative running_var" '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"running_var":[1,-2],"mode":"eval"}' "running_var[1] = -2.0 must be >= 0"
expect_error "running_mean entry not a number" '{"family":"batchnorm","shape":[2,2],"x":[1,2,3,4],"running_mean":[0,"a"]}' "running_mean[1] must be a number"
expect_error "batchnorm train with one value per channel" '{"family":"batchnorm","shape":[1,3],"x":[1,2,3]}' "Expected more than 1 value per channel when training, got input size (1, 3)"

# Without arguments: usage on stderr, exit 2.
run ""
if [ "$rc" -eq 2 ] && grep -q "usage: normlab" "$tmp/err" && [ ! -s "$tmp/out" ]; then
  report "no command prints usage to stderr and exits 2" 0 ""
else report "no command prints usage to stderr and exits 2" 1 "unexpected"; fi

finish
