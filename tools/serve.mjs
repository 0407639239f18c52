// tools/serve.mjs: a small static file server for dist/, bound to 127.0.0.1 only.
//   node tools/serve.mjs [dir] [port] [--csp]   (port 0 picks a free one; prints the URL)
// --csp adds the strict policy NormLab must run under (see README "The bundle").
// Used by tools/run to serve the MicroSim and by the browser tests. Correct MIME types
// matter: browsers compile .wasm in streaming mode only when it is served as application/wasm.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf', '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
};

// The policy of issue #6: our own origin only, no eval, no inline script or style.
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

export function startServer(root, port = 0, host = '127.0.0.1', extraHeaders = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) { res.writeHead(403).end('forbidden'); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Content-Length': body.length, 'Cache-Control': 'no-cache', ...extraHeaders });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const dir = positional[0] || 'dist';
  const port = Number(positional[1] ?? process.env.PORT ?? 8080);
  const headers = process.argv.includes('--csp') ? { 'Content-Security-Policy': STRICT_CSP } : {};
  startServer(dir, port, '127.0.0.1', headers).then((server) => {
    const { port: p } = server.address();
    console.log(`NormLab is served at http://127.0.0.1:${p}/  (Ctrl+C to stop)`);
  }, (e) => {
    console.error(`normlab: cannot serve on 127.0.0.1:${port}: ${e.message}` +
      (e.code === 'EADDRINUSE' ? ' (port in use; set PORT to another one)' : ''));
    process.exit(1);
  });
}
