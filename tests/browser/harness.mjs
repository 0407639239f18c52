// tests/browser/harness.mjs: a small test runner around playwright-core and Debian's
// Chromium. Serves dist/ on 127.0.0.1, opens pages, records console errors and requests
// that try to leave the origin, saves screenshots to tests/browser/out/, and prints
// "N passed, M failed" as its last line.
import { chromium } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tools/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const outDir = join(here, 'out');
const distDir = process.env.NORMLAB_DIST || join(here, '..', '..', 'dist');

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'];

const tests = [];
export function test(name, fn) { tests.push({ name, fn }); }

export class Expectation extends Error {}
export function expect(cond, message) { if (!cond) throw new Expectation(message); }
export function near(a, b, tol, what) {
  expect(Math.abs(a - b) <= tol, `${what}: expected ${b} ± ${tol}, got ${a}`);
}

// Opens a page at `query` (e.g. "?family=layernorm") and waits until the app drew frames.
async function openApp(ctx, base, query = '', viewport = { width: 1280, height: 800 }, before = null) {
  const page = await ctx.newPage();
  await page.setViewportSize(viewport);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push('request left the origin: ' + r.url());
  });
  if (before) await before(page);
  await page.goto(base + query);
  await page.waitForFunction(() => window.NormLab?.state()?.frames > 5, null, { timeout: 30000 });
  const app = {
    page, problems,
    state: () => page.evaluate(() => window.NormLab.state()),
    // Opens a walkthrough at a step (1-based) and waits until it is open: a walkthrough's file
    // is fetched the first time it opens, so the command may take a few frames.
    async openScenario(id, step) {
      await page.evaluate(([i, n]) => window.NormLab.command({ op: 'scenario', id: i, step: n }), [id, step]);
      await page.waitForFunction(([i, n]) => {
        const s = window.NormLab.state();
        return s.scenario === i && s.step === n && s.opening === '';
      }, [id, step], { timeout: 10000 });
      return page.evaluate(() => window.NormLab.state());
    },
    // Saves a PNG screenshot and returns pixel statistics of it.
    async shot(name) {
      const png = await page.screenshot();
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, name + '.png'), png);
      return pixelStats(page.context(), png);
    },
    noProblems() { expect(problems.length === 0, problems.join('\n')); },
  };
  return app;
}

// Colour statistics of a PNG, decoded in a blank scratch page (the app's page may run under a
// Content-Security-Policy that forbids fetching data: URLs).
export async function pixelStats(ctx, png) {
  const scratch = await ctx.newPage();
  try {
    return await scratch.evaluate(async (b64) => {
      const img = await createImageBitmap(await (await fetch('data:image/png;base64,' + b64)).blob());
      const c = new OffscreenCanvas(img.width, img.height);
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, img.width, img.height).data;
      const colours = new Set();
      let nonBackground = 0;
      for (let i = 0; i < d.length; i += 4 * 7) {
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) nonBackground++;
      }
      return { width: img.width, height: img.height, colours: colours.size,
        nonBackgroundFraction: nonBackground / (d.length / (4 * 7)) };
    }, png.toString('base64'));
  } finally {
    await scratch.close();
  }
}

export async function run(filter = '') {
  const server = await startServer(distDir, 0);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_FLAGS });
  let passed = 0, failed = 0;
  for (const t of tests.filter((x) => x.name.includes(filter))) {
    const ctx = await browser.newContext();
    const started = Date.now();
    // serve(headers): dist/ once more on another port, i.e. another origin (a course page).
    const servers = [];
    const serve = async (headers = {}) => {
      const s = await startServer(distDir, 0, '127.0.0.1', headers);
      servers.push(s);
      return `http://127.0.0.1:${s.address().port}/`;
    };
    try {
      await t.fn({ open: (query, viewport, before) => openApp(ctx, base, query, viewport, before), base, ctx, serve,
        openAt: (at, query, viewport, before) => openApp(ctx, at, query, viewport, before), distDir });
      passed++;
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n     ${String(e.stack || e).split('\n').join('\n     ')}`);
    } finally {
      await ctx.close();
      servers.forEach((s) => s.close());
    }
  }
  await browser.close();
  server.close();
  console.log(`screenshots: ${outDir}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
