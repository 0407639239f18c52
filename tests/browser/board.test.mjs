// tests/browser/board.test.mjs: the normalization board in headless Chromium.
import { expect, near, run, test } from './harness.mjs';

test('default page loads, draws a non-blank canvas, no console errors', async ({ open }) => {
  const app = await open('');
  const s = await app.state();
  expect(s.family === 'batchnorm', `default family is batchnorm, got ${s.family}`);
  expect(s.fontLoaded === true, 'the UI font (with Greek glyphs) was loaded from the bundle');
  expect(s.error === '', `no lab error, got "${s.error}"`);
  const px = await app.shot('board-batchnorm-1280x800');
  expect(px.width === 1280 && px.height === 800, `screenshot is 1280x800, got ${px.width}x${px.height}`);
  expect(px.colours > 200, `canvas shows a heatmap (distinct colours: ${px.colours})`);
  expect(px.nonBackgroundFraction > 0.15, `canvas is not blank (${(px.nonBackgroundFraction * 100).toFixed(1)}% drawn)`);
  app.noProblems();
});

test('BatchNorm highlights a column: B cells, normalized to mean 0, std 1', async ({ open }) => {
  const app = await open('?family=batchnorm&batch=8&features=12');
  const s = await app.state();
  expect(s.groupCount === 12 && s.groupSize === 8, `12 column groups of 8 cells, got ${s.groupCount} x ${s.groupSize}`);
  near(s.after.mean, 0, 1e-5, 'normalized column mean');
  near(s.after.std, 1, 1e-3, 'normalized column std');
  app.noProblems();
});

for (const family of ['layernorm', 'rmsnorm']) {
  test(`?family=${family} selects ${family}: rows of d cells`, async ({ open }) => {
    const app = await open(`?family=${family}&batch=8&features=12`);
    const s = await app.state();
    expect(s.family === family, `family from the URL, got ${s.family}`);
    expect(s.groupCount === 8 && s.groupSize === 12, `8 row groups of 12 cells, got ${s.groupCount} x ${s.groupSize}`);
    if (family === 'layernorm') {
      near(s.after.mean, 0, 1e-5, 'LayerNorm row mean');
      near(s.after.std, 1, 1e-3, 'LayerNorm row std');
    } else {
      near(s.after.rms, 1, 1e-3, 'RMSNorm row RMS');
      expect(Math.abs(s.after.mean) > 1e-3 || Math.abs(s.before.mean) < 1e-3, 'RMSNorm does not center the row');
    }
    const px = await app.shot(`board-${family}-1280x800`);
    expect(px.nonBackgroundFraction > 0.15, 'canvas is not blank');
    app.noProblems();
  });
}

test('the outline sweeps through the groups', async ({ open }) => {
  const app = await open('?family=layernorm');
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    seen.add((await app.state()).group);
    await app.page.waitForTimeout(250);
  }
  expect(seen.size >= 3, `highlighted group changed over 3 s (groups seen: ${[...seen].join(',')})`);
  app.noProblems();
});

test('phone screen 390x844: stacked layout, not blank', async ({ open }) => {
  const app = await open('?family=layernorm', { width: 390, height: 844 });
  const px = await app.shot('board-layernorm-390x844');
  expect(px.width === 390 && px.nonBackgroundFraction > 0.1, 'phone layout draws the board');
  app.noProblems();
});

test('bad URL values get a message, not a crash', async ({ open }) => {
  const app = await open('?family=bogusnorm&batch=999&features=abc');
  const s = await app.state();
  expect(s.family === 'batchnorm', 'unknown family falls back to BatchNorm');
  expect(s.shape[0] === 64, `batch=999 is clamped to 64, got ${s.shape[0]}`);
  expect(/unknown family 'bogusnorm'/.test(s.note), `note names the bad family: "${s.note}"`);
  expect(/features=abc is not a whole number/.test(s.note), `note names the bad number: "${s.note}"`);
  const px = await app.shot('board-bad-url');
  expect(px.colours > 200 && px.nonBackgroundFraction > 0.15, 'the board is still drawn after bad URL values');
  expect(app.problems.length === 0, app.problems.join('\n'));
});

test('B=1 and d=1 still draw without NaN', async ({ open }) => {
  for (const q of ['?family=batchnorm&batch=1', '?family=layernorm&features=1']) {
    const app = await open(q);
    const s = await app.state();
    expect(s.error === '', `no error for ${q}`);
    expect(Number.isFinite(s.after.mean) && Number.isFinite(s.after.std), `${q}: finite statistics`);
    near(s.after.mean, 0, 1e-6, `${q}: a single-cell group normalizes to beta = 0`);
    app.noProblems();
  }
});

test('window.NormLab.normalize runs the C++ kernels from JavaScript', async ({ open }) => {
  const app = await open('');
  const r = await app.page.evaluate(() => {
    const out = {};
    const ln = NormLab.normalize({ family: 'layernorm', shape: [2, 3], x: [1, 2, 3, 10, 10, 40] });
    out.ln = { y: Array.from(ln.y), mean: Array.from(ln.mean), var: Array.from(ln.var) };
    const bn = NormLab.normalize({ family: 'batchnorm', shape: [2, 2], x: [1, 5, 3, 9], impl: 'reference' });
    out.bn = Array.from(bn.y);
    for (const [k, o] of Object.entries({
      badFamily: { family: 'nonorm', shape: [2, 2], x: [1, 2, 3, 4] },
      badLength: { family: 'layernorm', shape: [2, 2], x: [1, 2, 3] },
      badGamma: { family: 'layernorm', shape: [2, 2], x: [1, 2, 3, 4], gamma: [1, 2, 3] },
      badGroups: { family: 'groupnorm', shape: [1, 6, 2, 2], x: new Array(24).fill(1), groups: 4 },
    })) {
      try { NormLab.normalize(o); out[k] = 'no error'; } catch (e) { out[k] = e.message; }
    }
    return out;
  });
  // numpy: (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
  const expectLn = [-1.2247357, 0, 1.2247357, -0.7071068, -0.7071068, 1.4142135];
  r.ln.y.forEach((v, i) => near(v, expectLn[i], 2e-6, `layernorm y[${i}]`));
  near(r.ln.mean[1], 20, 1e-5, 'layernorm mean of row 1');
  near(r.ln.var[1], 200, 1e-3, 'layernorm biased var of row 1');
  const expectBn = [-0.999995, -0.9999988, 0.999995, 0.9999988];   // columns (1,3) and (5,9)
  r.bn.forEach((v, i) => near(v, expectBn[i], 1e-4, `batchnorm y[${i}]`));
  expect(/unknown family 'nonorm'/.test(r.badFamily), r.badFamily);
  expect(/x has 3 values/.test(r.badLength), r.badLength);
  expect(/gamma has 3 values/.test(r.badGamma), r.badGamma);
  expect(/group/i.test(r.badGroups) && /6|4/.test(r.badGroups), r.badGroups);
  app.noProblems();
});


