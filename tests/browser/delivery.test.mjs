// tests/browser/delivery.test.mjs: how NormLab reaches a browser (issue #6): a strict
// Content-Security-Policy, the non-SIMD fallback, the message where WebGL2 is missing,
// recovery from a lost WebGL context, the single-file build from file://, the first frame and
// a heap that does not grow while the board animates.
import { readFile, access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STRICT_CSP as CSP } from '../../tools/serve.mjs';
import { expect, near, pixelStats, test } from './harness.mjs';

// Fails the page on any CSP violation: Chromium reports them as console errors too, but the
// event also catches reports the console might word differently.
async function reportViolations(page) {
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`)));
}

test('delivery: runs under a strict CSP with no eval, no inline script or style', async ({ serve, openAt, distDir }) => {
  const js = await readFile(join(distDir, 'normlab.js'), 'utf8');
  expect(!/eval\(|new Function/.test(js), 'normlab.js contains no eval( or new Function');
  const html = await readFile(join(distDir, 'index.html'), 'utf8');
  expect(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'index.html has no inline <script>');
  expect(!/\sstyle=/.test(html) && !/<style/.test(html), 'index.html has no inline style');

  const base = await serve({ 'Content-Security-Policy': CSP });
  const app = await openAt(base, '?scenario=02_batchnorm', undefined, reportViolations);
  const response = await app.page.evaluate(() => fetch(location.href).then((r) => r.headers.get('content-security-policy')));
  expect(response === CSP, `the page was served with the policy, got ${response}`);
  const s = await app.state();
  expect(s.fontLoaded === true, 'the UI font was fetched under the policy');
  expect(s.scenario === '02_batchnorm' && s.error === '', `a walkthrough opened under the policy (${s.scenario}, "${s.error}")`);
  const r = await app.page.evaluate(() => Array.from(NormLab.normalize({ family: 'layernorm', shape: [1, 4], x: [1, 2, 3, 4] }).y));
  near(r[3], 1.5 / Math.sqrt(1.25 + 1e-5), 1e-5, 'a kernel call under the policy');   // (4 - mean) / std
  const px = await app.shot('delivery-csp');
  expect(px.colours > 200 && px.nonBackgroundFraction > 0.15, `the board draws under the policy (${px.colours} colours)`);
  app.noProblems();
});

test('delivery: the non-SIMD build loads with ?wasm=nosimd and computes the same numbers', async ({ open, distDir }) => {
  const shipped = await access(join(distDir, 'normlab-nosimd.wasm')).then(() => true, () => false);
  expect(shipped, 'dist/ ships normlab-nosimd.wasm');
  const wasm = [];
  const app = await open('?wasm=nosimd&family=layernorm', undefined, (page) =>
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url().split('/').pop()); }));
  expect(wasm.join() === 'normlab-nosimd.wasm', `only the fallback was downloaded, got ${wasm.join()}`);
  expect(await app.page.evaluate(() => NormLabPage.variant) === 'normlab-nosimd', 'page reports the fallback variant');
  const x = Array.from({ length: 6 * 37 }, (_, i) => Math.sin(i * 0.7) * 3 + (i % 5));
  const out = await app.page.evaluate((x) => {
    const a = NormLab.normalize({ family: 'groupnorm', shape: [2, 6, 37, 1], x, groups: 3, impl: 'simd' });
    const b = NormLab.normalize({ family: 'groupnorm', shape: [2, 6, 37, 1], x, groups: 3, impl: 'reference' });
    return { a: Array.from(a.y), b: Array.from(b.y), mean: Array.from(a.mean) };
  }, x.concat(x));
  // Group 0 of example 0: the first 2 channels x 37 values, mean computed here in doubles.
  const g0 = x.slice(0, 74);
  near(out.mean[0], g0.reduce((p, v) => p + v, 0) / 74, 1e-5, 'fallback group mean');
  const worst = Math.max(...out.a.map((v, i) => Math.abs(v - out.b[i])));
  expect(worst < 1e-5, `fallback fast path agrees with the reference (max diff ${worst})`);
  const px = await app.shot('delivery-nosimd');
  expect(px.colours > 200 && px.nonBackgroundFraction > 0.15, 'the fallback draws the board');
  app.noProblems();
});

test('delivery: without WebGL2 the page says so instead of a blank box', async ({ ctx, base }) => {
  const page = await ctx.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
      return type === 'webgl2' ? null : getContext.call(this, type, ...rest);
    };
  });
  await page.goto(base);
  await page.waitForSelector('#status.error', { timeout: 10000 });
  const text = await page.textContent('#status-text');
  expect(/needs WebGL2/.test(text) && /hardware acceleration/.test(text), `message names WebGL2 and what to do: "${text}"`);
  expect(await page.isVisible('#status-text'), 'the message is visible');
  expect(!requests.some((u) => /normlab(-nosimd)?\.(js|wasm)$/.test(u)), 'the app itself is not downloaded');
  const px = await pixelStats(ctx, await page.screenshot({ path: join('tests', 'browser', 'out', 'delivery-no-webgl2.png') }));
  expect(px.nonBackgroundFraction > 0.002, 'text is drawn on the page');
});

test('delivery: without its UI font the page says what is wrong instead of starting', async ({ ctx, base }) => {
  // A host that answers a missing file with its home page (status 200, HTML), and one that
  // answers 404 (the page tries the font twice before giving up).
  for (const [label, answer, pattern] of [
    ['html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>home</p>' }),
      /not a TrueType font/],
    ['404', (route) => route.fulfill({ status: 404, body: 'missing' }), /did not arrive/]]) {
    const page = await ctx.newPage();
    let fontRequests = 0;
    await page.route('**/normlab-ui.ttf', (route) => { ++fontRequests; return answer(route); });
    await page.goto(base);
    await page.waitForSelector('#status.error', { timeout: 15000 });
    const text = await page.textContent('#status-text');
    expect(pattern.test(text) && /whole dist\/ folder/.test(text), `${label}: the message says why and what to do: "${text}"`);
    expect(await page.isVisible('#status-text'), `${label}: the message is visible`);
    if (label === '404') expect(fontRequests === 2, `the font was tried twice, got ${fontRequests}`);
    await page.screenshot({ path: join('tests', 'browser', 'out', `delivery-no-font-${label}.png`) });
    await page.close();
  }
});

test('delivery: a lost WebGL context is restored and the board draws again', async ({ open }) => {
  const app = await open('?family=batchnorm&batch=8&features=12');
  await app.page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await app.page.waitForTimeout(200);
  const before = await app.shot('delivery-context-before');
  await app.page.evaluate(() => {
    window.loseExt = document.getElementById('canvas').getContext('webgl2').getExtension('WEBGL_lose_context');
    window.loseExt.loseContext();
  });
  await app.page.waitForFunction(() => document.getElementById('canvas').getContext('webgl2').isContextLost());
  const framesLost = (await app.state()).frames;
  await app.page.waitForTimeout(300);
  expect((await app.state()).frames - framesLost <= 1, 'no frames are drawn while the context is lost');
  await app.page.evaluate(() => window.loseExt.restoreContext());
  await app.page.waitForFunction((n) => NormLab.state().frames > n + 10, framesLost, { timeout: 10000 });
  const after = await app.shot('delivery-context-after');
  expect(after.colours > 200, `heatmap textures are back after the restore (${after.colours} colours)`);
  near(after.nonBackgroundFraction, before.nonBackgroundFraction, 0.02, 'drawn fraction before vs after');
  near(after.colours, before.colours, before.colours * 0.1, 'distinct colours before vs after');
  expect((await app.state()).error === '', 'no lab error');
  app.noProblems();
});

test('delivery: the single file runs from file:// with no request', async ({ ctx, distDir }) => {
  const file = resolve(process.env.NORMLAB_OFFLINE || join(distDir, '..', 'dist-offline', 'normlab.html'));
  await access(file).catch(() => { throw new Error(`${file} is missing (tools/test builds it)`); });
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const problems = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(url) && !/^(data|blob):/.test(r.url())) problems.push('request: ' + r.url());
  });
  await page.goto(url + '?scenario=02_batchnorm&step=2');
  await page.waitForFunction(() => window.NormLab?.state()?.frames > 5, null, { timeout: 30000 });
  const s = await page.evaluate(() => NormLab.state());
  expect(s.scenarios >= 8 && s.scenarioErrors.length === 0, `walkthroughs come from the file (${s.scenarios})`);
  expect(s.scenario === '02_batchnorm' && s.step === 2, `the deep link opened a walkthrough, got ${s.scenario} ${s.step}`);
  expect(s.fontLoaded === true, 'the UI font comes from the file');
  const png = await page.screenshot({ path: join('tests', 'browser', 'out', 'delivery-offline.png') });
  const px = await pixelStats(ctx, png);
  expect(px.colours > 200 && px.nonBackgroundFraction > 0.15, `the board draws from file:// (${px.colours} colours)`);
  expect(problems.length === 0, problems.join('\n'));
});

test('delivery: first frame is timed and the heap does not grow while animating (25 s)', async ({ open }) => {
  const app = await open('?family=layernorm');
  const s0 = await app.page.evaluate(() => NormLab.stats());
  // A sanity bound only: the 1.5 s budget is measured by tools/budget on an idle machine.
  expect(s0.firstFrameMs > 0 && s0.firstFrameMs < 15000, `first frame at ${s0.firstFrameMs} ms after navigation`);
  const cdp = await app.page.context().newCDPSession(app.page);
  const jsHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  await app.page.waitForTimeout(3000);   // warm-up: caches, histograms, font atlas
  const wasm0 = (await app.page.evaluate(() => NormLab.stats())).heapBytes;
  const js0 = await jsHeap();
  const frames0 = (await app.state()).frames;
  await app.page.waitForTimeout(25000);
  const wasm1 = (await app.page.evaluate(() => NormLab.stats())).heapBytes;
  const js1 = await jsHeap();
  const frames1 = (await app.state()).frames;
  expect(frames1 - frames0 > 100, `the board animated (${frames1 - frames0} frames)`);
  expect(wasm1 === wasm0, `WASM memory did not grow: ${wasm0} -> ${wasm1} bytes`);
  expect(js1 - js0 < 512 * 1024, `JS heap after GC grew by ${((js1 - js0) / 1024).toFixed(0)} KiB (limit 512)`);
  app.noProblems();
});

test('delivery: loading shows the bytes of the .wasm downloaded, then hides', async ({ open, distDir }) => {
  const wasmKiB = Math.round((await readFile(join(distDir, 'normlab.wasm'))).length / 1024);
  const app = await open('', undefined, (page) => page.addInitScript(() => {
    window.statusLog = [];
    new MutationObserver(() => {
      const t = document.getElementById('status-text');
      const bar = document.getElementById('status-progress');
      if (t) window.statusLog.push({ text: t.textContent, value: bar ? bar.value : null });
    }).observe(document, { subtree: true, childList: true, characterData: true });
  }));
  const log = await app.page.evaluate(() => window.statusLog);
  const bytes = log.map((e) => /Downloading NormLab: ([\d,]+) of ([\d,]+) KiB/.exec(e.text)).filter((m) => m);
  expect(bytes.length >= 2, `progress named the bytes at least twice: ${JSON.stringify(log.map((e) => e.text))}`);
  const total = Number(bytes[0][2].replace(/,/g, ''));
  near(total, wasmKiB, 1, 'progress total is the size of normlab.wasm in KiB');
  expect(Number(bytes[bytes.length - 1][1].replace(/,/g, '')) > Number(bytes[0][1].replace(/,/g, '')), 'the count went up');
  expect(await app.page.isHidden('#status'), 'the status box is hidden once the app runs');
  app.noProblems();
});
