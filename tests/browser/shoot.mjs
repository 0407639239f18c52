// tests/browser/shoot.mjs: screenshots of dist/ for a person to look at (not a test).
//   node tests/browser/shoot.mjs 'query' WIDTHxHEIGHT out.png [more triples...]
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = process.env.NORMLAB_DIST || join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const server = await startServer(dist, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox',
  '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const args = process.argv.slice(2);
for (let i = 0; i + 2 < args.length + 0 && i < args.length; i += 3) {
  const [query, size, out] = args.slice(i, i + 3);
  const [width, height] = size.split('x').map(Number);
  const page = await browser.newPage({ viewport: { width, height } });
  page.on('console', (m) => console.log(`[${out}] ${m.type()}: ${m.text()}`));
  await page.goto(base + query);
  await page.waitForFunction(() => window.NormLab?.state()?.frames > 20, null, { timeout: 30000 });
  if (process.env.HOVER) {
    const [x, y] = process.env.HOVER.split(',').map(Number);
    await page.mouse.move(x, y);
    await page.waitForTimeout(300);
  }
  await page.screenshot({ path: out });
  console.log(out, JSON.stringify(await page.evaluate(() => window.NormLab.state())).slice(0, 300));
  await page.close();
}
await browser.close();
server.close();
