// tools/budget.mjs: NormLab's delivery budgets, measured (a benchmark: it prints figures and
// never fails on them). Run through tools/budget.
//   node tools/budget.mjs [--dist DIR] [--loads N] [--minutes M] [--no-browser]
//                         [--breakdown build/web/normlab.wasm]
// 0. with --breakdown: code bytes per library/namespace of a .wasm that kept its function
//    names (the build dir's copy, linked with --profiling-funcs), from wasm-objdump -x.
// 1. size: every file of DIST raw and gzip -9, and what a browser really downloads for the
//    page (the requests of one headless load, per build variant, for a Spanish page and for a
//    link into a walkthrough); budget 450 KiB gzipped.
// 2. first frame: NormLab.stats().firstFrameMs (since navigation start) over N fresh loads
//    from a localhost server; budget 1.5 s.
// 2b. first curve (issue #7): ?view=training, seconds from the lab's runs being built to every
//    run of the default experiment having a curve (NormLab.state().train.firstCurveS), over N
//    loads; budget 1 s. The frame time while it trains is printed beside it.
// 3. heap: the board animates for M minutes; NormLab.stats().heapBytes (WASM memory) and the
//    JS heap after a forced GC are sampled every 10 s; budget: no growth.
import { createRequire } from 'node:module';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { startServer } from './serve.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const dist = resolve(opt('--dist', process.env.NORMLAB_DIST || join(root, 'dist')));
const loads = Number(opt('--loads', 5));
const minutes = Number(opt('--minutes', 1));
const browserRuns = !args.includes('--no-browser');
const BUDGET_KIB = 450, FIRST_FRAME_MS = 1500, FIRST_CURVE_S = 1.0;

const kib = (n) => (n / 1024).toFixed(1).padStart(8);
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

async function filesUnder(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

// ---- 0. what is big -------------------------------------------------------------------------
const LIBRARIES = [
  ['nlohmann json', /nlohmann/], ['normlab::kernels', /normlab::kernels/], ['normlab::train', /normlab::train/],
  ['normlab::scenario', /normlab::scenario/], ['normlab::ui', /normlab::ui/], ['normlab::sim', /normlab::sim/],
  ['normlab::viz', /normlab::viz/], ['normlab::platform', /normlab::platform/], ['normlab (app, core, C API)', /normlab/],
  ['Dear ImGui + stb', /ImGui|^Im[A-Z]|stb|imgui/], ['SDL2', /SDL|^Emscripten_|^EGL|BlitN|^Blit/],
  ['libc++ / libc++abi', /std::|__cxa|__cxxabiv/],
];
const breakdown = opt('--breakdown', '');
if (breakdown) {
  const dump = execFileSync('wasm-objdump', ['-x', breakdown], { maxBuffer: 1 << 28 }).toString();
  const code = dump.slice(dump.indexOf('\nCode['), dump.indexOf('\nData['));
  const sums = new Map();
  let all = 0;
  for (const m of code.matchAll(/size=(\d+) <(.*)>/g)) {
    const lib = (LIBRARIES.find(([, re]) => re.test(m[2])) || ['libc, GL and other'])[0];
    sums.set(lib, (sums.get(lib) || 0) + Number(m[1]));
    all += Number(m[1]);
  }
  console.log(`== code bytes per library in ${breakdown} (KiB, function bodies)`);
  for (const [lib, n] of [...sums].sort((a, b) => b[1] - a[1])) console.log(`${kib(n)}  ${lib}`);
  console.log(`${kib(all)}  all functions`);
}

// ---- 1. size ------------------------------------------------------------------------------
const sizes = new Map();
let totalRaw = 0, totalGz = 0;
for (const f of await filesUnder(dist)) {
  const buf = await readFile(f);
  const entry = { raw: buf.length, gz: gz(buf) };
  sizes.set(relative(dist, f), entry);
  totalRaw += entry.raw;
  totalGz += entry.gz;
}
console.log(`== dist/ (${dist}) per file: KiB raw, KiB gzip -9`);
for (const [name, s] of sizes) console.log(`${kib(s.raw)} ${kib(s.gz)}  ${name}`);
console.log(`${kib(totalRaw)} ${kib(totalGz)}  total of dist/ (${sizes.size} files)`);

if (!browserRuns) process.exit(0);

const require = createRequire(join(root, 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const server = await startServer(dist, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });

async function load(query, onRequest) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  if (onRequest) page.on('request', onRequest);
  await page.goto(base + query);
  await page.waitForFunction(() => window.NormLab?.stats()?.frames > 5, null, { timeout: 60000 });
  return { ctx, page };
}

try {
  for (const [label, query] of [['SIMD build', ''], ['non-SIMD fallback', '?wasm=nosimd'],
    ['SIMD build, Spanish page', '?lang=es'], ['SIMD build, a walkthrough link', '?scenario=05_layernorm&step=2']]) {
    if (label === 'non-SIMD fallback' && !sizes.has('normlab-nosimd.wasm')) continue;
    const urls = new Set();
    const { ctx } = await load(query, (r) => urls.add(decodeURIComponent(new URL(r.url()).pathname).slice(1) || 'index.html'));
    await ctx.close();
    let raw = 0, z = 0;
    const parts = [];
    for (const u of urls) {
      const s = sizes.get(u);
      if (!s) continue;
      raw += s.raw;
      z += s.gz;
      if (s.gz > 8 * 1024) parts.push(`${u} ${(s.gz / 1024).toFixed(0)}`);
    }
    console.log(`== download, ${label}: ${urls.size} requests, ${kib(raw).trim()} KiB raw, ` +
      `${kib(z).trim()} KiB gzipped (budget ${BUDGET_KIB}: ${z <= BUDGET_KIB * 1024 ? 'within' : 'OVER'}); ` +
      `largest gz KiB: ${parts.join(', ')}`);
  }

  // ---- 2. first frame ---------------------------------------------------------------------
  const firsts = [];
  for (let i = 0; i < loads; i++) {
    const { ctx, page } = await load('');
    firsts.push((await page.evaluate(() => NormLab.stats())).firstFrameMs);
    await ctx.close();
  }
  firsts.sort((a, b) => a - b);
  console.log(`== first frame over ${loads} loads: median ${firsts[firsts.length >> 1].toFixed(0)} ms, ` +
    `min ${firsts[0].toFixed(0)}, max ${firsts[firsts.length - 1].toFixed(0)} ` +
    `(budget ${FIRST_FRAME_MS} ms: ${firsts[firsts.length >> 1] <= FIRST_FRAME_MS ? 'within' : 'OVER'})`);

  // ---- 2b. first training curve ------------------------------------------------------------
  const curves = [];
  let frameP95 = 0;
  for (let i = 0; i < loads; i++) {
    const { ctx, page } = await load('?view=training');
    await page.waitForFunction(() => NormLab.state().train.firstCurveS >= 0, null, { timeout: 60000 });
    curves.push(await page.evaluate(() => NormLab.state().train.firstCurveS));
    frameP95 = Math.max(frameP95, (await page.evaluate(() => NormLab.stats())).frameMsP95);
    await ctx.close();
  }
  curves.sort((a, b) => a - b);
  const medianCurve = curves[curves.length >> 1];
  console.log(`== first training curve (lr sweep, 20 runs) over ${loads} loads: median ${medianCurve.toFixed(3)} s, ` +
    `min ${curves[0].toFixed(3)}, max ${curves[curves.length - 1].toFixed(3)} ` +
    `(budget ${FIRST_CURVE_S} s: ${medianCurve <= FIRST_CURVE_S ? 'within' : 'OVER'}); ` +
    `worst frame p95 while starting ${frameP95.toFixed(1)} ms`);

  // ---- 3. heap ----------------------------------------------------------------------------
  if (minutes > 0) {
    const { ctx, page } = await load('?family=layernorm');
    const cdp = await ctx.newCDPSession(page);
    const sample = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const js = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      const s = await page.evaluate(() => NormLab.stats());
      return { js, wasm: s.heapBytes, frames: s.frames, p95: s.frameMsP95 };
    };
    await page.waitForTimeout(5000);   // warm-up: caches, histograms, font atlas
    const first = await sample();
    console.log(`== heap over ${minutes} min of animation (sample every 10 s)`);
    console.log('     s   frames  wasm KiB   js KiB  frame p95 ms');
    const started = Date.now();
    let last = first;
    for (;;) {
      const t = (Date.now() - started) / 1000;
      console.log(`${t.toFixed(0).padStart(6)} ${String(last.frames).padStart(8)} ${kib(last.wasm)}  ${kib(last.js)}  ${last.p95?.toFixed(2)}`);
      if (t >= minutes * 60) break;
      await page.waitForTimeout(Math.min(10000, minutes * 60000 - (Date.now() - started)) || 1);
      last = await sample();
    }
    const grewWasm = last.wasm - first.wasm, grewJs = last.js - first.js;
    console.log(`== heap growth: wasm ${grewWasm} bytes, js ${(grewJs / 1024).toFixed(1)} KiB over ` +
      `${last.frames - first.frames} frames (budget: no growth; ${grewWasm === 0 && grewJs < 512 * 1024 ? 'within' : 'OVER'})`);
    await ctx.close();
  }
} finally {
  await browser.close();
  server.close();
}
