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

test('keyboard: shortcuts and the help overlay', async ({ open }) => {
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
  app.noProblems();
});

// Keyboard navigation (ImGui 1.86, NavEnableKeyboard; README "Keyboard and touch"). Each column
// is an ImGui child window, which the arrows reach as one item outlined whole: Space goes into
// it, Esc comes back out to it. NormLab.state().items says where the focus outline is
// ("nav.focus", absent while none shows), where the columns are and a few controls, so the test
// follows the focus instead of counting key presses blindly.
const same = (a, b, tol = 2) => !!a && !!b && a.every((v, i) => Math.abs(v - b[i]) <= tol);
const inside = (r, box, tol = 2) => !!r && !!box && r[0] >= box[0] - tol && r[1] >= box[1] - tol &&
  r[0] + r[2] <= box[0] + box[2] + tol && r[1] + r[3] <= box[1] + box[3] + tol;
const focusedFamily = (s) => Object.keys(s.items)
  .find((k) => k.startsWith('family.') && same(s.items[k], s.items['nav.focus']));

test('keyboard: arrows, Space and Esc go from the header into each column and work its controls', async ({ open }) => {
  const app = await open('?family=layernorm');
  const { page } = app;
  await page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await page.waitForFunction(() => NormLab.state().frames > 20);   // the layout has settled
  await page.focus('#canvas');
  let s = await app.state();
  expect(!s.items['nav.focus'], 'a fresh page shows no focus outline');
  const left = s.items['column.left'], right = s.items['column.board'];
  expect(left && right && left[0] + left[2] < right[0], `two columns side by side: ${left} | ${right}`);

  // Up from wherever the first arrow lands: the header row.
  for (let k = 0; k < 3; k++) await tap(page, 'ArrowUp');
  s = await app.state();
  const head = s.items['nav.focus'];
  expect(head && head[1] + head[3] <= left[1], `the arrows reached the header row: ${head}`);
  // Down: the right column as a whole (the header's buttons sit above it); Left: the left one.
  await tap(page, 'ArrowDown');
  expect(same((await app.state()).items['nav.focus'], right), 'Down from the header outlines the right column');
  await tap(page, 'ArrowLeft');
  expect(same((await app.state()).items['nav.focus'], left), 'Left outlines the left column');

  // Space goes into the left column (its tab row); Down reaches the first family button.
  await tap(page, 'Space');
  s = await app.state();
  expect(inside(s.items['nav.focus'], left) && !same(s.items['nav.focus'], left),
    `Space went into the left column: ${s.items['nav.focus']}`);
  for (let k = 0; k < 4 && !focusedFamily(s); k++) {
    await tap(page, 'ArrowDown');
    s = await app.state();
  }
  expect(focusedFamily(s) === 'family.batchnorm', `Down reached the BatchNorm button: ${focusedFamily(s)}`);
  await tap(page, 'Space');
  s = await app.state();
  expect(s.family === 'batchnorm' && focusedFamily(s) === 'family.batchnorm',
    `Space pressed it and the outline stays on it: family ${s.family}`);
  const shot = await app.shot('access-keyboard-left-column');   // the outline on the BatchNorm button
  expect(shot.colours > 50, 'the screenshot shows the app');

  // On down to the batch slider: Space takes it, Right twice adds 2, Space lets go.
  const b0 = s.shape[0];
  for (let k = 0; k < 8 && !inside(s.items['nav.focus'], s.items['control.batch']); k++) {
    await tap(page, 'ArrowDown');
    s = await app.state();
  }
  expect(inside(s.items['nav.focus'], s.items['control.batch']), `Down reached the batch slider: ${s.items['nav.focus']}`);
  await tap(page, 'Space');
  await tap(page, 'ArrowRight');
  await tap(page, 'ArrowRight');
  await tap(page, 'Space');
  s = await app.state();
  expect(s.shape[0] === b0 + 2, `Right twice moved batch B from ${b0} to ${s.shape[0]}`);
  expect(inside(s.items['nav.focus'], s.items['control.batch']), 'the slider keeps the focus');

  // Esc comes back out to the column; Right outlines the other column, Space goes in, Right
  // moves along its tab row and Space opens the Weight norms tab.
  await tap(page, 'Escape');
  expect(same((await app.state()).items['nav.focus'], left), 'Esc left the column (outlined whole again)');
  await tap(page, 'ArrowRight');
  expect(same((await app.state()).items['nav.focus'], right), 'Right outlines the right column');
  await tap(page, 'Space');
  await tap(page, 'ArrowRight');
  await tap(page, 'Space');
  s = await app.state();
  expect(s.view === 'weights' && inside(s.items['nav.focus'], right) && !same(s.items['nav.focus'], right),
    `Space, Right, Space opened the Weight norms tab inside the right column: ${s.view} ${s.items['nav.focus']}`);
  await tap(page, 'Escape');
  await tap(page, 'ArrowUp');
  s = await app.state();
  expect(s.items['nav.focus'] && s.items['nav.focus'][1] < left[1], 'Esc then Up goes back to the header');
  expect(s.family === 'batchnorm' && s.shape[0] === b0 + 2, 'and changed nothing on the way');
  app.noProblems();
});

test('keyboard: a teacher lock switches off the shortcuts of its controls, and the arrows skip them', async ({ open }) => {
  // Unlocked, F goes fullscreen (a key press counts as a user gesture): the locked page below
  // shows that the lock, not the browser, stops it.
  const free = await open('');
  await free.page.focus('#canvas');
  await tap(free.page, 'f');
  await free.page.waitForFunction(() => document.fullscreenElement !== null, null, { timeout: 5000 });
  await free.page.evaluate(() => document.exitFullscreen());
  free.noProblems();
  await free.page.close();

  const app = await open('?family=layernorm&scenario=02_batchnorm&step=1&lock=controls,guide,share');
  const { page } = app;
  await page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await page.waitForTimeout(200);
  await page.focus('#canvas');
  const s0 = await app.state();
  expect(['panel.controls', 'guide', 'share'].every((a) => s0.locked.includes(a)) && s0.areas.guide === 'locked',
    `locked: ${JSON.stringify(s0.locked)}`);
  const after = async (key) => {
    await tap(page, key);
    await page.waitForTimeout(200);
    return app.state();
  };
  expect(!(await after('p')).playing, 'P leaves the locked sweep paused');
  expect((await after('.')).group === s0.group && (await after(',')).group === s0.group,
    'and . , leave its group alone');
  expect((await after('n')).step === 1, 'N leaves the locked walkthrough on step 1');
  expect(!(await after('f')).fullscreen.active && await page.evaluate(() => document.fullscreenElement === null),
    'F does not go fullscreen with the share row locked');
  // Zoom changes only the view and stays on; so does the help.
  await tap(page, 'Equal');
  await page.waitForTimeout(150);
  expect((await app.state()).zoom > 1.2, '+ still zooms the board');
  await tap(page, 'Shift+Slash');
  await page.waitForTimeout(200);
  expect((await app.state()).helpOpen, '? still opens the help');
  await tap(page, 'Escape');
  app.noProblems();

  // The arrows skip locked controls: in the left column with lock=family, Down never lands on
  // a family button, and Space has nothing there to press.
  const fam = await open('?family=layernorm&lock=family');
  await fam.page.evaluate(() => NormLab.command({ op: 'play', playing: false }));
  await fam.page.waitForFunction(() => NormLab.state().frames > 20);
  await fam.page.focus('#canvas');
  for (let k = 0; k < 3; k++) await tap(fam.page, 'ArrowUp');
  await tap(fam.page, 'ArrowDown');
  await tap(fam.page, 'ArrowLeft');
  let s = await fam.state();
  expect(same(s.items['nav.focus'], s.items['column.left']), 'the left column is outlined');
  await tap(fam.page, 'Space');
  const seen = [];
  for (let k = 0; k < 3; k++) {
    await tap(fam.page, 'ArrowDown');
    s = await fam.state();
    seen.push(s.items['nav.focus']);
    expect(!focusedFamily(s), `Down ${k + 1} landed on a locked family button: ${focusedFamily(s)}`);
  }
  expect(seen.every((r) => inside(r, s.items['column.left'])) && !same(seen[0], seen[2]),
    `the focus moved on through the left column: ${JSON.stringify(seen)}`);
  expect(s.family === 'layernorm', 'the family is unchanged');
  fam.noProblems();
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
  await app.openScenario('01_why_normalize', 1);
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
