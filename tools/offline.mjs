// tools/offline.mjs: assembles the single-file NormLab from a built dist/ folder.
//   node tools/offline.mjs DIST OUT.html
// One HTML file with everything inside (CSS, favicon, page.js, normlab.js, the .wasm, the UI
// font and the walkthroughs), for file://, a USB stick or an LMS upload: it makes no request.
// web/page.js finds the <script type="application/json" id="normlab-offline"> block and reads
// the font, scenarios and wasm from it instead of fetching them. Every build variant found in
// DIST (normlab, normlab-nosimd) goes in, so feature detection works as it does online.
// JSON text escapes '<' as \u003c, so nothing inside the block can close the <script> early.
import { readFile, writeFile, mkdir, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const [dist, out] = process.argv.slice(2);
if (!dist || !out) {
  console.error('usage: node tools/offline.mjs DIST OUT.html');
  process.exit(2);
}

const read = (name, enc) => readFile(join(dist, name), enc).catch(() => {
  console.error(`normlab offline: ${join(dist, name)} is missing (build the dist target first)`);
  process.exit(1);
});
const exists = (name) => access(join(dist, name)).then(() => true, () => false);
const scriptSafe = (text) => text.replace(/</g, '\\u003c');

const variants = [];
for (const v of ['normlab', 'normlab-nosimd'])
  if (await exists(v + '.js') && await exists(v + '.wasm')) variants.push(v);
if (!variants.includes('normlab')) {
  console.error(`normlab offline: ${dist} has no normlab.js + normlab.wasm`);
  process.exit(1);
}

// Every walkthrough whole (no catalogue: nothing is fetched later), by its name in dist/.
const names = JSON.parse(await read('scenarios/index.json', 'utf8'));
const files = {};
for (const name of names) files['scenarios/' + name] = await read('scenarios/' + name, 'utf8');

const data = { variants, js: {}, wasm: {}, font: (await read('normlab-ui.ttf')).toString('base64'), files };
for (const v of variants) {
  data.js[v] = await read(v + '.js', 'utf8');
  data.wasm[v] = (await read(v + '.wasm')).toString('base64');
}

let html = await read('index.html', 'utf8');
const css = await read('normlab.css', 'utf8');
const icon = (await read('favicon.svg')).toString('base64');
const page = await read('page.js', 'utf8');
if (/<\/script/i.test(page) || /<\/style/i.test(css)) {
  console.error('normlab offline: page.js or normlab.css contains a closing tag and cannot be inlined');
  process.exit(1);
}
const swap = (from, to) => {
  if (!html.includes(from)) {
    console.error(`normlab offline: index.html no longer contains ${from}; update tools/offline.mjs`);
    process.exit(1);
  }
  html = html.replace(from, () => to);
};
swap('<link rel="stylesheet" href="normlab.css">', `<style>\n${css}</style>`);
swap('href="favicon.svg"', `href="data:image/svg+xml;base64,${icon}"`);
swap('<script src="page.js"></script>',
  `<script type="application/json" id="normlab-offline">${scriptSafe(JSON.stringify(data))}</script>\n` +
  `  <script>\n${page}</script>`);

await mkdir(dirname(out), { recursive: true });
await writeFile(out, html);
console.log(`${out}: ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, variants ${variants.join(', ')}, ` +
  `${names.length} walkthrough files`);
