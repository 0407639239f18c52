// bench/ab.mjs: is build B faster than build A? Both kernel builds are loaded into one Node
// process and timed turn about on the same case, so the host's slow seconds hit both alike.
//   node --no-experimental-fetch --no-liftoff bench/ab.mjs A/normlab_bench.js B/normlab_bench.js
//   BENCH_ONLY='groupnorm;(64,768)'  cases as in bench.mjs      AB_IMPL=scalar  the scalar copies
//   AB_ROUNDS=40  timed pairs per case                          AB_MS=25  CPU ms per timing
// Per case it prints both builds' median GB/s and the median and quartiles of B's speed over
// A's across the pairs (> 1: B is faster), and whether their outputs are the same bits. A
// benchmark for kernel changes (bench/README.md "Comparing two builds"), not a test.
import { createRequire } from 'node:module';
import path from 'node:path';
import { FAMILIES, SHAPES, bitwiseEqual, calibrate, cpuNow, selected, setupCase, shapeBuffers,
  warm } from './cases.mjs';

const [pathA, pathB] = process.argv.slice(2).map((p) => path.resolve(p));
if (!pathA || !pathB) {
  console.error('usage: node --no-experimental-fetch --no-liftoff bench/ab.mjs A.js B.js');
  process.exit(2);
}
const ONLY = (process.env.BENCH_ONLY ?? '').split(';').filter(Boolean);
const IMPL = { simd: 0, scalar: 1 }[process.env.AB_IMPL ?? 'simd'];
if (IMPL === undefined) {
  console.error(`AB_IMPL must be simd or scalar, not "${process.env.AB_IMPL}"`);
  process.exit(2);
}
const ROUNDS = Math.max(4, Number(process.env.AB_ROUNDS ?? 40));
const RUN_MS = Number(process.env.AB_MS ?? 25);

const require = createRequire(import.meta.url);
const load = async (p) => require(p)();
const [A, B] = [await load(pathA), await load(pathB)];

const quantile = (v, q) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];

console.log(`A ${pathA}\nB ${pathB}`);
console.log(`${process.env.AB_IMPL ?? 'simd'} kernels, ${ROUNDS} pairs of >= ${RUN_MS} ms CPU time per case`);
for (const shape of SHAPES) {
  const bufA = shapeBuffers(A, shape), bufB = shapeBuffers(B, shape);
  for (const family of FAMILIES) {
    if (!selected(ONLY, family, shape)) continue;
    if (!setupCase(A, family, shape, bufA) || !setupCase(B, family, shape, bufB)) continue;
    const runA = (k) => A._bench_norm(IMPL, k), runB = (k) => B._bench_norm(IMPL, k);
    runA(1);
    runB(1);
    const bits = bitwiseEqual(bufA.wy(), bufB.wy()) ? 'same bits' : 'OUTPUTS DIFFER';
    const iters = calibrate(runA, RUN_MS);
    warm(runA, iters);
    warm(runB, iters);
    const tA = [], tB = [], speed = [];
    const time = (run) => {
      const c0 = cpuNow();
      run(iters);
      return (cpuNow() - c0) / iters;
    };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which build goes first, so neither always follows the other.
      let a, b;
      if (r % 2) {
        b = time(runB);
        a = time(runA);
      } else {
        a = time(runA);
        b = time(runB);
      }
      tA.push(a);
      tB.push(b);
      speed.push(a / b);
    }
    const gbps = (t) => bufA.bytes / t / 1e9;
    console.log(`${`${family.id} ${shape.name}`.padEnd(27)} A ${gbps(quantile(tA, 0.5)).toFixed(1).padStart(5)}` +
      `  B ${gbps(quantile(tB, 0.5)).toFixed(1).padStart(5)} GB/s (medians)   B/A speed ` +
      `${quantile(speed, 0.5).toFixed(3)} [${quantile(speed, 0.25).toFixed(3)}, ` +
      `${quantile(speed, 0.75).toFixed(3)}]   ${bits}`);
  }
  bufA.free();
  bufB.free();
}
