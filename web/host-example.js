// web/host-example.js: the script of host-example.html, an example course page that frames
// NormLab and talks to it with postMessage (README "Embedding" documents the protocol).
// Query options, so one page serves demos and tests:
//   ?app=URL      NormLab's address (default: index.html beside this page)
//   ?allow=ORIGIN the parentOrigin NormLab is told (default: this page's origin)
//   ?query=a=1&.. extra NormLab URL parameters (URL-encoded), e.g. query=lock%3Dsettings
//   ?fullscreen=0 frame NormLab without allowfullscreen (it then offers a new tab)
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  const appUrl = new URL(params.get('app') || 'index.html', window.location.href);
  const appOrigin = appUrl.origin;
  const frame = document.getElementById('normlab');
  const log = document.getElementById('log');

  // NormLab accepts commands only from the origins listed in parentOrigin.
  const src = new URL(appUrl.href);
  src.searchParams.set('embed', '1');
  src.searchParams.set('parentOrigin', params.get('allow') || window.location.origin);
  for (const [k, v] of new URLSearchParams(params.get('query') || '')) src.searchParams.set(k, v);
  if (params.get('fullscreen') === '0') {
    frame.removeAttribute('allowfullscreen');
    frame.setAttribute('allow', 'clipboard-write');
  }
  frame.src = src.href;

  const events = [];
  const pending = new Map();
  let nextRequest = 1;

  function show(text) {
    const li = document.createElement('li');
    li.textContent = text;
    log.prepend(li);
  }

  function describe(m) {
    switch (m.type) {
    case 'ready': return 'ready: NormLab ' + m.version + (m.acceptsCommands ? ', accepts commands' : ', commands off');
    case 'step': return m.scenario ? 'step ' + m.step + ' of ' + m.steps + ' in ' + m.scenario + ': ' + m.title
                                   : 'left the walkthrough';
    case 'answer': return 'answer to ' + m.questionId + ': ' + m.verdict + ' (score ' + m.score.points + ' of ' + m.score.max + ')';
    case 'complete': return 'finished ' + m.scenario + ' with ' + m.score.points + ' of ' + m.score.max + ' points';
    case 'reply': return 'reply #' + m.requestId + (m.message ? ': ' + m.message : ': ok');
    case 'error': return 'error #' + m.requestId + ': ' + m.message;
    default: return m.type;
    }
  }

  window.addEventListener('message', (e) => {
    // Only NormLab's frame, from NormLab's origin, and only its messages.
    if (e.source !== frame.contentWindow || e.origin !== appOrigin) return;
    const m = e.data;
    if (!m || m.source !== 'normlab') return;
    events.push(m);
    show(describe(m));
    if ((m.type === 'reply' || m.type === 'error') && pending.has(m.requestId)) {
      pending.get(m.requestId)(m);
      pending.delete(m.requestId);
    }
    if (m.type === 'ready') {
      const select = document.getElementById('scenario');
      select.textContent = '';
      for (const id of m.scenarios) select.add(new Option(id, id));
      select.disabled = false;
    }
  });

  // Sends a message and resolves with NormLab's reply (or error).
  function request(message) {
    const requestId = nextRequest++;
    return new Promise((resolve) => {
      pending.set(requestId, resolve);
      frame.contentWindow.postMessage(Object.assign({ requestId }, message), appOrigin);
    });
  }
  const command = (cmd) => request({ type: 'command', command: cmd });

  document.getElementById('scenario-form').addEventListener('submit', (e) => {
    e.preventDefault();
    command({ op: 'scenario', id: document.getElementById('scenario').value,
      step: Number(document.getElementById('step').value) || 1 });
  });
  document.getElementById('family-form').addEventListener('submit', (e) => {
    e.preventDefault();
    command({ op: 'set', state: { family: document.getElementById('family').value } });
  });
  document.getElementById('answer-form').addEventListener('submit', (e) => {
    e.preventDefault();
    command({ op: 'answer', question: 0, value: Number(document.getElementById('answer').value) });
  });
  document.getElementById('next').addEventListener('click', () => command({ op: 'next' }));
  document.getElementById('state').addEventListener('click', () =>
    request({ type: 'getState' }).then((r) => show('state: ' + JSON.stringify(r.state).slice(0, 160) + '…')));

  // For the browser tests and the console.
  window.hostExample = { command, request, events };
})();
