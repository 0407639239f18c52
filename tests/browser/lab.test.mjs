// tests/browser/lab.test.mjs: the lab on every family and layout, hover readout against the
// kernels, the coupling demonstration, and train/eval.
import { expect, near, test } from './harness.mjs';

// What each family groups on each layout, computed here from the definitions.
function expectedGroups(family, dims, groups) {
  const [B] = dims;
  const rank = dims.length;
  const C = rank === 4 ? dims[1] : dims[rank - 1];
  const S = rank === 4 ? dims[2] * dims[3] : rank === 3 ? dims[1] : 1;
  switch (family) {
    case 'batchnorm': return { count: C, size: B * S };
    case 'layernorm': case 'rmsnorm': return rank === 3 ? { count: B * S, size: C } : { count: B, size: C * S };
    case 'groupnorm': return { count: B * groups, size: (C / groups) * S };
    case 'instancenorm': return { count: B * C, size: S };
  }
  throw new Error(family);
}

const layouts = [[6, 10], [3, 4, 8], [3, 6, 4, 4]];
const families = ['batchnorm', 'layernorm', 'rmsnorm', 'groupnorm', 'instancenorm'];

for (const dims of layouts) {
  test(`every family on shape ${dims.join('x')}: groups and pictures differ`, async ({ open }) => {
    const shots = new Set();
    // One page per layout: the first family comes from the URL, the others through setState
    // (the same URL keys); a page load per family took most of this test's time.
    let app = null;
    for (const family of families) {
      if (family === 'instancenorm' && dims.length === 2) continue;
      if (!app) app = await open(`?shape=${dims.join('x')}&family=${family}&groups=2`);
      else {
        const notes = await app.page.evaluate((f) => NormLab.setState({ family: f }), family);
        expect(notes === '', `${family}: setState took it without notes: ${notes}`);
        await app.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      }
      const s = await app.state();
      expect(s.family === family, `${family}: family from the URL (got ${s.family})`);
      expect(JSON.stringify(s.shape) === JSON.stringify(dims), `${family}: shape ${s.shape}`);
      const e = expectedGroups(family, dims, 2);
      expect(s.groupCount === e.count && s.groupSize === e.size,
        `${family} on ${dims}: ${e.count} groups of ${e.size}, got ${s.groupCount} x ${s.groupSize}`);
      const px = await app.shot(`lab-${family}-${dims.join('x')}`);
      expect(px.nonBackgroundFraction > 0.15, `${family}: canvas drawn`);
      shots.add(px.colours);
      app.noProblems();
    }
    expect(shots.size >= 3, `the pictures differ between families (distinct colour counts: ${[...shots]})`);
  });
}

test('InstanceNorm on (B, d) is refused with a message, LayerNorm shown instead', async ({ open }) => {
  const app = await open('?shape=6x10&family=instancenorm');
  const s = await app.state();
  expect(s.family === 'layernorm', `fell back to layernorm, got ${s.family}`);
  expect(/InstanceNorm is not defined on/.test(s.note), `note: ${s.note}`);
  app.noProblems();
});

test('hover readout agrees with the kernel run from JavaScript', async ({ open }) => {
  const app = await open('?shape=6x10&family=layernorm');
  let s = await app.state();
  const { x: bx, y: by, cell } = s.board;
  // Cell (row 2, column 7): the centre of that grid position.
  await app.page.mouse.move(bx + 7.5 * cell, by + 2.5 * cell);
  await app.page.waitForTimeout(200);
  s = await app.state();
  expect(s.hover && s.hover.cell === 27, `hovered cell 27, got ${JSON.stringify(s.hover)}`);
  const data = JSON.parse(await app.page.evaluate(() => NormLab.exportData('json')));
  const row = data.x.slice(20, 30);
  const k = await app.page.evaluate((xs) => {
    const r = NormLab.normalize({ family: 'layernorm', shape: [1, 10], x: xs, impl: 'reference' });
    return { y: Array.from(r.y), mean: r.mean[0], var: r.var[0] };
  }, row);
  near(s.hover.x, row[7], 0, 'hover x is the cell value');
  near(s.hover.mean, k.mean, 1e-5, 'hover mean equals the kernel mean of the row');
  near(s.hover.var, k.var, 1e-5 * Math.max(1, k.var), 'hover variance equals the kernel variance');
  near(s.hover.y, k.y[7], 1e-5, 'hover y equals the kernel output');
  await app.shot('lab-hover-tooltip');
  app.noProblems();
});

test('coupling: scaling one example moves BatchNorm outputs of the others, not LayerNorm', async ({ open }) => {
  for (const [family, coupled] of [['batchnorm', true], ['layernorm', false]]) {
    const app = await open(`?shape=6x10&family=${family}`);
    const before = JSON.parse(await app.page.evaluate(() => NormLab.exportData('json')));
    await app.page.evaluate(() => NormLab.command({ op: 'scale_example', example: 2, factor: 3 }));
    const after = JSON.parse(await app.page.evaluate(() => NormLab.exportData('json')));
    let moved = 0;
    for (let i = 0; i < 60; i++) if (Math.floor(i / 10) !== 2) moved = Math.max(moved, Math.abs(after.y[i] - before.y[i]));
    expect(coupled ? moved > 1e-2 : moved === 0, `${family}: other examples moved by ${moved}`);
    app.noProblems();
  }
});

test('train/eval: running statistics after training close the gap; eval before training does not', async ({ open }) => {
  const app = await open('?shape=32x8&family=batchnorm');
  await app.page.evaluate(() => NormLab.command({ op: 'mode', mode: 'eval' }));
  const untrained = await app.state();
  await app.page.evaluate(() => NormLab.command({ op: 'train', steps: 100 }));
  const trained = await app.state();
  expect(trained.batchesTrained === 100, `100 batches trained, got ${trained.batchesTrained}`);
  expect(trained.mode === 'eval', 'eval mode');
  expect(trained.trainEvalGap < untrained.trainEvalGap,
    `gap shrinks with training: ${untrained.trainEvalGap} -> ${trained.trainEvalGap}`);
  await app.shot('lab-batchnorm-eval-trained');
  app.noProblems();
});

test('frame time at the default board is reported (p50, p95)', async ({ open }) => {
  const app = await open('');
  await app.page.waitForTimeout(1500);
  const st = await app.page.evaluate(() => NormLab.stats());
  expect(st.frameMsP50 > 0 && st.frameMsP95 >= st.frameMsP50, `stats: ${JSON.stringify(st)}`);
  expect(st.heapBytes > 0, 'heapBytes reported');
  console.log(`     frame work p50 ${st.frameMsP50.toFixed(2)} ms, p95 ${st.frameMsP95.toFixed(2)} ms, ` +
    `first frame ${st.firstFrameMs.toFixed(0)} ms, heap ${(st.heapBytes / 1048576).toFixed(1)} MiB`);
  app.noProblems();
});

test('every setting from the URL, and setState/getState from JavaScript', async ({ open }) => {
  const app = await open('?family=layernorm&shape=4x8x6&preset=outliers&eps=0.001&mode=eval' +
    '&precision=fp16&accumulate=storage&eps_placement=outside&momentum=0.2&seed=3');
  let s = await app.page.evaluate(() => NormLab.getState());
  expect(s.family === 'layernorm' && JSON.stringify(s.shape) === '[4,8,6]', `family/shape: ${s.family} ${s.shape}`);
  expect(s.preset === 'Heavy outliers', `preset: ${s.preset}`);
  expect(Math.abs(s.eps - 1e-3) < 1e-9, `eps: ${s.eps}`);
  expect(s.mode === 'eval' && s.precision === 'fp16' && s.accumulate === 'storage', 'mode/precision/accumulate');
  expect(s.epsPlacement === 'outside' && Math.abs(s.momentum - 0.2) < 1e-6 && s.seed === 3, 'placement/momentum/seed');
  const notes = await app.page.evaluate(() => NormLab.setState({ family: 'groupnorm', shape: [2, 6, 3, 3], groups: 4 }));
  s = await app.page.evaluate(() => NormLab.getState());
  expect(s.family === 'groupnorm' && JSON.stringify(s.shape) === '[2,6,3,3]', `setState moved the lab: ${s.family} ${s.shape}`);
  expect(s.groups === 3 && /does not divide/.test(notes), `G=4 does not divide 6: ${s.groups}, "${notes}"`);
  expect(s.mode === 'eval', 'keys not given keep their value');
  const bad = await app.page.evaluate(() => NormLab.setState({ preset: 'sunny', eps: 'lots' }));
  expect(/preset=sunny is unknown/.test(bad) && /eps=lots is not a number/.test(bad), `messages: ${bad}`);
  app.noProblems();
});
