// tests/browser/train.test.mjs: the training lab tab: ?view=training gives every run a curve
// (how fast is measured by tools/budget), pause stops the step count, the residual-depth and Jacobian views draw at desktop
// and phone sizes, the two training walkthroughs open on the training view, and frames stay
// smooth while training (frameMsP95 from NormLab.stats() is printed to the log).
import { expect, test } from './harness.mjs';

const train = (app) => app.page.evaluate(() => window.NormLab.state().train);

test('training: ?view=training draws a curve for every run, pause stops the step count', async ({ open }) => {
  const started = Date.now();
  const app = await open('?view=training');
  // Wait until every run of the default experiment (learning rate x norm) has a curve.
  await app.page.waitForFunction(() => window.NormLab.state().train.firstCurveS >= 0, null, { timeout: 10000 });
  const wall = (Date.now() - started) / 1000;
  let t = await train(app);
  console.log(`     first curve: ${t.firstCurveS.toFixed(3)} s after the runs started ` +
              `(${wall.toFixed(2)} s after navigation), ${t.runs.length} runs, ${t.steps} steps, ` +
              `${t.msPerStep.toFixed(3)} ms/step`);
  expect(t.experiment === 'lr', `the default experiment is the lr sweep, got ${t.experiment}`);
  expect(t.runs.length === 20, `4 norms x 5 learning rates, got ${t.runs.length}`);
  // The time itself is a benchmark figure (tools/budget prints it), not a pass/fail here.
  expect(t.runs.every((r) => r.steps >= 1 || r.diverged), 'every run has trained (or failed) when the first curve is reported');
  const s = await app.state();
  expect(s.view === 'training', `the training tab is open, got ${s.view}`);
  // Training advances between frames, and the page keeps drawing while it does.
  const framesBefore = (await app.page.evaluate(() => window.NormLab.stats())).frames;
  await app.page.waitForTimeout(1500);
  const before = await train(app);
  expect(before.running && before.steps > t.steps, `steps advance while running: ${t.steps} -> ${before.steps}`);
  const stats = await app.page.evaluate(() => window.NormLab.stats());
  console.log(`     while training: frameMsP50 ${stats.frameMsP50.toFixed(2)} ms, frameMsP95 ${stats.frameMsP95.toFixed(2)} ms, ` +
              `slice ${before.sliceSteps} steps in ${before.sliceMs.toFixed(2)} ms`);
  // The property training controls: it runs in slices, a frame's worth at a time, so frames
  // keep coming while the step count grows, and one slice is a small part of the steps taken.
  // Its time (budget 6 ms) is printed above, not asserted: one preemption on a shared machine
  // stretches a slice however well it was planned (tools/budget reports the figures).
  expect(stats.frames - framesBefore >= 3, `frames keep coming while training: ${framesBefore} -> ${stats.frames}`);
  expect(before.sliceSteps > 0 && before.sliceSteps * 4 < before.steps,
         `a slice is a small part of the training: ${before.sliceSteps} of ${before.steps} steps`);
  await app.shot('train-lr-1280x800');
  // Pause: the step count stops.
  await app.page.evaluate(() => window.NormLab.command({ op: 'training', run: false }));
  const paused = await train(app);
  await app.page.waitForTimeout(500);
  const later = await train(app);
  expect(!later.running && later.steps === paused.steps, `paused: ${paused.steps} -> ${later.steps}`);
  // Resume, then reset back to step 0.
  await app.page.evaluate(() => window.NormLab.command({ op: 'training', run: true }));
  await app.page.waitForTimeout(300);
  expect((await train(app)).steps > later.steps, 'resumed');
  await app.page.evaluate(() => window.NormLab.command({ op: 'training', run: false, reset: true }));
  expect((await train(app)).steps === 0, 'reset to step 0');
  const bad = await app.page.evaluate(() => {
    try { window.NormLab.command({ op: 'training', experiment: 'warp' }); return ''; } catch (e) { return e.message; }
  });
  expect(/experiment must be one of/.test(bad), `a bad experiment is refused with a message: ${bad}`);
  app.noProblems();
});

for (const [w, h] of [[1280, 800], [390, 844]]) {
  test(`training: residual depth and Jacobian views draw at ${w}x${h}`, async ({ open }) => {
    const app = await open(`?view=training&experiment=placement`, { width: w, height: h });
    let t = await train(app);
    expect(t.experiment === 'placement', `experiment=placement opens it, got ${t.experiment}`);
    expect(t.runs.length === 8, `3 placements + no norm, with and without warmup: ${t.runs.length}`);
    await app.page.waitForFunction(() => window.NormLab.state().train.firstCurveS >= 0, null, { timeout: 20000 });
    await app.page.waitForTimeout(1500);
    let px = await app.shot(`train-placement-${w}x${h}`);
    expect(px.nonBackgroundFraction > 0.1, `the depth view is drawn (${px.nonBackgroundFraction})`);
    await app.page.evaluate(() => window.NormLab.command({ op: 'training', experiment: 'jacobian' }));
    await app.page.waitForTimeout(300);
    t = await train(app);
    expect(t.experiment === 'jacobian' && t.runs.length === 0, 'the Jacobian has no training runs');
    px = await app.shot(`train-jacobian-${w}x${h}`);
    expect(px.colours > 50, `the heatmap adds colours (${px.colours})`);
    app.noProblems();
  });
}

test('training: reduced motion waits for Run', async ({ open }) => {
  const app = await open('?view=training&motion=reduce');
  await app.page.waitForTimeout(800);
  const t = await train(app);
  expect(t.configured && !t.running && t.steps === 0, `nothing runs by itself: ${JSON.stringify(t)}`);
  app.noProblems();
});

test('training: the two training walkthroughs open on the training view', async ({ open }) => {
  const app = await open('?scenario=11_residual_placement&step=3');
  let s = await app.state();
  expect(s.scenario === '11_residual_placement' && s.step === 3, `opened step 3: ${s.scenario} ${s.step}`);
  expect(s.view === 'training', `the step opens the training view, got ${s.view}`);
  expect(s.train.experiment === 'placement', `placement experiment, got ${s.train.experiment}`);
  await app.page.waitForTimeout(800);
  await app.shot('train-scenario11-step3');
  await app.openScenario('12_training_dynamics', 3);
  await app.page.waitForTimeout(300);
  s = await app.state();
  expect(s.scenario === '12_training_dynamics' && s.view === 'training', `12 opens the view: ${s.view}`);
  expect(s.train.experiment === 'batch', `step 3 is the batch sweep, got ${s.train.experiment}`);
  await app.page.waitForTimeout(800);
  await app.shot('train-scenario12-step3');
  app.noProblems();
});
