// web/page.js: the page around the WASM app. Checks what the browser must have, fetches the
// UI font into the virtual file system before main() runs, shows loading and error states,
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

  // The smallest module that uses a v128 instruction: validates only where WASM SIMD exists.
  const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1,
    0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  const missing = [];
  if (typeof WebAssembly !== 'object') missing.push('WebAssembly');
  else if (!WebAssembly.validate(simdProbe)) missing.push('WebAssembly SIMD');
  if (!document.createElement('canvas').getContext('webgl2')) missing.push('WebGL2');

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
    // Frame timing and memory: frames, firstFrameMs (since navigation start), frameMsP50 and
    // frameMsP95 (work per frame over the last four seconds), heapBytes (WASM memory size).
    stats() {
      if (!runtimeReady) return null;
      const s = JSON.parse(Module.UTF8ToString(Module._normlab_stats_json()));
      s.heapBytes = Module.HEAP8.buffer.byteLength;
      return s;
    },
  };

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

  if (missing.length) {
    fail('NormLab cannot run in this browser: it needs ' + missing.join(' and ') +
         '. Try a current Chrome, Edge, Firefox or Safari.');
    return;  // normlab.js is never loaded
  }

  window.Module = {
    canvas: document.getElementById('canvas'),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    preRun: [function () {
      // The walkthroughs: scenarios/index.json names the files; each lands in /scenarios.
      Module.addRunDependency('scenarios');
      Module.FS.mkdir('/scenarios');
      fetch('scenarios/index.json')
        .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then((names) => Promise.all(names.map((name) => fetch('scenarios/' + encodeURIComponent(name))
          .then((r) => { if (!r.ok) throw new Error(name + ': HTTP ' + r.status); return r.arrayBuffer(); })
          .then((buf) => Module.FS.writeFile('/scenarios/' + name, new Uint8Array(buf)))
          .catch((e) => console.warn('[NormLab] scenario not loaded: ' + e.message)))))
        .catch((e) => console.warn('[NormLab] no scenario list (' + e.message + '); walkthroughs unavailable'))
        .finally(() => Module.removeRunDependency('scenarios'));
      Module.addRunDependency('ui-font');
      fetch('normlab-ui.ttf')
        .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.arrayBuffer(); })
        .then((buf) => {
          Module.FS.mkdir('/assets');
          Module.FS.writeFile('/assets/normlab-ui.ttf', new Uint8Array(buf));
        })
        .catch((e) => console.warn('[NormLab] UI font not loaded (' + e.message + '); using the fallback font'))
        .finally(() => Module.removeRunDependency('ui-font'));
    }],
    onRuntimeInitialized: () => {
      runtimeReady = true;
      statusBox.classList.add('hidden');
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
  const script = document.createElement('script');
  script.src = 'normlab.js';
  script.onerror = () => fail('Could not load normlab.js. Check that the whole dist/ folder was deployed.');
  document.body.appendChild(script);
})();
