// tools/bundle-scenarios.mjs: what a page load fetches of scenarios/, one file per language.
//   node tools/bundle-scenarios.mjs DIST/scenarios
// Reads DIST/scenarios/index.json (the list of files) and writes bundle-LANG.json for each
// language there is a file in, all a page in that language needs at start:
//   {"files": {"lab_text.es.json": {...the document...}, ...},
//    "catalogue": [{"file", "id", "language", "title", "summary", "level", "minutes",
//                   "steps"}, ...],
//    "covers": [every name of index.json this build bundled, in any language]}
// The lab and UI texts of the language go in whole (English lab text where the language has
// none): as the document itself where JSON.stringify gives back the text token for token (no
// quotes to escape: 0.2 KiB less gzipped), else as the text without whitespace between tokens
// (a number written 1e-5, a duplicate key the loader must still see). Each walkthrough goes in
// as the catalogue entry of its translation, or of the English file where there is none, and
// web/page.js fetches its file when the learner opens it.
// "x.es.json" is Spanish, every other file English. The app checks each entry
// (scenario::load_catalogue) and, when the file arrives, that it holds what the entry said.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/bundle-scenarios.mjs DIST/scenarios');
  process.exit(2);
}
// The text without the whitespace between tokens; every token (numbers, strings, a duplicate
// key the loader would report) stays exactly as written.
function squeeze(text) {
  let out = '', inString = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') {
      out += c;
    }
  }
  return out;
}

const names = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
const texts = [];        // {name, lang, kind, content: the document or its text}
const walkthroughs = []; // {name, lang, entry}
for (const name of names) {
  const lang = /\.([a-z]{2})\.json$/.exec(name)?.[1] ?? 'en';
  const text = await readFile(join(dir, name), 'utf8');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    console.error(`normlab bundle: ${name}: ${e.message} (run normlab validate on it)`);
    process.exit(1);
  }
  if (doc.kind !== 'scenario') {
    const squeezed = squeeze(text);
    if (JSON.stringify(JSON.parse(squeezed)) !== JSON.stringify(doc)) {
      console.error(`normlab bundle: ${name}: squeezing the whitespace changed the document`);
      process.exit(1);
    }
    const lossless = JSON.stringify(doc) === squeezed;
    texts.push({ name, lang, kind: doc.kind, content: lossless ? doc : squeezed });
    continue;
  }
  const { id, language, title, summary, level, minutes, steps } = doc;
  walkthroughs.push({ name, lang, entry: { file: name, id, language, title, summary, level, minutes,
    steps: Array.isArray(steps) ? steps.length : 0 } });
}
const langs = [...new Set(['en', ...texts.map((t) => t.lang), ...walkthroughs.map((w) => w.lang)])];
for (const lang of langs) {
  const files = {};
  for (const t of texts) if (t.lang === lang) files[t.name] = t.content;
  const hasLabText = texts.some((t) => t.lang === lang && t.kind === 'lab_text');
  if (!hasLabText) for (const t of texts) if (t.lang === 'en' && t.kind === 'lab_text') files[t.name] = t.content;
  const catalogue = [];
  for (const w of walkthroughs) {
    if (w.lang === lang) catalogue.push(w.entry);
    else if (w.lang === 'en' && !walkthroughs.some((o) => o.lang === lang && o.entry.id === w.entry.id))
      catalogue.push(w.entry);
  }
  await writeFile(join(dir, `bundle-${lang}.json`), JSON.stringify({ files, catalogue, covers: names }));
}
console.log(`bundled ${texts.length} text files and ${walkthroughs.length} walkthroughs into ` +
  langs.map((l) => 'bundle-' + l + '.json').join(', '));
