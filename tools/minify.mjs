// tools/minify.mjs: minifies Emscripten's normlab.js and web/page.js for dist/ with terser (Debian node-terser):
// compress and mangle local names. Top-level names, and every property name (Module.*, the
// wasm import object's keys that the .wasm looks up), are left as they are.
//   NODE_PATH=/usr/share/nodejs node tools/minify.mjs IN.js OUT.js
// (Debian installs node modules under /usr/share/nodejs; terser finds its own dependencies
// there through NODE_PATH.)
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';

const require = createRequire(import.meta.url);
let terser;
try {
  terser = require('terser');
} catch (e) {
  console.error(`tools/minify.mjs: terser is missing (${e.message.split('\n')[0]}); ` +
                'install the Debian package node-terser (tools/deps.sh does) and set NODE_PATH=/usr/share/nodejs');
  process.exit(1);
}
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/minify.mjs IN.js OUT.js');
  process.exit(2);
}
const source = await readFile(input, 'utf8');
const result = await terser.minify(source, {
  ecma: 2020,
  compress: { passes: 2 },
  mangle: true,            // local names only: toplevel stays false
  format: { comments: false },
});
await writeFile(output, result.code);
