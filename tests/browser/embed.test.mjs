// tests/browser/embed.test.mjs: NormLab inside another page. A course page on another origin
// under a strict CSP frames the app and drives it with postMessage; embed=1 at phone and 4K
// sizes; teacher locks; the copy-link round trip; fullscreen or the new-tab offer.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, near, outDir, test } from './harness.mjs';

// The policy a strict course page would send; frame-src names only the app's origin.
const csp = (appOrigin) => `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src ${appOrigin}`;

async function save(page, name) {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, name + '.png'), await page.screenshot());
}

// Opens host-example.html on a second origin; `options` become its query (app, allow, ...).
async function openHost({ base, ctx, serve }, options = {}) {
  const appOrigin = new URL(base).origin;
  const hostBase = await serve({ 'Content-Security-Policy': csp(appOrigin) });
  expect(new URL(hostBase).origin !== appOrigin, 'the host page has its own origin');
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const logs = [], problems = [];
  page.on('console', (m) => {
    logs.push(m.text());
    if (m.type() === 'error') problems.push('console error: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  const query = new URLSearchParams({ app: base + 'index.html', ...options });
  await page.goto(hostBase + 'host-example.html?' + query);
  const frame = await (await page.$('#normlab')).contentFrame();
  await frame.waitForFunction(() => window.NormLab?.state()?.frames > 5, null, { timeout: 30000 });
  return { page, frame, logs, problems, hostOrigin: new URL(hostBase).origin, appOrigin };
}

const events = (page) => page.evaluate(() => window.hostExample.events);
async function waitEvent(page, pred, what) {
  const fn = `window.hostExample.events.some((m) => (${pred})(m))`;
  await page.waitForFunction(fn, null, { timeout: 20000 }).catch(async () => {
    const got = (await events(page)).map((m) => m.type === 'reply' ? 'reply' : JSON.stringify(m));
    throw new Error(`no ${what} event; got ${got.join('\n')}`);
  });
  return (await events(page)).filter((m) => eval(`(${pred})`)(m)).pop();
}

test('embed: a course page on another origin under a strict CSP drives NormLab by postMessage', async (h) => {
  const host = await openHost(h);
  const { page } = host;
  const ready = await waitEvent(page, "(m) => m.type === 'ready'", 'ready');
  expect(ready.acceptsCommands === true, 'the host origin is allowed, so commands are accepted');
  expect(ready.scenarios.includes('02_batchnorm'), `ready lists the scenarios: ${ready.scenarios}`);
  expect(!('state' in ready) && !('score' in ready), 'ready carries no learner data');

  // Load a walkthrough at step 2: a reply with the state, then a step event.
  let reply = await page.evaluate(() => window.hostExample.command({ op: 'scenario', id: '02_batchnorm', step: 2 }));
  expect(reply.type === 'reply' && reply.state.scenario === '02_batchnorm' && reply.state.step === 2,
    `reply to the scenario command: ${JSON.stringify(reply).slice(0, 300)}`);
  const step = await waitEvent(page, "(m) => m.type === 'step' && m.scenario === '02_batchnorm' && m.step === 2", 'step');
  expect(step.steps >= 2 && step.title.length > 0, `step event names the step: ${JSON.stringify(step)}`);

  // Step 2 asks how many (mu, sigma) pairs BatchNorm computes: one per feature.
  const groups = reply.state.groupCount;
  reply = await page.evaluate((n) => window.hostExample.command({ op: 'answer', question: 0, value: n }), groups + 1);
  let answer = await waitEvent(page, "(m) => m.type === 'answer'", 'answer');
  expect(answer.verdict === 'incorrect' && answer.attempts === 1 && answer.score.points === 0,
    `a wrong answer is reported as such: ${JSON.stringify(answer)}`);
  await page.evaluate((n) => window.hostExample.command({ op: 'answer', question: 0, value: n }), groups);
  answer = await waitEvent(page, "(m) => m.type === 'answer' && m.attempts === 2", 'second answer');
  expect(answer.verdict === 'correct' && answer.scenario === '02_batchnorm' && answer.step === 2 && answer.question === 0,
    `the right answer: ${JSON.stringify(answer)}`);
  // Second attempt: half the question's points (tour.h grading rules).
  expect(answer.points > 0 && answer.score.points === answer.points && answer.score.correct === 1,
    `score after a second-attempt answer: ${JSON.stringify(answer.score)}`);

  // Command errors come back to the sender as errors.
  const err = await page.evaluate(() => window.hostExample.command({ op: 'step', step: 99 }));
  expect(err.type === 'error' && /step must be a whole number from 1 to \d+/.test(err.message), `error: ${JSON.stringify(err)}`);
  const bad = await page.evaluate(() => window.hostExample.request({ type: 'dance' }));
  expect(bad.type === 'error' && /unknown message type 'dance'/.test(bad.message), `bad type: ${bad.message}`);

  // Go to the last step and finish: a complete event with the score.
  await page.evaluate((n) => window.hostExample.command({ op: 'step', step: n }), step.steps);
  await waitEvent(page, `(m) => m.type === 'step' && m.step === ${step.steps}`, 'last step');
  await page.evaluate(() => window.hostExample.command({ op: 'next' }));
  const done = await waitEvent(page, "(m) => m.type === 'complete'", 'complete');
  expect(done.scenario === '02_batchnorm' && done.score.correct >= 1 && done.score.max > 0,
    `complete carries the score: ${JSON.stringify(done)}`);
  // set: the lab state through the same keys as the URL.
  reply = await page.evaluate(() => window.hostExample.command({ op: 'set', state: { family: 'layernorm', shape: [6, 10] } }));
  expect(reply.state.family === 'layernorm' && reply.state.shape.join('x') === '6x10', `set: ${JSON.stringify(reply.state.shape)}`);
  await save(page, 'embed-host-page');
  expect(host.problems.length === 0, host.problems.join('\n'));
});

test('embed: commands from an origin not in parentOrigin are ignored and reported', async (h) => {
  // NormLab is told to accept only https://course.example; this host is another origin.
  const host = await openHost(h, { allow: 'https://course.example' });
  const { page, frame: app } = host;
  expect((await app.evaluate(() => NormLab.state().parentOrigins)).join() === 'https://course.example', 'origin list');
  const before = await app.evaluate(() => NormLab.state());
  // No reply ever comes, so the promise is left pending (and its rejection at close ignored).
  page.evaluate(() => window.hostExample.command({ op: 'scenario', id: '02_batchnorm', step: 3 })).catch(() => {});
  await page.waitForTimeout(1500);
  const after = await app.evaluate(() => NormLab.state());
  expect(after.scenario === before.scenario && after.scenario === '', `the command was ignored: scenario '${after.scenario}'`);
  const evs = await events(page);
  expect(evs.length === 0, `nothing reaches a page that is not listed (not even ready): ${JSON.stringify(evs)}`);
  expect(host.logs.some((l) => /ignored a "command" message from http:\/\/127\.0\.0\.1:\d+: only https:\/\/course\.example may send commands/.test(l)),
    `a console warning names the origin:\n${host.logs.join('\n')}`);
});

test('embed: ?parentOrigin= rejects a wildcard and non-origins with a note', async ({ open }) => {
  const app = await open('?parentOrigin=*,https://ok.example/,ftp://x,https://a.example/path');
  const s = await app.state();
  expect(s.parentOrigins.join() === 'https://ok.example', `only the valid origin is kept: ${s.parentOrigins}`);
  expect(/parentOrigin=\* is not accepted/.test(s.note) && /'ftp:\/\/x' is not an origin/.test(s.note) &&
    /'https:\/\/a\.example\/path' is not an origin/.test(s.note), `note: ${s.note}`);
});

test('embed: embed=1 fits 320x480 and 3840x2160 without clipping the board', async ({ open }) => {
  for (const [w, hgt] of [[320, 480], [3840, 2160]]) {
    const app = await open('?embed=1&family=layernorm&shape=8x12', { width: w, height: hgt });
    const s = await app.state();
    expect(s.embed === true, 'embed mode is on');
    expect(s.items['share.fullscreen'] && s.items['share.copy_link'], 'the share row is drawn');
    // The board's 12 columns must lie inside the viewport (the narrow layout scrolls down to
    // the rest, but nothing is cut off at the sides).
    const right = s.board.x + 12 * s.board.cell;
    expect(s.board.cell > 0 && s.board.x >= 0 && right <= w, `board inside ${w} px: x ${s.board.x}, right ${right}`);
    const [fx, fy, fw] = s.items['share.fullscreen'];
    expect(fx >= 0 && fy >= 0 && fy < 40 && fx + fw <= w, `share row at the top, inside: ${s.items['share.fullscreen']}`);
    // No title bar: the first row is the share row, a few pixels from the top.
    expect(fy <= 8, `no title bar above the buttons in embed mode (y ${fy})`);
    const px = await app.shot(`embed-${w}x${hgt}`);
    expect(px.width === w && px.nonBackgroundFraction > 0.1, `drawn at ${w}x${hgt}: ${JSON.stringify(px)}`);
    app.noProblems();
    await app.page.close();
  }
  const full = await open('?family=layernorm&shape=8x12', { width: 1280, height: 800 });
  const f = await full.state();
  expect(f.embed === false && f.items['share.fullscreen'][1] > 4, 'outside embed mode the buttons sit in the title bar');
});

// Clicks the middle of raw cell (0, 0) and returns the state after a few frames.
async function clickCell(app) {
  const b = (await app.state()).board;
  await app.page.mouse.click(b.x + b.cell / 2, b.y + b.cell / 2);
  await app.page.waitForTimeout(300);
  return app.state();
}

test('embed: lock and hide name panels by their registered ids', async ({ open }) => {
  // Unlocked, a click on a cell focuses its group and pauses the sweep.
  const free = await open('?family=batchnorm&shape=8x12');
  expect((await free.state()).playing === true && (await clickCell(free)).playing === false, 'a click pauses');
  await free.page.close();

  const app = await open('?family=batchnorm&shape=8x12&lock=family,panel.settings,data,board&hide=weights,export,guide');
  const s = await app.state();
  expect(JSON.stringify(s.locked) === JSON.stringify(['panel.family', 'panel.settings', 'panel.controls', 'panel.board']),
    `locked: ${s.locked}`);
  expect(JSON.stringify(s.hidden) === JSON.stringify(['weights', 'export', 'guide']), `hidden: ${s.hidden}`);
  // What the UI drew last frame: locked areas disabled, hidden ones absent, the rest on.
  expect(s.areas['panel.family'] === 'locked' && s.areas['panel.settings'] === 'locked' &&
    s.areas['panel.controls'] === 'locked', `areas: ${JSON.stringify(s.areas)}`);
  expect(s.areas['panel.board'] === 'locked' && s.areas['panel.stats'] === 'on', 'the board is fixed, stats stay on');
  expect(!('export' in s.areas) && !('guide' in s.areas), `hidden areas are not drawn: ${JSON.stringify(s.areas)}`);
  // The locked board ignores the same click: the sweep keeps playing.
  const after = await clickCell(app);
  expect(after.playing === true && after.hover === null, 'a locked board neither focuses nor hovers');
  await app.shot('embed-locks');
  app.noProblems();

  const bad = await open('?lock=control.eps,setings&hide=board');
  const b = await bad.state();
  expect(/control\.eps is a single control/.test(b.note) && /unknown area 'setings'; did you mean settings\?/.test(b.note) &&
    /the board cannot be hidden/.test(b.note), `notes: ${b.note}`);
  expect(b.locked.length === 0 && b.hidden.length === 0, 'nothing wrong is applied');
});

// Keys that describe the state itself (not timing, hover, layout or the link).
const KEYS = ['family', 'layout', 'shape', 'groups', 'seed', 'eps', 'preset', 'mode', 'epsPlacement', 'precision',
  'accumulate', 'momentum', 'projector', 'scenario', 'step', 'view', 'compare', 'group', 'playing', 'language',
  'embed', 'locked', 'hidden', 'before', 'after', 'groupCount'];
const pick = (s) => Object.fromEntries(KEYS.map((k) => [k, s[k]]));

test('embed: Copy link round-trips the whole state, walkthrough step included', async ({ open, ctx, base }) => {
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  // A lab state off the defaults, then a walkthrough step on top.
  const app = await open('?family=groupnorm&shape=4x8x6x6&groups=4&seed=11&preset=outliers&eps=0.001&precision=bf16' +
    '&compare=instancenorm&projector=1&lock=settings&hide=export');
  await app.page.evaluate(() => NormLab.command({ op: 'focus', group: 5 }));
  let link = await app.page.evaluate(() => NormLab.shareUrl());
  let page2 = await app.page.context().newPage();
  await page2.setViewportSize({ width: 1280, height: 800 });
  await page2.goto(link);
  await page2.waitForFunction(() => window.NormLab?.state()?.frames > 5);
  let a = pick(await app.state()), b = pick(await page2.evaluate(() => NormLab.state()));
  expect(JSON.stringify(a) === JSON.stringify(b), `lab state round trip via ${link}\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
  expect(a.group === 5 && a.playing === false && a.compare === 'instancenorm' && a.precision === 'bf16', 'the state is off the defaults');
  await page2.close();

  // In a walkthrough: the step goes into the link; press the Copy link button itself.
  await app.openScenario('05_layernorm', 3);
  await app.page.waitForTimeout(200);
  const s = await app.state();
  const [x, y, w, h] = s.items['share.copy_link'];
  await app.page.mouse.click(x + w / 2, y + h / 2);
  await app.page.waitForFunction(() => NormLab.state().copied !== '');
  link = (await app.state()).copied;
  expect(link === (await app.page.evaluate(() => NormLab.shareUrl())), 'the button copies shareUrl()');
  expect(/scenario=05_layernorm/.test(link) && /step=3/.test(link), `the link names the step: ${link}`);
  const clip = await app.page.evaluate(() => navigator.clipboard.readText()).catch((e) => 'unreadable: ' + e.message);
  expect(clip === link, `the clipboard holds the link: ${clip}`);
  await app.shot('embed-copy-link');
  page2 = await app.page.context().newPage();
  await page2.setViewportSize({ width: 1280, height: 800 });
  await page2.goto(link);
  await page2.waitForFunction(() => window.NormLab?.state()?.frames > 5);
  a = pick(await app.state());
  b = pick(await page2.evaluate(() => NormLab.state()));
  expect(a.playing && b.playing, 'this step plays the sweep in both, so the group moves on its own');
  const still = (x) => { const { group, before, after, ...rest } = x; return rest; };
  expect(JSON.stringify(still(a)) === JSON.stringify(still(b)),
    `walkthrough round trip via ${link}\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
  expect(b.scenario === '05_layernorm' && b.step === 3, 'the step survives');
  // Same data: the same group shows the same statistics in both.
  const focus = (p) => p.evaluate(() => NormLab.command({ op: 'focus', group: 7 }));
  const [sa, sb] = [await focus(app.page), await focus(page2)];
  near(sb.before.mean, sa.before.mean, 1e-12, 'same raw data on the board');
  near(sb.before.std, sa.before.std, 1e-12, 'same raw spread on the board');
  app.noProblems();
});

test('embed: Fullscreen fills the screen, or offers a new tab where the frame forbids it', async (h) => {
  const app = await h.open('?family=rmsnorm');
  let s = await app.state();
  expect(s.fullscreen.enabled === true, 'a top-level page may go fullscreen');
  let [x, y, w, hh] = s.items['share.fullscreen'];
  await app.page.mouse.click(x + w / 2, y + hh / 2);
  await app.page.waitForFunction(() => document.fullscreenElement === document.documentElement, null, { timeout: 5000 });
  await app.page.waitForFunction(() => NormLab.state().fullscreen.active);
  await app.page.evaluate(() => document.exitFullscreen());

  // Framed without allowfullscreen: the button offers a new tab with the current state.
  const host = await openHost(h, { fullscreen: '0', query: 'scenario=02_batchnorm&step=2' });
  const { page } = host;
  const frameEl = await page.$('#normlab');
  const frame = host.frame;
  s = await frame.evaluate(() => NormLab.state());
  expect(s.fullscreen.enabled === false, 'the frame may not go fullscreen');
  const offset = await frameEl.boundingBox();
  [x, y, w, hh] = s.items['share.fullscreen'];
  await page.mouse.click(offset.x + x + w / 2, offset.y + y + hh / 2);
  await frame.waitForFunction(() => 'share.open_tab' in NormLab.state().items, null, { timeout: 5000 });
  await save(page, 'embed-fullscreen-refused');
  s = await frame.evaluate(() => NormLab.state());
  [x, y, w, hh] = s.items['share.open_tab'];
  const [tab] = await Promise.all([page.context().waitForEvent('page'),
    page.mouse.click(offset.x + x + w / 2, offset.y + y + hh / 2)]);
  await tab.waitForLoadState();
  const url = new URL(tab.url());
  expect(url.origin === host.appOrigin && url.searchParams.get('scenario') === '02_batchnorm' &&
    url.searchParams.get('step') === '2' && url.searchParams.get('embed') === '1', `new tab URL: ${tab.url()}`);
  await tab.waitForFunction(() => window.NormLab?.state()?.frames > 5, null, { timeout: 30000 });
  const t = await tab.evaluate(() => NormLab.state());
  expect(t.scenario === '02_batchnorm' && t.step === 2 && t.fullscreen.enabled, 'the tab opens at the same step, and may go fullscreen');
});
