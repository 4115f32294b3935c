// The Sigil web console: a client of join-service's admin API, no build step.
// Every value from the API is put on the page as text (textContent, text nodes), never as markup: bot names,
// traits, lock reasons and audit lines are chosen by whoever can create or influence them.
'use strict';

(function () {
  const PAGE_SIZE = 100;
  const AUDIT_ROWS = 500;
  const PLATFORMS = ['github', 'gitlab', 'circleci', 'kubernetes', 'token'];

  // ---- the page: small helpers that only ever make elements and text nodes

  /** An element with attributes (on* are listeners) and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /** A link within the console: the hash is built from encoded parts, so a name cannot leave its place. */
  function link(text, ...parts) {
    return el('a', { href: '#' + parts.map(encodeURIComponent).join('/') }, text);
  }

  function table(id, headers, rows) {
    return el('table', { id },
      el('thead', {}, el('tr', {}, headers.map(h => el('th', { class: h.endsWith('#') ? 'num' : null }, h.replace(/#$/, ''))))),
      el('tbody', {}, rows));
  }

  /** Puts these nodes on the page in place of the last page; null stands for "nothing here". */
  function show(...nodes) {
    document.getElementById('main').replaceChildren(...nodes.flat().filter(n => n !== null && n !== undefined));
  }

  function fail(error) {
    const box = document.getElementById('error');
    box.textContent = error instanceof ApiError ? error.code + ': ' + error.message : String(error && error.message || error);
    box.hidden = false;
  }

  function clearError() {
    document.getElementById('error').hidden = true;
  }

  function when(instant) {
    if (!instant) return '—';
    const d = new Date(instant);
    return isNaN(d) ? String(instant) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  // ---- the admin API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code || 'HTTP_' + status;
    }
  }

  /** One admin API call. Writes carry X-Sigil-Console: a page on another site cannot set it without CORS. */
  async function api(method, path, body, headers) {
    const init = { method, credentials: 'same-origin', headers: Object.assign({ Accept: 'application/json' }, headers || {}) };
    if (method !== 'GET') init.headers['X-Sigil-Console'] = '1';
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (!response.ok) {
      throw new ApiError(response.status, json && json.code, (json && json.message) || text || response.statusText);
    }
    return { json, etag: response.headers.get('ETag') };
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    return s ? '?' + s : '';
  }

  // ---- signing in: the one-time link from `sigil console` is exchanged for a session cookie

  async function signIn() {
    const hash = location.hash;
    if (hash.startsWith('#link=')) {
      const secret = decodeURIComponent(hash.slice('#link='.length));
      // The secret leaves the address bar and the history at once; it works only once anyway.
      history.replaceState(null, '', location.pathname + '#bots');
      // A link opened while signed in would silently swap the session (a page elsewhere can open one it made):
      // the admin says so first.
      const current = await api('GET', '/v1/admin/whoami').then(r => r.json, () => null);
      if (!current || await confirmSwitch(current)) {
        await api('POST', '/console/session', { link: secret });
      }
    }
    const me = (await api('GET', '/v1/admin/whoami')).json;
    document.getElementById('whoami').textContent = me.admin + ' (' + (me.roles || []).join(', ') + ')';
    document.getElementById('logout').hidden = false;
    return me;
  }

  /** Resolves true if the admin chooses to replace the session it has with the one the link opens. */
  function confirmSwitch(current) {
    return new Promise(resolve => {
      show(el('h1', {}, 'Sign in again?'),
        el('p', { id: 'switch-question' }, 'This browser is signed in as ', el('b', { id: 'switch-current' }, current.admin),
          '. The link you opened signs it in as the admin who made the link, ending that session. Sign in with the link?'),
        el('p', {},
          el('button', { type: 'button', id: 'switch-session', onclick: () => resolve(true) }, 'Sign in with the link'), ' ',
          el('button', { type: 'button', class: 'secondary', id: 'keep-session', onclick: () => resolve(false) },
            'Stay signed in as ' + current.admin)));
    });
  }

  async function signOut() {
    try { await api('DELETE', '/console/session'); } catch (e) { /* the session is gone either way */ }
    location.hash = '#bots';
    location.reload();
  }

  function notSignedIn(error) {
    show(el('h1', {}, 'Sign in'),
      el('p', {}, 'Run ', el('code', {}, 'sigil console'), ' where you are logged in as an admin (', el('code', {}, 'sigil login'),
        '), and open the link it prints. A link works once, for 60 seconds.'),
      el('p', { class: 'muted' }, error.code + ': ' + error.message));
  }

  // ---- paging: the API answers {items, next}; the console keeps the cursors it passed to go back

  function pager(state, render) {
    const prev = el('button', { type: 'button', class: 'secondary', id: 'prev-page', disabled: state.cursors.length === 0,
      onclick: () => { state.after = state.cursors.pop(); render(); } }, '← Previous');
    const next = el('button', { type: 'button', class: 'secondary', id: 'next-page', disabled: !state.next,
      onclick: () => { state.cursors.push(state.after); state.after = state.next; render(); } }, 'Next →');
    return el('div', { class: 'pager' }, prev, next,
      el('span', { class: 'muted' }, 'page ' + (state.cursors.length + 1) + ', ' + PAGE_SIZE + ' a page'));
  }

  function newPaging() {
    return { after: null, next: null, cursors: [] };
  }

  // ---- bots

  const botsPaging = newPaging();
  let botsRole = '';

  async function botsPage() {
    const { json } = await api('GET', '/v1/admin/bots' + query({ limit: PAGE_SIZE, after: botsPaging.after, role: botsRole }));
    botsPaging.next = json.next;
    const rows = json.items.map(bot => el('tr', { 'data-bot': bot.name },
      el('td', {}, link(bot.name, 'bot', bot.name)),
      el('td', {}, (bot.roles || []).join(', ')),
      el('td', {}, traits(bot.traits)),
      el('td', {}, bot.maxSessionTtl || '—')));
    const filter = el('form', { class: 'inline', onsubmit: e => {
      e.preventDefault();
      botsRole = e.target.elements.role.value.trim();
      Object.assign(botsPaging, newPaging());
      route();
    } }, el('label', {}, 'Only bots with role', el('input', { name: 'role', value: botsRole })), el('button', {}, 'Filter'));
    const t = table('bots-table', ['Bot', 'Roles', 'Traits', 'Max session TTL'], rows);
    show(el('h1', {}, 'Bots'), filter, t, pager(botsPaging, route),
      rows.length ? null : el('p', { class: 'muted', id: 'no-bots' }, 'No bots.'));
    t.setAttribute('data-rendered', 'true');
    if (window.performance && performance.mark) performance.mark('sigil-bots-rendered');
  }

  function traits(t) {
    return Object.entries(t || {}).map(([k, v]) => k + ': ' + [].concat(v).join(', ')).join('; ');
  }

  const instancePaging = {};

  async function botPage(name) {
    const paging = instancePaging[name] || (instancePaging[name] = newPaging());
    const [bot, fleet, instances] = await Promise.all([
      api('GET', '/v1/admin/bots/' + encodeURIComponent(name)),
      api('GET', '/v1/admin/fleet' + query({ bot: name })).catch(() => ({ json: { items: [] } })),
      api('GET', '/v1/admin/bot-instances' + query({ bot: name, limit: PAGE_SIZE, after: paging.after })),
    ]);
    paging.next = instances.json.next;
    const health = fleet.json.items[0] || { fresh: 0, due: 0, overdue: 0, expired: 0 };
    const rows = instances.json.items.map(i => el('tr', { 'data-instance': i.instanceId },
      el('td', {}, link(i.instanceId, 'instance', name, i.instanceId)),
      el('td', { class: 'num generation' }, i.generation),
      el('td', { class: 'join-method' }, i.joinMethod || '—'),
      el('td', {}, when(lastJoin(i))),
      el('td', {}, when(i.lastSeen)),
      el('td', { class: 'host' }, hostOf(i)),
      el('td', {}, i.lockedReason ? 'locked: ' + i.lockedReason : '')));
    show(el('h1', {}, 'Bot ', el('span', { id: 'bot-name' }, name)),
      el('p', {}, 'Roles: ' + (bot.json.roles || []).join(', ') + '. Traits: ' + (traits(bot.json.traits) || 'none') + '.'),
      totals(health, 'bot-fleet'),
      el('form', { class: 'inline', onsubmit: e => { e.preventDefault(); lockFromForm(e.target, 'bot:' + name).then(route, fail); } },
        el('label', {}, 'Reason', el('input', { name: 'reason', required: true, placeholder: 'why no new certificates' })),
        el('button', {}, 'Lock this bot')),
      el('h2', {}, 'Instances'),
      table('instances-table', ['Instance', 'Generation#', 'Join method', 'Last join', 'Last seen', 'Host', ''], rows),
      pager(paging, route),
      rows.length ? null : el('p', { class: 'muted' }, 'No instances: this bot has not joined yet.'));
    document.getElementById('instances-table').setAttribute('data-rendered', 'true');
    if (window.performance && performance.mark) performance.mark('sigil-bot-rendered');
  }

  function lastJoin(instance) {
    const joins = (instance.recentAuthentications || instance.history || []).filter(a => a.kind === 'join');
    return joins.length ? joins[joins.length - 1].at : null;
  }

  function hostOf(instance) {
    if (instance.host) return instance.host;
    const seen = (instance.history || instance.recentAuthentications || []).filter(a => a.host);
    return seen.length ? seen[seen.length - 1].host : '—';
  }

  async function instancePage(bot, id) {
    const { json } = await api('GET', '/v1/admin/bot-instances/' + encodeURIComponent(bot) + '/' + encodeURIComponent(id));
    const rows = (json.history || []).map(a => el('tr', {},
      el('td', { class: 'num' }, a.generation), el('td', {}, when(a.at)), el('td', {}, a.kind),
      el('td', {}, a.joinMethod || '—'), el('td', {}, a.host || '—')));
    show(el('h1', {}, 'Instance ', id, ' of ', link(bot, 'bot', bot)),
      el('p', {}, 'Generation ' + json.generation + ', join method ' + (json.joinMethod || '—') + ', join token '
        + (json.joinToken || '—') + ', last seen ' + when(json.lastSeen) + (json.lockedReason ? ', locked: ' + json.lockedReason : '') + '.'),
      el('form', { class: 'inline', onsubmit: e => { e.preventDefault(); lockFromForm(e.target, 'instance:' + id).then(route, fail); } },
        el('label', {}, 'Reason', el('input', { name: 'reason', required: true })), el('button', {}, 'Lock this instance')),
      el('h2', {}, 'History'),
      table('history-table', ['Generation#', 'At', 'Kind', 'Join method', 'Host'], rows));
  }

  // ---- fleet health

  const fleetPaging = newPaging();

  function totals(counts, id) {
    return el('div', { class: 'totals', id },
      ['fresh', 'due', 'overdue', 'expired'].map(s => el('div', { 'data-state': s }, el('b', {}, counts[s] || 0), s)));
  }

  async function fleetPage() {
    const { json } = await api('GET', '/v1/admin/fleet' + query({ limit: PAGE_SIZE, after: fleetPaging.after }));
    fleetPaging.next = json.next;
    const rows = json.items.map(h => el('tr', { 'data-bot': h.bot },
      el('td', {}, link(h.bot, 'bot', h.bot)),
      el('td', { class: 'num', 'data-state': 'fresh' }, h.fresh),
      el('td', { class: 'num' + (h.due ? ' warn' : ''), 'data-state': 'due' }, h.due),
      el('td', { class: 'num' + (h.overdue ? ' bad' : ''), 'data-state': 'overdue' }, h.overdue),
      el('td', { class: 'num' + (h.expired ? ' bad' : ''), 'data-state': 'expired' }, h.expired),
      el('td', {}, when(h.scannedAt))));
    show(el('h1', {}, 'Fleet health'),
      el('p', { class: 'muted' }, 'Identities per bot: fresh (before their renewal point), due (renewal asked for), '
        + 'overdue (not renewed in time), expired. Counted by renewal-service every few seconds.'),
      totals(json.totals || {}, 'fleet-totals'),
      table('fleet-table', ['Bot', 'Fresh#', 'Due#', 'Overdue#', 'Expired#', 'Counted at'], rows),
      pager(fleetPaging, route));
  }

  // ---- locks

  const locksPaging = newPaging();

  async function lockFromForm(form, target) {
    const body = { target: target || form.elements.kind.value + ':' + form.elements.name.value.trim(),
      reason: form.elements.reason.value.trim() };
    const ttl = form.elements.ttl && form.elements.ttl.value.trim();
    if (ttl) body.ttl = ttl;
    clearError();
    await api('POST', '/v1/admin/locks', body);
  }

  async function unlock(target) {
    clearError();
    await api('DELETE', '/v1/admin/locks/' + encodeURIComponent(target));
  }

  async function locksPage() {
    const { json } = await api('GET', '/v1/admin/locks' + query({ limit: PAGE_SIZE, after: locksPaging.after }));
    locksPaging.next = json.next;
    const rows = json.items.map(l => el('tr', { 'data-target': l.target },
      el('td', {}, l.target), el('td', {}, l.reason), el('td', {}, l.expires ? when(l.expires) : 'until removed'),
      el('td', {}, el('button', { type: 'button', class: 'secondary unlock',
        onclick: () => unlock(l.target).then(route, fail) }, 'Unlock'))));
    const form = el('form', { class: 'inline', id: 'lock-form',
      onsubmit: e => { e.preventDefault(); lockFromForm(e.target).then(() => { e.target.reset(); route(); }, fail); } },
      el('label', {}, 'What', el('select', { name: 'kind' },
        el('option', { value: 'bot' }, 'bot'), el('option', { value: 'join-token' }, 'join token'),
        el('option', { value: 'instance' }, 'bot instance'))),
      el('label', {}, 'Name or id', el('input', { name: 'name', required: true })),
      el('label', {}, 'Reason', el('input', { name: 'reason', required: true })),
      el('label', {}, 'For (empty: until removed)', el('input', { name: 'ttl', placeholder: 'e.g. 2h' })),
      el('button', {}, 'Lock'));
    show(el('h1', {}, 'Locks'),
      el('p', { class: 'muted' }, 'A lock stops every new certificate for its target: joins and renewals are refused with LOCKED.'),
      form, table('locks-table', ['Target', 'Reason', 'Expires', ''], rows), pager(locksPaging, route),
      rows.length ? null : el('p', { class: 'muted' }, 'Nothing is locked.'));
  }

  // ---- the audit trail, live

  let auditSource = null;

  function stopAudit() {
    if (auditSource) {
      auditSource.close();
      auditSource = null;
    }
  }

  function auditPage() {
    const body = el('tbody', {});
    const status = el('span', { id: 'audit-status' }, el('span', { class: 'live' }), 'connecting…');
    show(el('h1', {}, 'Audit'), el('p', { class: 'muted' }, status, ' — newest at the bottom; the last ' + AUDIT_ROWS + ' lines are kept here.'),
      el('table', { id: 'audit-table' }, el('thead', {}, el('tr', {}, ['Time', 'Event', 'Bot', 'Admin', 'Join method', 'Code', 'Message']
        .map(h => el('th', {}, h)))), body));
    stopAudit();
    auditSource = new EventSource('/v1/admin/audit?follow=true&limit=100');
    auditSource.onopen = () => status.replaceChildren(el('span', { class: 'live on' }), 'live');
    auditSource.onerror = () => status.replaceChildren(el('span', { class: 'live' }), 'reconnecting…');
    auditSource.onmessage = event => {
      let line;
      try { line = JSON.parse(event.data); } catch (e) { return; }
      const admin = typeof line.admin === 'object' && line.admin ? line.admin.name : line.admin;
      body.append(el('tr', {}, el('td', {}, when(line.time)), el('td', {}, line.event), el('td', {}, line.bot || '—'),
        el('td', {}, admin || '—'), el('td', {}, line.joinMethod || '—'), el('td', {}, line.reasonCode || ''),
        el('td', {}, line.message || (line.outputs || []).join('; '))));
      while (body.rows.length > AUDIT_ROWS) body.deleteRow(0);
    };
  }

  // ---- the join-token wizard

  let wizard = { platform: 'github' };

  const FIELDS = {
    github: [['repository', 'Repository (owner/name)', 'allow', true], ['ref', 'Ref (e.g. refs/heads/main; empty: any)', 'allow'],
      ['environment', 'Environment (empty: any)', 'allow'], ['audience', 'Audience', 'config']],
    gitlab: [['project_path', 'Project path (group/project)', 'allow', true], ['ref', 'Ref (branch or tag; empty: any)', 'allow'],
      ['environment', 'Environment (empty: any)', 'allow'], ['audience', 'Audience', 'config']],
    circleci: [['organization_id', 'Organization id', 'config', true], ['project_id', 'Project id', 'allow', true],
      ['context_id', 'Context id (empty: any)', 'allow']],
    kubernetes: [['service_account', 'Service account (namespace:name)', 'allow', true], ['audience', 'Audience', 'config'],
      ['issuer', 'Issuer URL (empty: validated by the cluster\'s TokenReview)', 'config']],
    token: [],
  };

  async function tokensPage() {
    const ca = (await api('GET', '/v1/admin/ca')).json;
    const platforms = el('div', { class: 'platforms' }, PLATFORMS.map(p => el('button', { type: 'button', 'data-platform': p,
      class: 'secondary' + (p === wizard.platform ? ' chosen' : ''), onclick: () => { wizard = { platform: p }; route(); } }, p)));
    const fields = FIELDS[wizard.platform].map(([key, label, , required]) => el('label', {}, label,
      el('input', { name: key, required, value: key === 'audience' ? ca.clusterName || '' : null })));
    const form = el('form', { id: 'token-form', class: 'inline', onsubmit: e => { e.preventDefault(); createToken(e.target, ca).catch(fail); } },
      el('label', {}, 'Bot', el('input', { name: 'bot', required: true })),
      wizard.platform === 'token' ? null : el('label', {}, 'Join token name', el('input', { name: 'name', required: true })),
      fields,
      el('label', {}, 'Valid for', el('input', { name: 'ttl', value: wizard.platform === 'token' ? '1h' : '8760h' })),
      el('button', {}, 'Create join token'));
    show(el('h1', {}, 'New join token'),
      el('p', { class: 'muted' }, '1. Where does the bot run? 2. Which of its jobs may join? 3. Paste the snippet.'),
      platforms, form, el('div', { id: 'snippet-box' }));
  }

  async function createToken(form, ca) {
    clearError();
    const platform = wizard.platform;
    const body = { bot: form.elements.bot.value.trim(), joinMethod: platform, ttl: form.elements.ttl.value.trim() || undefined };
    if (platform !== 'token') body.name = form.elements.name.value.trim();
    const allow = {};
    const config = {};
    for (const [key, , where] of FIELDS[platform]) {
      const value = form.elements[key].value.trim();
      if (value) (where === 'allow' ? allow : config)[key] = value;
    }
    if (platform === 'kubernetes' && !config.issuer) config.validation = 'in_cluster';
    if (Object.keys(allow).length) body.allow = [allow];
    if (Object.keys(config).length) body.config = config;
    const created = (await api('POST', '/v1/admin/tokens', body)).json;
    const pins = await caPins(ca);
    const audience = platform === 'circleci' ? config.organization_id : (config.audience || ca.clusterName);
    const text = snippet(platform, created, location.origin, pins.join(','), audience);
    document.getElementById('snippet-box').replaceChildren(el('div', {},
      el('h2', {}, 'Join token ', el('span', { id: 'created-token' }, created.name), ' created for bot ', created.bot),
      platform === 'token' ? el('p', {}, 'The secret is shown only now; it works once, until ' + when(created.expires) + '.') : null,
      el('pre', { id: 'snippet' }, text),
      el('button', { type: 'button', class: 'secondary', onclick: () => navigator.clipboard && navigator.clipboard.writeText(text) }, 'Copy')));
  }

  /** What to paste next, as `sigil tokens add` prints it. Built as one string and shown as text. */
  function snippet(platform, token, joinUrl, pins, audience) {
    const agentUrl = '<a folder serving sigil-agent.jar and sigil-agent>';
    switch (platform) {
      case 'github':
        return ['# .github/workflows/<workflow>.yml: the job needs the id-token permission for its OIDC token',
          'permissions:', '  id-token: write', '  contents: read', '',
          'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:', '      - id: sigil',
          '        uses: <owner>/<repo>/integrations/github-action@<ref>', '        with:',
          '          join-url: ' + joinUrl, '          token: ' + token.name, '          ca-pin: ' + pins,
          '          audience: ' + audience, '          agent-url: ' + agentUrl,
          '      - run: ssh -F "$SIGIL_SSH_CONFIG" <login>@<host> <command>', ''].join('\n');
      case 'gitlab':
        return ['# .gitlab-ci.yml: the job extends .sigil-auth from integrations/gitlab/sigil.gitlab-ci.yml',
          'include:', '  - remote: <where you host integrations/gitlab/sigil.gitlab-ci.yml>', '',
          'deploy:', '  image: eclipse-temurin:17-jre', '  extends: .sigil-auth', '  variables:',
          '    SIGIL_JOIN_URL: ' + joinUrl, '    SIGIL_TOKEN: ' + token.name, '    SIGIL_CA_PINS: ' + pins,
          '    SIGIL_AUDIENCE: ' + audience, '    SIGIL_AGENT_URL: ' + agentUrl,
          '  script:', '    - ssh -F "$SIGIL_SSH_CONFIG" <login>@<host> <command>', ''].join('\n');
      case 'circleci':
        return ['# .circleci/config.yml: CircleCI gives every job CIRCLE_OIDC_TOKEN_V2, which the agent presents',
          'jobs:', '  deploy:', '    docker:', '      - image: eclipse-temurin:17-jre', '    steps:',
          '      - run: >-', '          sigil-agent start --oneshot --join-url ' + joinUrl + ' --ca-pin ' + pins,
          '          --join-method circleci --token ' + token.name + ' --destination ./identity',
          '      - run: ssh -F identity/ssh_config <login>@<host> <command>', ''].join('\n');
      case 'kubernetes':
        return ['# the pod: the agent beside the app, with a service-account token projected for Sigil\'s audience',
          'spec:', '  serviceAccountName: <service account>', '  containers:', '    - name: sigil-agent',
          '      image: <the agent image (deploy/containers)>',
          '      args: [start, --join-method, kubernetes, --token, ' + token.name + ', --destination, /identity]',
          '      env:', '        - {name: SIGIL_JOIN_URL, value: "' + joinUrl + '"}', '        - {name: SIGIL_CA_PINS, value: "' + pins + '"}',
          '      volumeMounts:', '        - {name: sigil-token, mountPath: /var/run/secrets/tokens, readOnly: true}',
          '        - {name: identity, mountPath: /identity}', '  volumes:', '    - name: identity', '      emptyDir: {medium: Memory}',
          '    - name: sigil-token', '      projected:', '        sources:', '          - serviceAccountToken:',
          '              path: sigil-token', '              audience: ' + audience, '              expirationSeconds: 600', ''].join('\n');
      default:
        return ['# on the machine that runs bot ' + token.bot + ' (the token works once, until ' + when(token.expires) + ')',
          'sigil-agent start --oneshot --join-url ' + joinUrl + ' --ca-pin ' + pins + ' --join-method token --token '
          + token.token + ' --destination ./identity', ''].join('\n');
    }
  }

  // ---- CA pins: sha256:<hex> of each trusted service CA's public key (SubjectPublicKeyInfo), as agents pin it

  async function caPins(ca) {
    const pems = (ca.trustedX509Cas && ca.trustedX509Cas.service) || [(ca.x509Cas && ca.x509Cas.service) || ca.tlsCa];
    const pins = [];
    for (const pem of pems.filter(Boolean)) {
      try {
        const spki = subjectPublicKeyInfo(pemBytes(pem));
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', spki));
        pins.push('sha256:' + Array.from(digest, b => b.toString(16).padStart(2, '0')).join(''));
      } catch (e) {
        pins.push('<the CA pin `sigil ca show` prints>');
      }
    }
    return pins.length ? pins : ['<the CA pin `sigil ca show` prints>'];
  }

  function pemBytes(pem) {
    const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  }

  /** DER: one element at offset, as {start, content, end}. */
  function der(bytes, offset) {
    let length = bytes[offset + 1];
    let content = offset + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i];
      content += n;
    }
    return { tag: bytes[offset], start: offset, content, end: content + length };
  }

  function children(bytes, parent) {
    const out = [];
    for (let at = parent.content; at < parent.end;) {
      const child = der(bytes, at);
      out.push(child);
      at = child.end;
    }
    return out;
  }

  /** Certificate → TBSCertificate → [version], serial, signature, issuer, validity, subject, subjectPublicKeyInfo. */
  function subjectPublicKeyInfo(bytes) {
    const tbs = children(bytes, der(bytes, 0))[0];
    const fields = children(bytes, tbs);
    const spki = fields[(fields[0].tag === 0xa0 ? 1 : 0) + 5];
    return bytes.slice(spki.start, spki.end);
  }

  // ---- routing: #bots, #bot/<name>, #instance/<bot>/<id>, #fleet, #locks, #audit, #tokens

  async function route() {
    const [page, ...args] = (location.hash.slice(1) || 'bots').split('/').map(decodeURIComponent);
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('current', a.dataset.page === page);
    if (page !== 'audit') stopAudit();
    clearError();
    try {
      switch (page) {
        case 'bot': await botPage(args[0]); break;
        case 'instance': await instancePage(args[0], args[1]); break;
        case 'fleet': await fleetPage(); break;
        case 'locks': await locksPage(); break;
        case 'audit': auditPage(); break;
        case 'tokens': await tokensPage(); break;
        default: await botsPage();
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) notSignedIn(e);
      else fail(e);
    }
  }

  async function start() {
    document.getElementById('logout').addEventListener('click', signOut);
    window.addEventListener('hashchange', () => {
      if (!location.hash.startsWith('#link=')) route();
    });
    try {
      if (location.hash.startsWith('#link=')) {
        await signIn();
        await route();
      } else {
        // Already signed in (a cookie): load the page and who we are at the same time.
        await Promise.all([route(), signIn().catch(() => null)]);
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) notSignedIn(e);
      else fail(e);
    }
  }

  start();
})();
