// tests/browser/guide.test.mjs: a guided walkthrough end to end: deep link, step navigation,
// a quiz answered wrong then right, progress kept across a reload.
import { expect, test } from './harness.mjs';

test('walkthrough: deep link, quiz wrong then right, progress survives a reload', async ({ open }) => {
  const app = await open('?scenario=02_batchnorm&step=2');
  let s = await app.state();
  expect(s.scenarios >= 8, `at least 8 scenarios loaded, got ${s.scenarios}`);
  expect(s.scenarioErrors.length === 0, `bundled scenarios load cleanly: ${s.scenarioErrors.join('; ')}`);
  expect(s.scenario === '02_batchnorm' && s.step === 2, `opened 02_batchnorm step 2, got ${s.scenario} ${s.step}`);
  expect(s.family === 'batchnorm', 'the step moved the lab to BatchNorm');
  await app.shot('guide-step');
  // Step 2 asks how many (mu, sigma) pairs BatchNorm computes: one per feature.
  await app.page.evaluate(() => NormLab.command({ op: 'answer', question: 0, value: 8 }));
  expect((await app.state()).lastVerdict === 'incorrect', 'a wrong answer is graded incorrect');
  await app.page.evaluate((n) => NormLab.command({ op: 'answer', question: 0, value: n }), s.groupCount);
  s = await app.state();
  expect(s.lastVerdict === 'correct', `the group count is the right answer, got ${s.lastVerdict}`);
  expect(s.score.correct === 1 && s.score.points === 0.5, `second-attempt credit, got ${JSON.stringify(s.score)}`);
  await app.page.evaluate(() => NormLab.command({ op: 'next' }));
  expect((await app.state()).step === 3, 'next moves to step 3');
  await app.page.waitForTimeout(300);   // a frame saves the progress
  await app.page.reload();
  await app.page.waitForFunction(() => window.NormLab?.state()?.frames > 5);
  s = await app.openScenario('02_batchnorm', 2);
  expect(s.score.correct === 1, `progress kept across the reload: ${JSON.stringify(s.score)}`);
  app.noProblems();
});

test('walkthrough: unknown scenario and corrupt saved progress give messages, not a crash', async ({ open }) => {
  const app = await open('?scenario=99_nothing');
  let s = await app.state();
  expect(/unknown scenario '99_nothing'/.test(s.note), `note: ${s.note}`);
  await app.page.evaluate(() => localStorage.setItem('normlab.progress', '{"version": 1, "scenarios": 7'));
  await app.page.reload();
  await app.page.waitForFunction(() => window.NormLab?.state()?.frames > 5);
  s = await app.state();
  expect(s.scenarios >= 8 && s.error === '', 'the app runs with corrupt saved progress');
  const px = await app.shot('guide-corrupt-progress');
  expect(px.nonBackgroundFraction > 0.15, 'the board is drawn');
});

test('walkthrough in Spanish (?lang=es) and the phone layout', async ({ open }) => {
  const app = await open('?lang=es&scenario=01_why_normalize', { width: 390, height: 844 });
  const s = await app.state();
  expect(s.scenario === '01_why_normalize', 'the Spanish walkthrough opens');
  const px = await app.shot('guide-es-390x844');
  expect(px.nonBackgroundFraction > 0.1, 'drawn');
  app.noProblems();
});

test('a broken scenario file shows its message in the app; the rest keeps working', async ({ open }) => {
  const broken = '{\n  "kind": "scenario",\n  "id": "99_broken",\n  "title": 42,\n}';
  const app = await open('', undefined, async (page) => {
    await page.route('**/scenarios/index.json', async (route) => {
      const list = await (await route.fetch()).json();
      await route.fulfill({ json: [...list, '99_broken.json'] });
    });
    await page.route('**/scenarios/99_broken.json', (route) =>
      route.fulfill({ body: broken, contentType: 'application/json' }));
  });
  const s = await app.state();
  expect(s.scenarioErrors.length >= 1, 'the broken file is reported');
  expect(/99_broken\.json:\d+:\d+/.test(s.scenarioErrors[0]), `message names file, line and column: ${s.scenarioErrors[0]}`);
  expect(s.scenarios >= 8, 'the good scenarios still load');
  expect(/problem\(s\) in the scenario files/.test(s.note), `note: ${s.note}`);
  await app.shot('guide-broken-scenario');
  app.noProblems();
});

test('entering a step animates the board to its state, then lands on the exact values', async ({ open }) => {
  const app = await open('?scenario=01_why_normalize&step=1');
  const before = await app.page.evaluate(() => NormLab.exportData('json'));
  // Another scenario's step: a different family and data, so the board has somewhere to go.
  const during = await app.page.evaluate(async () => {
    NormLab.command({ op: 'scenario', id: '05_layernorm', step: 2 });
    // The walkthrough's file is fetched on first opening: count frames from when it opened.
    while (NormLab.state().opening !== '') await new Promise((r) => requestAnimationFrame(r));
    const seen = [];
    for (let k = 0; k < 6; ++k) {
      await new Promise((r) => requestAnimationFrame(r));
      seen.push(NormLab.state().board.animating);
    }
    return seen;
  });
  expect(during.some((a) => a), `the board animates after the step change: ${during}`);
  await app.page.waitForFunction(() => !NormLab.state().board.animating, null, { timeout: 3000 });
  const after = JSON.parse(await app.page.evaluate(() => NormLab.exportData('json')));
  expect(JSON.stringify(after) !== before, 'the step changed the data');
  const px = await app.shot('guide-after-tween');
  expect(px.nonBackgroundFraction > 0.15, 'the board is drawn after the animation');
  // Editing within a step does not animate.
  const edit = await app.page.evaluate(async () => {
    NormLab.command({ op: 'cell', cell: 0, value: 3 });
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(r));
    return NormLab.state().board.animating;
  });
  expect(edit === false, 'an edit inside a step is not animated');
  app.noProblems();
});

test('walkthroughs are fetched when opened: the page load takes the catalogue, each opens once', async ({ open }) => {
  const fetched = [];
  const app = await open('', undefined, async (page) => {
    page.on('request', (r) => { if (r.url().includes('/scenarios/')) fetched.push(r.url().split('/scenarios/')[1]); });
  });
  const atLoad = [...fetched].sort();
  expect(JSON.stringify(atLoad) === JSON.stringify(['bundle-en.json', 'index.json']),
    `a page load fetches the English bundle and the list only: ${atLoad}`);
  const s = await app.state();
  expect(s.scenarios >= 12 && s.scenarioErrors.length === 0, `the catalogue lists ${s.scenarios} walkthroughs`);
  // Every listed walkthrough opens, on its first step, each with one request for its file.
  const catalogue = await app.page.evaluate(async () => (await (await fetch('scenarios/bundle-en.json')).json()).catalogue);
  expect(catalogue.length === s.scenarios, `${catalogue.length} catalogue entries for ${s.scenarios} walkthroughs`);
  for (const entry of catalogue) {
    const opened = await app.openScenario(entry.id, 1);
    expect(opened.steps === entry.steps, `${entry.id}: ${opened.steps} steps, the catalogue says ${entry.steps}`);
  }
  await app.openScenario(catalogue[0].id, 2);   // already here: no second request
  const files = fetched.filter((f) => !atLoad.includes(f) && f !== 'bundle-en.json');
  expect(files.length === catalogue.length && new Set(files).size === files.length,
    `one request per walkthrough: ${files}`);
  expect((await app.state()).scenarioErrors.length === 0, `every walkthrough loads cleanly: ${(await app.state()).scenarioErrors}`);
  app.noProblems();

  // A Spanish page fetches the Spanish bundle alone (it carries the English entries of the
  // walkthroughs without a translation), and opens the translation.
  fetched.length = 0;
  const es = await open('?lang=es', undefined, async (page) => {
    page.on('request', (r) => { if (r.url().includes('/scenarios/')) fetched.push(r.url().split('/scenarios/')[1]); });
  });
  expect(JSON.stringify([...fetched].sort()) === JSON.stringify(['bundle-es.json', 'index.json']),
    `a Spanish page load fetches its bundle and the list only: ${fetched}`);
  const esState = await es.state();
  expect(esState.scenarios === s.scenarios && esState.scenarioErrors.length === 0,
    `one entry per walkthrough in Spanish too: ${esState.scenarios}`);
  await es.openScenario('01_why_normalize', 1);
  await es.openScenario('03_running_stats', 1);
  expect(fetched.includes('01_why_normalize.es.json') && fetched.includes('03_running_stats.json') &&
    !fetched.includes('01_why_normalize.json'), `the translation where there is one: ${fetched}`);
  es.noProblems();
});

test('a walkthrough file that cannot be fetched gives a message; choosing it again retries', async ({ open }) => {
  let refuse = true;
  const app = await open('', undefined, async (page) => {
    await page.route('**/scenarios/05_layernorm.json', (route) =>
      (refuse ? route.fulfill({ status: 404, body: 'gone' }) : route.continue()));
  });
  await app.page.evaluate(() => NormLab.command({ op: 'scenario', id: '05_layernorm', step: 2 }));
  await app.page.waitForFunction(() => NormLab.state().opening === '');
  let s = await app.state();
  expect(s.scenario !== '05_layernorm', 'the walkthrough did not open');
  expect(/05_layernorm could not be fetched \(HTTP 404\)/.test(s.note), `the note says why: ${s.note}`);
  expect(s.scenarioErrors.some((e) => e.includes('scenarios/05_layernorm.json: HTTP 404')), `listed: ${s.scenarioErrors}`);
  await app.shot('guide-fetch-failed');
  refuse = false;
  s = await app.openScenario('05_layernorm', 2);
  expect(s.family === 'layernorm', 'the second try opens it');
  app.problems.length = 0;   // the browser logs the 404 itself
  app.noProblems();
});
