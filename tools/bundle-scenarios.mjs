// tools/bundle-scenarios.mjs: one file per language of the walkthrough texts, so a page load
// fetches one or two compressed files instead of seventeen (gzip also shares the vocabulary
// across walkthroughs: about a quarter smaller than the files one by one).
//   node tools/bundle-scenarios.mjs DIST/scenarios
// Reads DIST/scenarios/index.json (the list of files) and writes bundle-LANG.json, an object of
// file name -> file text: "x.es.json" goes into bundle-es.json, every other file into
// bundle-en.json. web/page.js fetches the bundles of the page's language and then any file of
// index.json that no bundle holds (a course author can still add a file and its name).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/bundle-scenarios.mjs DIST/scenarios');
  process.exit(2);
}
const names = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
const bundles = new Map();
for (const name of names) {
  const lang = /\.([a-z]{2})\.json$/.exec(name)?.[1] ?? 'en';
  if (!bundles.has(lang)) bundles.set(lang, {});
  bundles.get(lang)[name] = await readFile(join(dir, name), 'utf8');
}
for (const [lang, files] of bundles)
  await writeFile(join(dir, `bundle-${lang}.json`), JSON.stringify(files));
console.log(`bundled ${names.length} files into ${[...bundles.keys()].map((l) => 'bundle-' + l + '.json').join(', ')}`);
