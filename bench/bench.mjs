// bench/bench.mjs: NormLab's kernel benchmark under Node (run by tools/bench).
//   node --no-experimental-fetch bench/bench.mjs build/web/normlab_bench.js
// Measures, for every family on every shape, the throughput (input + output bytes per second)
// of four implementations of the same forward pass:
//   simd    norm_simd.cpp compiled with -msimd128 (what the app ships)
//   scalar  the same C++ compiled without -msimd128 (bench/bench_kernels.cpp, namespace nosimd)
//   js      plain JavaScript on Float32Array, as a hand-written web sim would write it:
//           two-pass mean/var per group in JS numbers, then normalize
//   copy    a WASM memory.copy of the same bytes: the bandwidth ceiling
// A ratio under its aim even if simd ran at copy speed is marked "^", not "<": no kernel that
// reads x and writes y can meet it on this host (bench/README.md).
// Prints a table with the ratios simd/js, simd/scalar, simd/copy, and as its LAST line a JSON
// array of {family, shape, impl, gbps}. A benchmark, not a test: nothing fails on time.
// Method: each case is warmed up and calibrated to >= BENCH_MS (default 200) ms of CPU time per
// run, run BENCH_RUNS (default 5) times, the four impls in interleaved rounds, and the best run
// is reported (the least-disturbed one; the median is in the table too). The outputs of simd,
// scalar and js are compared once per case.
// See bench/README.md for how to read the ratios.
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FAMILIES, SHAPES, bitwiseEqual, calibrate, cpuNow, groupsFor, selected, setupCase,
  shapeBuffers, warm } from './cases.mjs';

const modulePath = path.resolve(process.argv[2] ?? 'build/web/normlab_bench.js');
const RUN_MS = Number(process.env.BENCH_MS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// Filter: ';'-separated substrings of "family shape", e.g. "layernorm", "(4096,1024)".
const ONLY = (process.env.BENCH_ONLY ?? '').split(';').filter(Boolean);
const EPS = 1e-5;

// ---- cases (bench/cases.mjs) ----------------------------------------------------------------

const IMPLS = ['simd', 'scalar', 'js', 'copy'];
const IMPL_ID = { simd: 0, scalar: 1 };

// ---- the plain-JS baseline -----------------------------------------------------------------
// One function per family and layout, the way a web sim written by hand looks: per group,
// sum -> mean, sum of squared deviations -> var, then y = (x - mean) / sqrt(var + eps) *
// gamma + beta. Accumulators are JS numbers (doubles). (B,d): channel = column; (B,C,H,W):
// channel = axis 1.

function batchNorm2(x, y, B, D, gamma, beta) {
  for (let c = 0; c < D; c++) {
    let s = 0;
    for (let b = 0; b < B; b++) s += x[b * D + c];
    const mean = s / B;
    let v = 0;
    for (let b = 0; b < B; b++) {
      const d = x[b * D + c] - mean;
      v += d * d;
    }
    const k = gamma[c] / Math.sqrt(v / B + EPS);
    const bc = beta[c];
    for (let b = 0; b < B; b++) y[b * D + c] = (x[b * D + c] - mean) * k + bc;
  }
}

function layerNorm2(x, y, B, D, gamma, beta) {
  for (let b = 0; b < B; b++) {
    const o = b * D;
    let s = 0;
    for (let i = 0; i < D; i++) s += x[o + i];
    const mean = s / D;
    let v = 0;
    for (let i = 0; i < D; i++) {
      const d = x[o + i] - mean;
      v += d * d;
    }
    const inv = 1 / Math.sqrt(v / D + EPS);
    for (let i = 0; i < D; i++) y[o + i] = (x[o + i] - mean) * inv * gamma[i] + beta[i];
  }
}

function rmsNorm2(x, y, B, D, gamma) {
  for (let b = 0; b < B; b++) {
    const o = b * D;
    let s = 0;
    for (let i = 0; i < D; i++) s += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(s / D + EPS);
    for (let i = 0; i < D; i++) y[o + i] = x[o + i] * inv * gamma[i];
  }
}

function groupNorm2(x, y, B, D, G, gamma, beta) {
  const n = D / G;
  for (let b = 0; b < B; b++) {
    for (let g = 0; g < G; g++) {
      const o = b * D + g * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += x[o + i];
      const mean = s / n;
      let v = 0;
      for (let i = 0; i < n; i++) {
        const d = x[o + i] - mean;
        v += d * d;
      }
      const inv = 1 / Math.sqrt(v / n + EPS);
      for (let i = 0; i < n; i++) {
        const c = g * n + i;
        y[o + i] = (x[o + i] - mean) * inv * gamma[c] + beta[c];
      }
    }
  }
}

function batchNorm4(x, y, B, C, HW, gamma, beta) {
  const n = B * HW;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let b = 0; b < B; b++) {
      const o = (b * C + c) * HW;
      for (let i = 0; i < HW; i++) s += x[o + i];
    }
    const mean = s / n;
    let v = 0;
    for (let b = 0; b < B; b++) {
      const o = (b * C + c) * HW;
      for (let i = 0; i < HW; i++) {
        const d = x[o + i] - mean;
        v += d * d;
      }
    }
    const k = gamma[c] / Math.sqrt(v / n + EPS);
    const bc = beta[c];
    for (let b = 0; b < B; b++) {
      const o = (b * C + c) * HW;
      for (let i = 0; i < HW; i++) y[o + i] = (x[o + i] - mean) * k + bc;
    }
  }
}

// Normalizes `count` channels of HW cells starting at channel c0 of example b as one group
// (LayerNorm: all C channels; GroupNorm: C/G; InstanceNorm: 1).
function centeredGroup4(x, y, o, c0, count, HW, gamma, beta) {
  const n = count * HW;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[o + i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = x[o + i] - mean;
    v += d * d;
  }
  const inv = 1 / Math.sqrt(v / n + EPS);
  for (let c = 0; c < count; c++) {
    const k = inv * gamma[c0 + c];
    const bc = beta[c0 + c];
    const p = o + c * HW;
    for (let i = 0; i < HW; i++) y[p + i] = (x[p + i] - mean) * k + bc;
  }
}

function layerNorm4(x, y, B, C, HW, gamma, beta) {
  for (let b = 0; b < B; b++) centeredGroup4(x, y, b * C * HW, 0, C, HW, gamma, beta);
}

function groupNorm4(x, y, B, C, HW, G, gamma, beta) {
  const cg = C / G;
  for (let b = 0; b < B; b++)
    for (let g = 0; g < G; g++)
      centeredGroup4(x, y, (b * C + g * cg) * HW, g * cg, cg, HW, gamma, beta);
}

function instanceNorm4(x, y, B, C, HW, gamma, beta) {
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) centeredGroup4(x, y, (b * C + c) * HW, c, 1, HW, gamma, beta);
}

function rmsNorm4(x, y, B, C, HW, gamma) {
  const n = C * HW;
  for (let b = 0; b < B; b++) {
    const o = b * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += x[o + i] * x[o + i];
    const inv = 1 / Math.sqrt(s / n + EPS);
    for (let c = 0; c < C; c++) {
      const k = inv * gamma[c];
      const p = o + c * HW;
      for (let i = 0; i < HW; i++) y[p + i] = x[p + i] * k;
    }
  }
}

// The JS call for (family, shape), or null where the family is undefined (InstanceNorm, rank 2).
function jsKernel(family, shape, x, y, gamma, beta) {
  const [B, D] = shape.dims;
  if (shape.rank === 2) {
    switch (family.id) {
      case 'batchnorm': return () => batchNorm2(x, y, B, D, gamma, beta);
      case 'layernorm': return () => layerNorm2(x, y, B, D, gamma, beta);
      case 'rmsnorm': return () => rmsNorm2(x, y, B, D, gamma);
      case 'groupnorm': return () => groupNorm2(x, y, B, D, groupsFor(shape), gamma, beta);
      default: return null;
    }
  }
  const [, C, H, W] = shape.dims;
  const HW = H * W;
  switch (family.id) {
    case 'batchnorm': return () => batchNorm4(x, y, B, C, HW, gamma, beta);
    case 'layernorm': return () => layerNorm4(x, y, B, C, HW, gamma, beta);
    case 'rmsnorm': return () => rmsNorm4(x, y, B, C, HW, gamma);
    case 'groupnorm': return () => groupNorm4(x, y, B, C, HW, groupsFor(shape), gamma, beta);
    default: return () => instanceNorm4(x, y, B, C, HW, gamma, beta);
  }
}

// ---- timing --------------------------------------------------------------------------------

// Wall time over CPU time of every timed run: the header says how busy the machine was.
const wallOverCpu = [];

// runs: { impl: run(iters) }. Times every impl RUNS times, in interleaved rounds (each round
// runs every impl once, the order rotating from round to round), so a shared host's slow
// minutes fall on all of them alike and the ratios compare runs taken side by side; timing
// each impl's runs back to back let the ratios swing by a fifth between two bench runs.
// Returns { impl: { best, median } } seconds per repetition.
function measureAll(runs) {
  const impls = Object.keys(runs);
  const iters = Object.fromEntries(impls.map((i) => [i, calibrate(runs[i], RUN_MS)]));
  for (const i of impls) warm(runs[i], iters[i]);
  const times = Object.fromEntries(impls.map((i) => [i, []]));
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(r + k) % impls.length];
      const w0 = performance.now();
      const c0 = cpuNow();
      runs[impl](iters[impl]);
      const cpu = cpuNow() - c0;
      wallOverCpu.push((performance.now() - w0) / 1e3 / cpu);
      times[impl].push(cpu / iters[impl]);
    }
  }
  return Object.fromEntries(impls.map((i) => {
    const t = times[i].sort((a, b) => a - b);
    return [i, { best: t[0], median: t[t.length >> 1] }];
  }));
}

// ---- output checks -------------------------------------------------------------------------

// max |a - b| / (1 + |b|): the outputs are O(1), so this is a relative error.
function maxScaledDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
    if (Number.isNaN(d)) return NaN; // a mismatch, whatever follows
    if (d > m) m = d;
  }
  return m;
}

// ---- main ----------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const createNormlabBench = require(modulePath);
const M = await createNormlabBench();

const target = (impl) => M.UTF8ToString(M._bench_target(impl));
const cpu = (await import('node:os')).cpus()[0]?.model ?? 'unknown cpu';
console.log(`NormLab kernel benchmark: node ${process.version}, ${cpu}`);
console.log(`simd copy: ${target(0)}, scalar copy: ${target(1)}; ` +
            `${RUNS} runs of >= ${RUN_MS} ms CPU time per measurement, best run reported`);
console.log('GB/s = (input + output bytes) / time; eps 1e-5; GroupNorm G = 8 on (B,d), 32 on (B,C,H,W)');
console.log('');

const results = []; // {family, shape, impl, gbps, median, check}
const rows = [];
for (const shape of SHAPES) {
  const buf = shapeBuffers(M, shape);
  const { n, bytes, px, py, jx, jy, jg, jb, wy } = buf;

  for (const family of FAMILIES) {
    if (!selected(ONLY, family, shape) || !setupCase(M, family, shape, buf)) continue;
    const js = jsKernel(family, shape, jx, jy, jg, jb);

    // One pass each to compare outputs (informational).
    M._bench_norm(IMPL_ID.simd, 1);
    const ySimd = wy().slice();
    M._bench_norm(IMPL_ID.scalar, 1);
    const scalarBits = bitwiseEqual(wy(), ySimd);
    js();
    const jsDiff = maxScaledDiff(jy, ySimd);

    const run = {
      simd: (k) => M._bench_norm(IMPL_ID.simd, k),
      scalar: (k) => M._bench_norm(IMPL_ID.scalar, k),
      js: (k) => { for (let i = 0; i < k; i++) js(); },
      copy: (k) => M._bench_copy(py, px, n, k),
    };
    const row = { family: family.id, shape: shape.name, scalarBits, jsDiff };
    const timed = measureAll(run);
    for (const impl of IMPLS) {
      const t = timed[impl];
      row[impl] = { gbps: bytes / t.best / 1e9, median: bytes / t.median / 1e9 };
      results.push({ family: family.id, shape: shape.name, impl, gbps: +row[impl].gbps.toFixed(3) });
    }
    rows.push(row);
    process.stderr.write(`  measured ${family.id} ${shape.name}\n`);
  }
  buf.free();
}

// ---- report --------------------------------------------------------------------------------

const AIM = { js: 15, scalar: 4, copyLarge: 0.7 };
const pad = (s, w) => String(s).padStart(w);
const padr = (s, w) => String(s).padEnd(w);
const f1 = (v) => v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2);
const header = padr('family', 13) + padr('shape', 15) +
  IMPLS.map((i) => pad(i, 8)).join('') + pad('(median simd)', 14) +
  pad('simd/js', 10) + pad('simd/scalar', 12) + pad('simd/copy', 11) + '  check';
console.log('best-run GB/s (median of the simd runs in brackets); ratios from the best runs;');
console.log(`"<" marks a ratio under its aim (simd/js >= ${AIM.js}x, simd/scalar >= ${AIM.scalar}x, ` +
            `simd/copy >= ${AIM.copyLarge * 100}% on (4096,1024)),`);
console.log('"^" one that would stay under it even at copy speed ' +
            '(simd would have to beat the copy of the same bytes)');
console.log(header);
console.log('-'.repeat(header.length));
let misses = 0;
let beyond = 0;
for (const r of rows) {
  const rj = r.simd.gbps / r.js.gbps;
  const rs = r.simd.gbps / r.scalar.gbps;
  const rc = r.simd.gbps / r.copy.gbps;
  const large = r.shape === '(4096,1024)';
  // ' ' met; '<' under; '^' under even if simd ran at copy speed.
  const mark = (under, atCopy) => (!under ? ' ' : atCopy ? '<' : '^');
  const mj = mark(rj < AIM.js, r.copy.gbps / r.js.gbps >= AIM.js);
  const ms = mark(rs < AIM.scalar, r.copy.gbps / r.scalar.gbps >= AIM.scalar);
  const mc = mark(large && rc < AIM.copyLarge, true);
  misses += (mj !== ' ') + (ms !== ' ') + (mc !== ' ');
  beyond += (mj === '^') + (ms === '^') + (mc === '^');
  const check = (r.scalarBits ? 'scalar=simd bits' : 'SCALAR DIFFERS') +
    (r.jsDiff < 1e-4 ? `, js ${r.jsDiff.toExponential(0)}` : `, JS DIFFERS ${r.jsDiff}`);
  console.log(padr(r.family, 13) + padr(r.shape, 15) +
    IMPLS.map((i) => pad(f1(r[i].gbps), 8)).join('') + pad(`(${f1(r.simd.median)})`, 14) +
    pad(f1(rj) + 'x' + mj, 10) + pad(f1(rs) + 'x' + ms, 12) +
    pad((rc * 100).toFixed(0) + '%' + mc, 11) + '  ' + check);
}
console.log('');
wallOverCpu.sort((a, b) => a - b);
const busy = wallOverCpu[wallOverCpu.length >> 1];
console.log(`wall time / CPU time per run: median ${busy.toFixed(2)}` +
            (busy > 1.15 ? ' (the machine was busy: CPU time is what the table uses)' : ''));
console.log(misses === 0 ? 'every aim met'
  : `${misses} ratio(s) under their aim: ${misses - beyond} within reach at copy speed ("<"), ` +
    `${beyond} beyond it on this host ("^")`);
console.log(JSON.stringify(results));
