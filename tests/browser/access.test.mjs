// tests/browser/access.test.mjs: keyboard-only use, touch (tap and pinch), the ARIA live
// region, reduced motion and the Spanish UI.
import { expect, test } from './harness.mjs';

// ImGui 1.86 samples key state once per frame, so a press and release inside one frame (a
// busy machine draws a few frames a second) can be missed: hold each key across two frames.
const frames = (page, n = 2) => page.evaluate((k) => new Promise((resolve) => {
  const tick = (left) => (left ? requestAnimationFrame(() => tick(left - 1)) : resolve());
  tick(k);
}), n);
async function tap(page, combo) {
  const keys = combo.split('+');
  for (const k of keys) await page.keyboard.down(k);
  await frames(page);
  for (const k of keys.reverse()) await page.keyboard.up(k);
  await frames(page);
}

const live = (page) => page.evaluate(() => ({
  step: document.getElementById('live-step').textContent,
  quiz: document.getElementById('live-quiz').textContent,
  stats: document.getElementById('live-stats').textContent,
  hidden: getComputedStyle(document.getElementById('live')).clipPath,
  polite: document.getElementById('live').getAttribute('aria-live'),
}));

test('keyboard: shortcuts, help overlay, and arrows/Space press a header button', async ({ open }) => {
  const app = await open('?family=layernorm&scenario=02_batchnorm&step=1');
  const { page } = app;
  await page.focus('#canvas');
  let s = await app.state();
  const playing = s.playing;
  await tap(page, 'p');
  await page.waitForTimeout(150);
  expect((await app.state()).playing === !playing, 'P toggles the sweep');
  await page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  const g0 = (await app.state()).group;
  await tap(page, '.');
  await page.waitForTimeout(150);
  s = await app.state();
  expect(s.group === (g0 + 1) % s.groupCount, `. steps to the next group: ${g0} -> ${s.group}`);
  await tap(page, ',');
  await page.waitForTimeout(150);
  expect((await app.state()).group === g0, ', steps back');
  await tap(page, 'n');
  await page.waitForTimeout(150);
  expect((await app.state()).step === 2, 'N moves the walkthrough to step 2');
  await tap(page, 'b');
  await page.waitForTimeout(150);
  expect((await app.state()).step === 1, 'B moves it back');
  await tap(page, 'Equal');
  await page.waitForTimeout(150);
  expect((await app.state()).zoom > 1.2, '+ zooms the board in');
  await tap(page, 'Digit0');
  await page.waitForTimeout(150);
  expect((await app.state()).zoom === 1, '0 resets the zoom');

  await tap(page, 'Shift+Slash');   // "?"
  await page.waitForTimeout(200);
  expect((await app.state()).helpOpen, '? opens the help overlay');
  await app.shot('access-help');
  const under = (await app.state()).playing;
  await tap(page, 'p');   // other shortcuts are off while the help is open
  await page.waitForTimeout(150);
  expect((await app.state()).playing === under, 'P does nothing under the help overlay');
  await tap(page, 'Escape');
  await page.waitForTimeout(200);
  expect(!(await app.state()).helpOpen, 'Esc closes it');
  await tap(page, 'F1');
  await page.waitForTimeout(200);
  expect((await app.state()).helpOpen, 'F1 opens it too');
  await tap(page, 'Escape');
  await page.waitForTimeout(200);

  // Keyboard navigation (ImGui 1.86, NavEnableKeyboard). What works: on a fresh page the
  // focus starts in the top window, the arrows move it between the header's buttons and Space
  // presses the focused one. Keys are held for a frame: ImGui 1.86 reads key state once per
  // frame, so a press and release inside one frame would be lost.
  // Not yet working (see README "Keyboard and touch"): the two columns are child windows, and
  // reaching the family buttons in the left column by keyboard alone was not reliable, so
  // they are not asserted here.
  const fresh = await open('?family=layernorm&scenario=02_batchnorm&step=1');
  await fresh.page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await fresh.page.waitForFunction(() => NormLab.state().frames > 20);   // the layout has settled
  await fresh.page.focus('#canvas');
  const projector0 = (await fresh.state()).projector;
  const press = async (key) => {
    await fresh.page.keyboard.down(key);
    await fresh.page.waitForTimeout(60);
    await fresh.page.keyboard.up(key);
    await fresh.page.waitForTimeout(120);
  };
  for (let k = 0; k < 6; k++) await press('ArrowUp');   // onto the header row
  await press('ArrowRight');                             // Fullscreen -> Projector
  await press('Space');
  const s1 = await fresh.state();
  expect(s1.projector === !projector0 && s1.family === 'layernorm',
    `arrows reached the Projector button and Space pressed it: ${projector0} -> ${s1.projector}`);
  await fresh.shot('access-keyboard-focus');
  fresh.noProblems();
  app.noProblems();
});

test('keyboard: shortcuts do not fire while typing in a text field', async ({ open }) => {
  const app = await open('');
  const { page } = app;
  await page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await page.mouse.click(20, 300);   // focus the left column (ImGui's Tab works in one window)
  // Tab moves into ImGui's text fields (the example number of "scale example").
  for (let k = 0; k < 12 && !(await app.state()).textInput; k++) {
    await page.keyboard.press('Tab');
    await page.waitForTimeout(100);
  }
  const s0 = await app.state();
  expect(s0.textInput, 'Tab reached a text field');
  await page.keyboard.type('p.n?');
  await page.waitForTimeout(200);
  const s1 = await app.state();
  expect(!s1.playing && s1.group === s0.group && !s1.helpOpen && s1.step === s0.step,
    `typing p . n ? into the field fired no shortcut: ${JSON.stringify([s1.playing, s1.group, s1.helpOpen])}`);
  app.noProblems();
});

test('touch: a tap selects a group, a pinch zooms the board', async ({ ctx, base }) => {
  const page = await (await ctx.browser().newContext({ hasTouch: true, isMobile: true,
    viewport: { width: 820, height: 1180 }, deviceScaleFactor: 1 })).newPage();
  await page.goto(base + '?family=batchnorm&shape=8x6');
  await page.waitForFunction(() => window.NormLab?.state()?.frames > 5, null, { timeout: 30000 });
  let s = await page.evaluate(() => NormLab.state());
  expect(s.coarsePointer, 'a touch context reports a coarse pointer');
  expect(s.frameHeight >= 44, `touch targets are at least 44 px tall, got ${s.frameHeight}`);
  await page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  const b = s.board;
  // Column 4 of the raw heatmap is feature 4: BatchNorm's group 4.
  const x = b.x + 4.5 * b.cell, y = b.y + 2.5 * b.cell;
  await page.touchscreen.tap(x, y);
  await page.waitForTimeout(300);
  s = await page.evaluate(() => NormLab.state());
  expect(s.group === 4, `the tap focused feature 4's group, got ${s.group}`);

  const cdp = await page.context().newCDPSession(page);
  const touch = (type, points) => cdp.send('Input.dispatchTouchEvent', {
    type, touchPoints: points.map(([px, py], id) => ({ x: px, y: py, id })) });
  const cx = b.x + 3 * b.cell, cy = b.y + 3 * b.cell;
  await touch('touchStart', [[cx - 20, cy], [cx + 20, cy]]);
  for (let k = 1; k <= 8; k++) {
    await touch('touchMove', [[cx - 20 - 10 * k, cy], [cx + 20 + 10 * k, cy]]);
    await page.waitForTimeout(40);
  }
  await touch('touchEnd', []);
  await page.waitForTimeout(200);
  s = await page.evaluate(() => NormLab.state());
  expect(s.zoom > 1.5, `spreading two fingers from 40 to 200 px zooms in, got ${s.zoom}`);
  expect(s.group === 4, 'the pinch did not tap another group');
  await page.screenshot({ path: new URL('./out/access-touch-zoom.png', import.meta.url).pathname });
});

test('live region: follows a step change and a statistics change', async ({ open }) => {
  const app = await open('?scenario=02_batchnorm&step=1');
  const { page } = app;
  await page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await page.waitForTimeout(400);
  let l = await live(page);
  expect(l.polite === 'polite', 'the region is polite');
  expect(l.hidden.includes('inset'), `visually hidden by clip-path, got ${l.hidden}`);
  expect(/step 1 of/.test(l.step), `the step text: ${l.step}`);
  expect(/Family: BatchNorm/.test(l.stats) && /mean/.test(l.stats), `the statistics: ${l.stats}`);
  await page.evaluate(() => NormLab.command({ op: 'next' }));
  await page.waitForTimeout(400);
  l = await live(page);
  expect(/step 2 of/.test(l.step), `follows the step: ${l.step}`);
  expect(/QUICK CHECK 1\//.test(l.quiz), `the quiz is mirrored: ${l.quiz}`);
  await page.evaluate(() => NormLab.command({ op: 'answer', question: 0, value: 999 }));
  await page.waitForTimeout(400);
  expect(/Not quite/.test((await live(page)).quiz), 'and the last feedback');
  const before = (await live(page)).stats;
  await page.evaluate(() => NormLab.command({ op: 'focus', group: 3 }));
  await page.waitForTimeout(400);
  l = await live(page);
  expect(l.stats !== before && /group 4 of/.test(l.stats), `follows the highlighted group: ${l.stats}`);
  // The text changes only when the app's text does: a mutation count over a quiet second.
  const mutations = await page.evaluate(() => new Promise((resolve) => {
    let n = 0;
    const obs = new MutationObserver((m) => { n += m.length; });
    obs.observe(document.getElementById('live'), { subtree: true, childList: true, characterData: true });
    setTimeout(() => { obs.disconnect(); resolve(n); }, 1000);
  }));
  expect(mutations === 0, `no rewrites while nothing changes, got ${mutations}`);
  app.noProblems();
});

test('reduced motion: the sweep does not autoplay (media query and ?motion=reduce)', async ({ open }) => {
  let app = await open('', undefined, (page) => page.emulateMedia({ reducedMotion: 'reduce' }));
  let s = await app.state();
  expect(s.reduceMotion && !s.playing, `prefers-reduced-motion: paused, got ${JSON.stringify([s.reduceMotion, s.playing])}`);
  const g = s.group;
  await app.page.waitForTimeout(1200);
  expect((await app.state()).group === g, 'the outline stays put');
  // A walkthrough step that starts the sweep does not start it either.
  await app.page.evaluate(() => NormLab.command({ op: 'scenario', id: '01_why_normalize', step: 1 }));
  await app.page.waitForTimeout(300);
  expect(!(await app.state()).playing, 'still paused in a walkthrough');
  app = await open('?motion=reduce');
  s = await app.state();
  expect(s.reduceMotion && !s.playing, '?motion=reduce forces it');
  await app.page.evaluate(() => NormLab.command({ op: 'play', playing: true }));
  await app.page.waitForTimeout(1200);
  expect((await app.state()).group !== s.group, 'the learner can still press play');
  app.noProblems();
});

test('Spanish UI (?lang=es): translated labels, phone and desktop screenshots', async ({ open }) => {
  const app = await open('?lang=es', { width: 390, height: 844 });
  let s = await app.state();
  expect(s.language === 'es' && s.uiStrings > 150, `the Spanish strings loaded: ${s.uiStrings}`);
  await app.page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await app.page.waitForTimeout(300);
  const stats = (await live(app.page)).stats;
  expect(/Familia: BatchNorm/.test(stats), `the live region speaks Spanish: ${stats}`);
  // The family's headline comes from scenarios/lab_text.es.json, not the English lab text.
  expect(stats.includes('Una media y una varianza por rasgo, compartidas por todo el lote') &&
    !stats.includes('One mean and variance'), `the Spanish lab text is used: ${stats}`);
  await app.page.evaluate(() => NormLab.setState({ family: 'rmsnorm' }));
  await app.page.waitForTimeout(300);
  const rms = (await live(app.page)).stats;
  expect(rms.includes('Reescala cada token por su media cuadrática'), `and follows the family: ${rms}`);
  expect(await app.page.evaluate(() => document.getElementById('live').lang) === 'es', 'and says so');
  await app.shot('access-es-390x844');
  const wide = await open('?lang=es&scenario=02_batchnorm&step=2');
  await wide.shot('access-es-1280x800');
  s = await wide.state();
  expect(s.scenarioErrors.length === 0, 'the Spanish files load cleanly');
  app.noProblems();
  wide.noProblems();
});
