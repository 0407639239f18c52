// web/page.js: the page around the WASM app. Checks what the browser must have, fetches the
// files the app reads (font, texts, walkthroughs), shows loading and error states,
// and exposes window.NormLab for tests and for pages that embed NormLab.
'use strict';

(function () {
  const statusBox = document.getElementById('status');
  const statusText = document.getElementById('status-text');

  function showStatus(text, isError) {
    statusText.textContent = text;
    statusBox.classList.remove('hidden');
    statusBox.classList.toggle('error', !!isError);
  }
  function fail(text) {
    showStatus(text, true);
    console.warn('[NormLab] ' + text);
  }

  // [loading: what the browser has] ---------------------------------------------------------
  // The smallest module that uses a v128 instruction: it validates only where WASM SIMD
  // exists. (The app needs no WASM exceptions: it is built without them.)
  const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1,
    0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  const params = new URLSearchParams(window.location.search);
  // The single-file build (tools/offline.mjs) carries the wasm, normlab.js, font and
  // walkthroughs in this block, so it runs from file:// with no request at all.
  const offlineBlock = document.getElementById('normlab-offline');
  const offline = offlineBlock ? JSON.parse(offlineBlock.textContent) : null;
  const missing = [];
  let simd = false;
  if (typeof WebAssembly !== 'object') missing.push('WebAssembly');
  else simd = WebAssembly.validate(simdProbe);
  if (!document.createElement('canvas').getContext('webgl2')) missing.push('WebGL2');
  // Which build runs: the SIMD one, or the same app compiled without SIMD where the browser
  // lacks it (or ?wasm=nosimd asks for it, which is how the tests load the fallback).
  const variants = offline ? offline.variants : ['normlab', 'normlab-nosimd'];
  const wantFallback = !simd || params.get('wasm') === 'nosimd';
  const variant = wantFallback ? variants.find((v) => v.endsWith('-nosimd')) : variants[0];
  if (!variant && typeof WebAssembly === 'object') missing.push('WebAssembly SIMD');

  let runtimeReady = false;
  window.NormLabPage = { status: (text) => showStatus(text, true) };
  window.NormLab = {
    // The app's current state as an object (family, shape, highlighted group, statistics).
    state() {
      if (!runtimeReady) return null;
      return JSON.parse(Module.UTF8ToString(Module._normlab_state_json()));
    },
    getState() { return window.NormLab.state(); },
    // Moves the lab to a partial state with the URL's keys, e.g. {family: 'layernorm',
    // shape: [16, 12], preset: 'outliers', eps: 1e-3, mode: 'eval'}. Returns the notes.
    setState(partial) {
      if (!runtimeReady) throw new Error('NormLab is still loading');
      const notes = withString(JSON.stringify({ op: 'set', state: partial }),
        (p) => Module.UTF8ToString(Module._normlab_command(p)));
      return notes;
    },
    // Runs a C++ normalization kernel on a tensor (the same code the board uses).
    //   NormLab.normalize({family: 'layernorm', shape: [2, 3], x: [1, 2, 3, 4, 5, 6]})
    // Options: eps (1e-5), groups (GroupNorm), gamma, beta (one per channel), impl
    // ('simd' | 'reference'). Returns {y, mean, var, rms} as Float32Arrays; throws an Error
    // with the kernel's message on bad input.
    normalize(opts) {
      if (!runtimeReady) throw new Error('NormLab is still loading');
      return callKernel(opts || {});
    },
    // Runs a lab command: {op: 'scale_example', example, factor} | {op: 'train', steps} |
    // {op: 'mode', mode: 'train'|'eval'} | {op: 'reset_running'} | {op: 'focus', group} |
    // {op: 'play', playing} | {op: 'cell', cell, value}. Throws with the lab's message.
    command(cmd) {
      if (!runtimeReady) throw new Error('NormLab is still loading');
      const msg = withString(JSON.stringify(cmd), (p) => Module.UTF8ToString(Module._normlab_command(p)));
      if (msg) throw new Error(msg);
      return window.NormLab.state();
    },
    // The board's data as text: 'json' (settings, x, y, statistics), 'csv' or 'pytorch'.
    exportData(kind) {
      if (!runtimeReady) throw new Error('NormLab is still loading');
      return withString(String(kind), (p) => Module.UTF8ToString(Module._normlab_export(p)));
    },
    // A link that reopens NormLab exactly as it is now (family, shape, data, settings, view,
    // projector, locks, walkthrough step): what the Copy link button copies.
    shareUrl() {
      if (!runtimeReady) throw new Error('NormLab is still loading');
      return Module.UTF8ToString(Module._normlab_share_url());
    },
    // Frame timing and memory: frames, firstFrameMs (since navigation start), frameMsP50 and
    // frameMsP95 (work per frame over the last four seconds), heapBytes (WASM memory size).
    stats() {
      if (!runtimeReady) return null;
      const s = JSON.parse(Module.UTF8ToString(Module._normlab_stats_json()));
      s.heapBytes = Module.HEAP8.buffer.byteLength;
      return s;
    },
  };

  // The ARIA live region (#live in index.html): the app's step, quiz and statistics text,
  // polled four times a second; a paragraph is rewritten only when its text changed, so a
  // screen reader announces changes and nothing else.
  function startLiveRegion() {
    const live = document.getElementById('live');
    if (!live || !Module._normlab_live_text) return;
    const lang = new URLSearchParams(window.location.search).get('lang');
    if (lang === 'es') live.lang = 'es';
    const parts = { step: 'live-step', quiz: 'live-quiz', stats: 'live-stats' };
    let last = '';
    const update = () => {
      const text = Module.UTF8ToString(Module._normlab_live_text());
      if (text === last) return;
      last = text;
      const values = JSON.parse(text);
      for (const [key, id] of Object.entries(parts)) {
        const p = document.getElementById(id);
        if (p && p.textContent !== values[key]) p.textContent = values[key];
      }
    };
    update();
    setInterval(update, 250);
  }

  // Calls fn with a heap copy of a JS string.
  function withString(text, fn) {
    const n = Module.lengthBytesUTF8(text) + 1;
    const p = Module._malloc(n);
    try {
      Module.stringToUTF8(text, p, n);
      return fn(p);
    } finally {
      Module._free(p);
    }
  }

  function callKernel({ family = '', shape = [], x = [], eps = 1e-5, groups = 1, gamma = null,
    beta = null, impl = 'simd' }) {
    const M = window.Module;
    const allocs = [];
    const alloc = (bytes) => { const p = M._malloc(Math.max(4, bytes)); allocs.push(p); return p; };
    const floats = (arr) => {
      const p = alloc(arr.length * 4);
      M.HEAPF32.set(Float32Array.from(arr), p >> 2);
      return p;
    };
    try {
      const famBytes = M.lengthBytesUTF8(String(family)) + 1;
      const fam = alloc(famBytes);
      M.stringToUTF8(String(family), fam, famBytes);
      const dims = alloc(16);
      M.HEAP32.set(Int32Array.from(shape.slice(0, 4).map((v) => v | 0)), dims >> 2);
      const groupCount = M._normlab_group_count(fam, dims, shape.length, groups | 0);
      if (groupCount < 0) throw new Error(M.UTF8ToString(M._normlab_last_error()));
      const n = shape.reduce((a, b) => a * b, 1);
      if (x.length !== n) throw new Error(`x has ${x.length} values but shape [${shape}] holds ${n}`);
      const px = floats(x), py = alloc(n * 4);
      const pm = alloc(groupCount * 4), pv = alloc(groupCount * 4), pr = alloc(groupCount * 4);
      const rc = M._normlab_normalize(fam, dims, shape.length, groups | 0, eps, px, py,
        gamma ? floats(gamma) : 0, gamma ? gamma.length : 0, beta ? floats(beta) : 0,
        beta ? beta.length : 0, pm, pv, pr, impl === 'reference' ? 0 : 1);
      if (rc !== 0) throw new Error(M.UTF8ToString(M._normlab_last_error()));
      const read = (p, len) => new Float32Array(M.HEAPF32.buffer, p, len).slice();
      return { y: read(py, n), mean: read(pm, groupCount), var: read(pv, groupCount), rms: read(pr, groupCount) };
    } finally {
      allocs.forEach((p) => M._free(p));
    }
  }

  // [loading: progress, data sources, the app script] -----------------------------------------
  if (missing.length) {
    fail('NormLab cannot run in this browser: it needs ' + missing.join(' and ') + '. ' +
         (missing.includes('WebGL2')
           ? 'Turn on hardware acceleration (graphics) in the browser settings, or try a current Chrome, Edge, Firefox or Safari.'
           : 'Try a current Chrome, Edge, Firefox or Safari.'));
    document.documentElement.dataset.normlabMissing = missing.join(',');
    return;  // normlab.js is never loaded
  }

  const progressBar = document.getElementById('status-progress');
  const kib = (n) => Math.round(n / 1024).toLocaleString('en');
  function showProgress(text, fraction) {
    statusText.textContent = text;
    if (fraction === null) progressBar.removeAttribute('value');   // indeterminate
    else progressBar.value = Math.min(1, fraction);
  }

  // Downloads the .wasm (or decodes the single file's copy), counting bytes for the progress
  // bar, and compiles it while it streams. Emscripten calls this through Module.instantiateWasm.
  async function instantiate(imports) {
    if (offline) {
      showProgress('Starting NormLab…', null);
      const bytes = Uint8Array.from(atob(offline.wasm[variant]), (c) => c.charCodeAt(0));
      return WebAssembly.instantiate(bytes, imports);
    }
    const url = variant + '.wasm';
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
    // Content-Length is the compressed size where the host gzips; the bar then stops at 100 %.
    const total = Number(response.headers.get('Content-Length')) || 0;
    let loaded = 0, shown = -1;
    // The bar moves with every chunk; the text (read out by screen readers: the box is a
    // polite live region) only every tenth of the way.
    const report = () => {
      const tenth = Math.floor((total ? loaded / total : loaded / 1e6) * 10);
      if (tenth !== shown) {
        shown = tenth;
        statusText.textContent = total ? `Downloading NormLab: ${kib(loaded)} of ${kib(total)} KiB`
          : `Downloading NormLab: ${kib(loaded)} KiB`;
      }
      if (total) progressBar.value = Math.min(1, loaded / total);
    };
    report();
    const counted = response.body.pipeThrough(new TransformStream({
      transform(chunk, out) { loaded += chunk.byteLength; report(); out.enqueue(chunk); },
      flush() { showProgress('Starting NormLab…', 1); },
    }));
    const stream = new Response(counted, { headers: { 'Content-Type': 'application/wasm' } });
    if (WebAssembly.instantiateStreaming) return WebAssembly.instantiateStreaming(stream, imports);
    return WebAssembly.instantiate(await stream.arrayBuffer(), imports);
  }

  // [loading: the files the app reads] -----------------------------------------------------
  // The app has no file system: it takes files from Module.normlabFiles.ready (a Map of name
  // to text or bytes; platform::take_files) and asks for more through Module.normlabRequest
  // (platform::request_file). Before main() runs it gets the UI font, the lab and UI text and
  // the walkthrough catalogue: one bundle per language (tools/bundle-scenarios.mjs). A
  // walkthrough's own file is fetched when the learner first opens it; the one a link opens
  // (?scenario=) comes at start.
  const files = { ready: new Map(), failed: new Map() };
  const pageLang = params.get('lang') || 'en';
  const fileLang = (name) => (/\.([a-z]{2})\.json$/.exec(name) || [])[1] || 'en';
  const wantedLang = (name) => fileLang(name) === 'en' || fileLang(name) === pageLang;
  const fetchText = (name) => fetch(name).then((r) => {
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.text();
  });
  function request(name) {
    if (offline) {
      const text = offline.files[name];
      if (text === undefined) files.failed.set(name, 'not in this single-file build');
      else files.ready.set(name, text);
      return;
    }
    fetchText(name).then((text) => files.ready.set(name, text),
      (e) => files.failed.set(name, e.message === 'Failed to fetch' ? 'no connection' : e.message));
  }
  async function startFiles() {
    if (offline) {
      // Everything is inside the page: the app gets every file of its languages at once.
      for (const [name, text] of Object.entries(offline.files))
        if (wantedLang(name)) files.ready.set(name, text);
      return;
    }
    // One bundle holds all a page in its language needs at start; a language without one
    // falls back to English.
    const bundleOf = (lang) => fetch('scenarios/bundle-' + lang + '.json')
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    const [names, own] = await Promise.all([
      fetch('scenarios/index.json').then((r) => {
        if (!r.ok) throw new Error('scenarios/index.json: HTTP ' + r.status);
        return r.json();
      }),
      bundleOf(pageLang)]);
    const bundle = own || (pageLang !== 'en' && await bundleOf('en')) || { files: {}, catalogue: [], covers: [] };
    // (A text file is its document where that was lossless: the app reads text.)
    for (const [name, doc] of Object.entries(bundle.files || {}))
      files.ready.set('scenarios/' + name, typeof doc === 'string' ? doc : JSON.stringify(doc));
    const catalogue = bundle.catalogue || [];
    files.ready.set('scenarios/catalogue.json', JSON.stringify(catalogue));
    // Files a course author added to index.json without rebuilding: fetched whole, now.
    const covered = new Set(bundle.covers || []);
    const extra = names.filter((n) => wantedLang(n) && !covered.has(n)).map((n) => 'scenarios/' + n);
    // The walkthrough a link opens, in the page's language where there is one.
    const id = params.get('scenario');
    const linked = catalogue.find((e) => e.id === id);
    if (linked) extra.push('scenarios/' + linked.file);
    await Promise.all(extra.map((name) => fetchText(name).then((text) => files.ready.set(name, text),
      (e) => console.warn('[NormLab] ' + name + ' not loaded: ' + e.message))));
  }
  // The app cannot draw without its font, so a failed fetch is tried once more.
  async function fontBytes(retry = true) {
    if (offline) return Uint8Array.from(atob(offline.font), (c) => c.charCodeAt(0));
    try {
      const r = await fetch('normlab-ui.ttf');
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return new Uint8Array(await r.arrayBuffer());
    } catch (e) {
      if (!retry) throw e;
      return fontBytes(false);
    }
  }

  // Both start now, while the .wasm downloads and compiles, not after it (preRun waits for them).
  const filesReady = startFiles();
  const fontReady = fontBytes();
  filesReady.catch(() => {});   // reported in preRun
  fontReady.catch(() => {});

  let dependencyTotal = 0;
  window.Module = {
    canvas: document.getElementById('canvas'),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    instantiateWasm(imports, done) {
      instantiate(imports).then((r) => done(r.instance, r.module), (e) => fail(
        'Could not load ' + variant + '.wasm (' + e.message + '). Check the connection and that the whole ' +
        'dist/ folder was deployed, then reload the page.'));
      return {};   // asynchronous: Emscripten waits for done()
    },
    // Emscripten counts what must finish before main(): the wasm, the font, the walkthroughs.
    monitorRunDependencies(left) {
      dependencyTotal = Math.max(dependencyTotal, left);
      if (left > 0 && progressBar.value >= 1)
        statusText.textContent = `Starting NormLab: ${dependencyTotal - left} of ${dependencyTotal} parts ready`;
    },
    normlabFiles: files,
    normlabRequest: request,
    preRun: [function () {
      Module.addRunDependency('scenarios');
      filesReady
        .catch((e) => console.warn('[NormLab] no scenario list (' + e.message + '); walkthroughs unavailable'))
        .finally(() => Module.removeRunDependency('scenarios'));
      Module.addRunDependency('ui-font');
      fontReady
        .then((bytes) => files.ready.set('normlab-ui.ttf', bytes))
        .catch((e) => console.warn('[NormLab] UI font not loaded (' + e.message + ')'))
        .finally(() => Module.removeRunDependency('ui-font'));
    }],
    onRuntimeInitialized: () => {
      runtimeReady = true;
      statusBox.classList.add('hidden');
      startLiveRegion();
      // Paste events reach the app's clipboard, so Ctrl+V works in its text fields.
      document.addEventListener('paste', (e) => {
        const text = e.clipboardData ? e.clipboardData.getData('text') : '';
        if (!text) return;
        const n = Module.lengthBytesUTF8(text) + 1;
        const p = Module._malloc(n);
        Module.stringToUTF8(text, p, n);
        Module._normlab_receive_paste(p);
        Module._free(p);
      });
    },
    onAbort: (what) => fail('NormLab stopped unexpectedly: ' + what + '. Reload the page to start again.'),
  };
  window.NormLabPage.variant = variant;
  const script = document.createElement('script');
  if (offline) script.textContent = offline.js[variant];
  else {
    script.src = variant + '.js';
    script.onerror = () => fail('Could not load ' + variant + '.js. Check that the whole dist/ folder was deployed.');
  }
  document.body.appendChild(script);
})();
