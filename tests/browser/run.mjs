// tests/browser/run.mjs: runs every *.test.mjs in this folder in one Chromium session.
//   node tests/browser/run.mjs [filter]     (filter: substring of test names)
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
for (const f of (await readdir(here)).filter((n) => n.endsWith('.test.mjs')).sort())
  await import(pathToFileURL(`${here}/${f}`).href);
await run(process.argv[2] || '');
