// bench/cases.mjs: what bench.mjs and ab.mjs share: the benchmark's cases (shapes, families,
// deterministic data in WASM and JS buffers) and its CPU-time clock.
// Knows the bench ABI of bench_kernels.cpp and nothing of the table either script prints.

// ---- cases ---------------------------------------------------------------------------------

export const SHAPES = [
  { name: '(64,768)', rank: 2, dims: [64, 768, 1, 1] },
  { name: '(512,768)', rank: 2, dims: [512, 768, 1, 1] },
  { name: '(4096,1024)', rank: 2, dims: [4096, 1024, 1, 1] },
  { name: '(32,64,32,32)', rank: 4, dims: [32, 64, 32, 32] },
];
// kind: the bench ABI of bench_kernels.cpp (0 batch, 1 layer, 2 rms, 3 group, 4 instance).
export const FAMILIES = [
  { id: 'batchnorm', kind: 0 },
  { id: 'layernorm', kind: 1 },
  { id: 'rmsnorm', kind: 2 },
  { id: 'groupnorm', kind: 3 },
  { id: 'instancenorm', kind: 4 },
];
export const groupsFor = (shape) => (shape.rank === 4 ? 32 : 8);

// True when "family shape" contains one of the filter's substrings (or the filter is empty).
export function selected(only, family, shape) {
  return only.length === 0 || only.some((o) => `${family.id} ${shape.name}`.includes(o));
}

// ---- data ----------------------------------------------------------------------------------

// Deterministic input: mulberry32 uniforms, about N(0.5, 1) by a sum of three.
export function fillInput(a, seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < a.length; i++) a[i] = 0.5 + (next() + next() + next() - 1.5) * 2;
}


// True when two Float32Arrays hold the same bits.
export function bitwiseEqual(a, b) {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

// The buffers of one shape in module M: x, y, gamma, beta in WASM memory (px, py, pg, pb) and
// the same input in JS arrays (jx, jg, jb; jy for the JS kernel's output). gamma and beta vary
// by channel. free() releases the WASM side.
export function shapeBuffers(M, shape) {
  const n = shape.dims.slice(0, shape.rank).reduce((a, b) => a * b, 1);
  const C = shape.dims[1];
  // WASM buffers (allocated before any view is taken; memory may grow).
  const px = M._bench_alloc(n), py = M._bench_alloc(n);
  const pg = M._bench_alloc(C), pb = M._bench_alloc(C);
  const view = (p, len) => M.HEAPF32.subarray(p >> 2, (p >> 2) + len);
  // JS buffers: the plain-JS sim owns its own arrays.
  const jx = new Float32Array(n), jy = new Float32Array(n);
  const jg = new Float32Array(C), jb = new Float32Array(C);
  fillInput(jx, 12345 + n);
  for (let c = 0; c < C; c++) {
    jg[c] = 0.5 + 0.1 * (c % 7);
    jb[c] = -0.3 + 0.05 * (c % 5);
  }
  view(px, n).set(jx);
  view(pg, C).set(jg);
  view(pb, C).set(jb);
  return {
    n, C, bytes: 2 * n * 4, px, py, pg, pb, jx, jy, jg, jb,
    wy: () => view(py, n),
    free: () => { M._bench_free(px); M._bench_free(py); M._bench_free(pg); M._bench_free(pb); },
  };
}

// Points the module's kernels at (family, shape) on these buffers; false where the family is
// not defined for the shape (InstanceNorm on rank 2).
export function setupCase(M, family, shape, buf) {
  const [d0, d1, d2, d3] = shape.dims;
  return !M._bench_setup(family.kind, groupsFor(shape), shape.rank, d0, d1, d2, d3,
                         buf.px, buf.py, buf.pg, buf.pb);
}

// ---- timing --------------------------------------------------------------------------------

// Time is the process's CPU time (user + system), not wall time: on a shared machine (other
// builds running) a preempted run would otherwise count the time it did not run. On an idle
// machine the two agree (bench.mjs reports their ratio). The measured loops allocate nothing,
// so no GC or compiler thread adds CPU time to it.
export function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6; // seconds
}

// How many repetitions of run(iters) make one timed run of >= runMs: run is warmed up and
// calibrated until one call takes >= 1/4 of a run.
export function calibrate(run, runMs) {
  const target = runMs / 1e3;
  let iters = 1;
  let t = 0;
  for (;;) {
    const c0 = cpuNow();
    run(iters);
    t = cpuNow() - c0;
    if (t >= target / 4) break;
    iters = t < 1e-3 ? iters * 8 : Math.max(iters + 1, Math.ceil((iters * target) / 4 / t * 1.2));
  }
  return Math.max(1, Math.ceil((iters * target) / t));
}

// Runs run(iters) until it stops getting faster: a run no more than 3% under the best before
// it, after at least two (at most 12). Printed run by run, the first timed runs of a case were
// often its slowest, the plain-JS ones by up to 2x: the best-of-RUNS figure then rested on
// fewer settled runs.
export function warm(run, iters) {
  let best = Infinity;
  for (let k = 0; k < 12; k++) {
    const c0 = cpuNow();
    run(iters);
    const t = cpuNow() - c0;
    if (k >= 2 && t >= 0.97 * best) return;
    best = Math.min(best, t);
  }
}

