#!/usr/bin/env bash
# tests/web/check_simd.sh WASM: the shipped kernels must really use WASM SIMD.
# Disassembles the app's .wasm (built with --profiling-funcs so function names survive) and
# counts v128/f32x4 instructions inside the normalization kernels' functions.
set -uo pipefail
wasm=${1:?usage: check_simd.sh app.wasm}
command -v wasm-objdump >/dev/null || { echo "wasm-objdump (Debian wabt) is missing"; exit 1; }
dis=$(mktemp)
trap 'rm -f "$dis"' EXIT
wasm-objdump -d "$wasm" >"$dis" || { echo "FAIL: wasm-objdump could not read $wasm"; exit 1; }
report=$(awk '
  / func\[[0-9]+\] </ { name = $0; sub(/^[^<]*</, "", name); sub(/>:.*$/, "", name); next }
  name ~ /kernels/ && /(f32x4|v128|i32x4)\./ { simd[name]++ }
  END { for (f in simd) printf "%6d  %s\n", simd[f], f }' "$dis" | sort -rn)
echo "v128 instructions per kernel function:"
echo "${report:-  (none)}"
n_funcs=$(grep -c . <<<"$report")
top=$(grep -m1 'kernels::normalize' <<<"$report" | awk '{print $1}')
if [ -z "$top" ] || [ "$top" -lt 32 ]; then
  echo "FAIL: normlab::kernels::normalize in $wasm has ${top:-no} v128 instructions (want >= 32)"
  exit 1
fi
for op in f32x4.add f32x4.mul v128.load; do
  grep -q "$op" "$dis" || { echo "FAIL: $op never appears"; exit 1; }
done
echo "ok: $n_funcs kernel functions use WASM SIMD"
