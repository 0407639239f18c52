#!/usr/bin/env bash
# tests/cli/test_train.sh: end-to-end checks of `normlab train`: the last stdout line is one JSON
# object with the documented keys (a per-step loss curve of `steps` values, final_loss, accuracy,
# diverged), the same flags give the same bytes, a diverging run is reported (exit 0, diverged
# true, its step and reason, non-finite numbers as null), and bad flags exit 2 with ONE stderr
# line starting "normlab: " that names the problem. Run with NORMLAB set to the binary:
#   NORMLAB=build/normlab bash tests/cli/test_train.sh
set -u

NORMLAB=${NORMLAB:?set NORMLAB to the path of the normlab binary}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"


# expect_ok NAME PYTHON_ASSERTIONS ARGS...: exit 0, nothing on stderr, the last stdout line is a
# JSON object with the documented keys, and the python statements (d = the object, lines = the
# stdout lines before it) raise nothing.
expect_ok() {
  local name=$1 asserts=$2
  shift 2
  run train "$@"
  if [ "$rc" -ne 0 ]; then report "$name" 1 "exit code $rc, expected 0"; return; fi
  if [ -s "$tmp/err" ]; then report "$name" 1 "stderr not empty"; return; fi
  if ! "$PY" - "$tmp/out" "$asserts" 2>"$tmp/pyerr" <<'EOF'
import json, math, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "output must end with a newline"
lines = text.rstrip("\n").split("\n")
d = json.loads(lines[-1])
lines = lines[:-1]
for k in ["norm", "arch", "task", "seed", "steps", "batch", "lr", "loss_is", "loss", "final_loss",
          "accuracy", "train_accuracy", "diverged", "diverged_step", "diverged_reason",
          "eval_steps", "eval_accuracy", "grad_norm_init", "act_rms_init", "norm_health_init"]:
    assert k in d, "missing key " + k
assert d["loss_is"] == "per_step"
assert len(d["loss"]) == d["steps"] or d["diverged"], (len(d["loss"]), d["steps"])
assert isinstance(d["diverged"], bool)
if not d["diverged"]:
    assert all(isinstance(v, float) and math.isfinite(v) for v in d["loss"])
    tail = d["loss"][-10:]
    assert abs(d["final_loss"] - sum(tail) / len(tail)) < 1e-5 * max(1, d["final_loss"])
    assert 0 <= d["accuracy"] <= 1 and d["accuracy"] == d["eval_accuracy"][-1]
    assert d["eval_steps"][0] == 0 and d["eval_steps"][-1] == d["steps"]
    assert d["diverged_step"] == -1 and d["diverged_reason"] == ""
assert all(l.startswith("step ") or l.startswith("diverged at step ") for l in lines), lines
exec(sys.argv[2])
EOF
  then
    report "$name" 1 "python check failed: $(tail -n 2 "$tmp/pyerr" | tr '\n' ' ')"
    return
  fi
  report "$name" 0 ""
}


# ---- runs that train -------------------------------------------------------------------------

expect_ok "defaults: no norm, 500 steps, learns the spirals" "
assert d['norm'] == 'none' and d['arch'] == 'mlp' and d['task'] == 'spirals'
assert d['steps'] == 500 and d['batch'] == 32 and d['lr'] == 0.05 and d['seed'] == 1
assert d['accuracy'] > 0.8, d['accuracy']
assert d['eval_steps'] == list(range(0, 501, 50))
assert len(lines) == 11 and lines[0].startswith('step       0  loss -')
assert len(d['grad_norm_init']) == 3 and len(d['act_rms_init']) == 3
assert d['norm_health_init'] == {'groups': 0, 'overflow': 0, 'eps_dominated': 0}"

for norm in batchnorm layernorm rmsnorm groupnorm; do
  expect_ok "$norm trains (the brief's example flags)" "
assert d['norm'] == '$norm' and d['steps'] == 300 and d['batch'] == 32
assert d['accuracy'] > 0.8, d['accuracy']
assert d['norm_health_init']['groups'] > 0 and d['norm_health_init']['overflow'] == 0" \
    --norm "$norm" --lr 0.03 --steps 300 --batch 32 --depth 3 --seed 1
done

expect_ok "every optional flag, --flag=value syntax" "
assert d['task'] == 'gaussians' and d['steps'] == 40 and len(d['loss']) == 40
assert d['eval_steps'] == [0, 20, 40]
assert len(d['grad_norm_init']) == 2 and d['precision'] == 'bf16'" \
  --norm=groupnorm --lr=0.02 --steps=40 --batch=16 --depth=2 --seed=5 --width=12 --task=gaussians \
  --classes=4 --momentum=0.5 --precision=bf16 --accumulate=storage --eval-every=20 --eps=1e-4 \
  --groups=3 --activation=tanh --input-scale=2 --noise=0.1

expect_ok "residual stack: one gradient norm and activation RMS per block" "
assert d['arch'] == 'residual' and d['placement'] == 'post'
assert len(d['grad_norm_init']) == 12 and all(abs(v - 1) < 0.01 for v in d['act_rms_init'])" \
  --arch residual --placement post --norm layernorm --depth 12 --steps 20 --warmup 10 --bn-momentum 0.2

expect_ok "eval-every 0: evaluations at the start and the end only" "
assert d['eval_steps'] == [0, 30]" --steps 30 --eval-every 0

expect_ok "fp16 statistics overflow with inputs x1000 (reported, not hidden)" "
h = d['norm_health_init']
assert h['groups'] == 96 and h['overflow'] == 32, h
assert d['norm_overflow_steps'] == 20" \
  --norm layernorm --precision fp16 --accumulate storage --input-scale 1000 --steps 20

# ---- divergence -----------------------------------------------------------------------------

expect_ok "no norm at lr 3: diverges, reported with step and reason" "
assert d['diverged'] is True
assert 1 <= d['diverged_step'] <= 10 and d['steps'] == d['diverged_step']
assert len(d['loss']) == d['steps'] + 1   # the failing step's loss is the last value
assert d['diverged_reason'] != ''
assert lines[-1].startswith('diverged at step %d: ' % d['diverged_step'])" \
  --lr 3 --depth 6 --steps 400 --seed 1

expect_ok "a residual stack without norm explodes; the NaN loss prints as null" "
assert d['diverged'] is True and d['diverged_reason'] == 'loss is nan'
assert d['loss'][-1] is None and d['act_rms_init'][-1] > 1e6, d['act_rms_init'][-1]" \
  --arch residual --depth 64 --width 64 --steps 10

# ---- determinism ------------------------------------------------------------------------------

run train --norm batchnorm --lr 0.1 --steps 200 --batch 8 --depth 3 --seed 7
cp "$tmp/out" "$tmp/first"
run train --norm batchnorm --lr 0.1 --steps 200 --batch 8 --depth 3 --seed 7
if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/first"; then
  report "same flags give the same bytes" 0 ""
else report "same flags give the same bytes" 1 "outputs differ"; fi
run train --norm batchnorm --lr 0.1 --steps 200 --batch 8 --depth 3 --seed 8
if [ "$rc" -eq 0 ] && ! cmp -s "$tmp/out" "$tmp/first"; then
  report "another seed gives another run" 0 ""
else report "another seed gives another run" 1 "outputs equal"; fi

# ---- help -------------------------------------------------------------------------------------

run help train
if [ "$rc" -eq 0 ] && grep -q "usage: normlab train" "$tmp/out" && grep -q "per_step" "$tmp/out" &&
   grep -q -- "--input-scale" "$tmp/out"; then
  report "normlab help train documents flags and output" 0 ""
else report "normlab help train documents flags and output" 1 "no train usage"; fi
run --help
if [ "$rc" -eq 0 ] && grep -q "^  train " "$tmp/out"; then
  report "normlab --help lists train" 0 ""
else report "normlab --help lists train" 1 "not listed"; fi

# ---- bad flags: exit 2, one line naming the problem ---------------------------------------------

expect_error "unknown norm" 'unknown norm "bogonorm" (expected one of: none, batchnorm' \
  train --norm bogonorm
expect_error "unknown flag" 'unknown argument "--lrate" (see normlab help train)' train --lrate 1
expect_error "positional argument" 'unknown argument "extra"' train --steps 3 extra
expect_error "missing value" "--steps needs a value" train --steps
expect_error "lr zero" '--lr must be a number > 0, got "0"' train --lr 0
expect_error "lr not a number" '--lr must be a number > 0, got "fast"' train --lr fast
expect_error "lr infinite" '--lr must be a number > 0, got "inf"' train --lr inf
expect_error "steps zero" '--steps must be an integer in 1..1000000, got "0"' train --steps 0
expect_error "steps negative" '--steps must be an integer in 1..1000000, got "-5"' train --steps -5
expect_error "batch too large for the split" "--batch 1000 is larger than the 512 training points" \
  train --batch 1000
expect_error "batchnorm with batch 1" "--batch must be >= 2 for batchnorm" train --norm batchnorm --batch 1
expect_error "depth too large" '--depth must be an integer in 1..64, got "65"' train --depth 65
expect_error "width zero" '--width must be an integer in 1..256, got "0"' train --width 0
expect_error "seed not a number" '--seed must be an integer in [0, 2^64), got "x"' train --seed x
expect_error "unknown task" 'unknown task "moons" (expected one of: spirals, gaussians, circles, xor)' \
  train --task moons
expect_error "classes out of range" '--classes must be an integer in 2..8, got "9"' train --classes 9
expect_error "momentum 1" '--momentum must be a number in [0, 1), got "1"' train --momentum 1
expect_error "unknown precision" '--precision must be fp32, fp16 or bf16, got "fp8"' train --precision fp8
expect_error "unknown accumulate" '--accumulate must be fp32 or storage, got "fp64"' train --accumulate fp64
expect_error "negative eps" '--eps must be a finite number >= 0, got "-1"' train --eps -1
expect_error "bn momentum above 1" '--bn-momentum must be a number in [0, 1], got "2"' train --bn-momentum 2
expect_error "groups on layernorm" "--groups only applies to groupnorm, not layernorm" \
  train --norm layernorm --groups 2
expect_error "groups not dividing width" "--groups 5 does not divide --width 32" \
  train --norm groupnorm --groups 5
expect_error "placement on an mlp" "--placement only applies to --arch residual" train --placement post
expect_error "unknown arch" '--arch must be mlp or residual, got "cnn"' train --arch cnn
expect_error "unknown placement" '--placement must be pre, post or sandwich, got "mid"' \
  train --arch residual --placement mid
expect_error "unknown activation" '--activation must be relu or tanh, got "gelu"' train --activation gelu
expect_error "input scale zero" '--input-scale must be a number > 0, got "0"' train --input-scale 0
expect_error "too many activations" "batch x width x depth is too large" \
  train --batch 512 --width 256 --depth 64

finish
