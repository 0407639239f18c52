// tools/bundle-scenarios.mjs: what a page load fetches of scenarios/, one file per language.
//   node tools/bundle-scenarios.mjs DIST/scenarios
// Reads DIST/scenarios/index.json (the list of files) and writes bundle-LANG.json:
//   {"files": {"lab_text.json": "<text>", ...}, "catalogue": [{"file", "id", "language",
//    "title", "summary", "level", "minutes", "steps"}, ...]}
// The lab and UI texts go in whole; a walkthrough goes in as its catalogue entry (what the
// guide's menu shows), and web/page.js fetches its file when the learner opens it. "x.es.json"
// belongs to bundle-es.json, every other file to bundle-en.json. The app checks each entry
// (scenario::load_catalogue) and, when the file arrives, that it holds what the entry said.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/bundle-scenarios.mjs DIST/scenarios');
  process.exit(2);
}
const names = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
const bundles = new Map();
let listed = 0;
for (const name of names) {
  const lang = /\.([a-z]{2})\.json$/.exec(name)?.[1] ?? 'en';
  if (!bundles.has(lang)) bundles.set(lang, { files: {}, catalogue: [] });
  const bundle = bundles.get(lang);
  const text = await readFile(join(dir, name), 'utf8');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    console.error(`normlab bundle: ${name}: ${e.message} (run normlab validate on it)`);
    process.exit(1);
  }
  if (doc.kind !== 'scenario') {
    bundle.files[name] = text;
    continue;
  }
  const { id, language, title, summary, level, minutes, steps } = doc;
  bundle.catalogue.push({ file: name, id, language, title, summary, level, minutes,
    steps: Array.isArray(steps) ? steps.length : 0 });
  ++listed;
}
for (const [lang, bundle] of bundles)
  await writeFile(join(dir, `bundle-${lang}.json`), JSON.stringify(bundle));
console.log(`bundled ${names.length - listed} text files and ${listed} catalogue entries into ` +
  [...bundles.keys()].map((l) => 'bundle-' + l + '.json').join(', '));
