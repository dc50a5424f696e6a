import { ENTRY_COLUMNS } from './dashboard.assets.js';

/**
 * The dashboard's browser script: plain DOM APIs, no framework. Ledger values only ever reach the
 * page through textContent and setAttribute, so an entry cannot inject markup. The auditor key lives
 * in sessionStorage (this tab only) and goes out as a Bearer header to the broker's own API.
 */
export const APP_JS = String.raw`'use strict';
(() => {
  const STORE = 'kyc-broker.auditor-key';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const DAY_MS = 86400000;
  const COLUMNS = ${JSON.stringify(ENTRY_COLUMNS)};
  const OUTCOMES = ['ok', 'denied', 'failed'];
  const HUES = { ok: 145, denied: 36, failed: 4 };

  const $ = (selector) => document.querySelector(selector);
  const keyForm = $('#key');
  const filterForm = $('#filters');
  const table = $('#entries');
  const message = $('#message');
  const chart = $('#chart');
  const checkpoint = $('#checkpoint');
  const nextButton = $('#next-page');
  const firstButton = $('#first-page');
  const makeButton = $('#make-checkpoint');

  // Each panel counts its loads; an answer that arrives after a newer load started is dropped.
  const latest = { entries: 0, chart: 0, checkpoint: 0 };
  const paging = { cursor: null, next: null, page: 1 };

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
      this.status = status;
      this.problem = problem || {};
    }
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, typeof value === 'number' ? String(Math.round(value * 100) / 100) : value);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const storedKey = () => sessionStorage.getItem(STORE);

  async function api(method, path) {
    const key = storedKey();
    if (!key) throw new ApiError(401, { title: 'No key', detail: 'Enter an auditor key first.' });
    let response;
    try {
      response = await fetch(path, { method, headers: { authorization: 'Bearer ' + key, accept: 'application/json' }, cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, { title: 'Request failed', detail: err instanceof Error ? err.message : String(err) });
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  // Messages

  function showMessage(text, kind) {
    message.textContent = text;
    message.className = kind;
    message.hidden = false;
  }

  function clearMessage() {
    message.textContent = '';
    message.hidden = true;
  }

  const isAuthError = (err) => err instanceof ApiError && (err.status === 401 || err.status === 403);

  function describe(err) {
    if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
    const p = err.problem;
    if (err.status === 401) return 'The auditor key was not accepted (401 ' + (p.code || 'UNAUTHENTICATED') + '): ' + (p.detail || '') + ' Enter a valid auditor key.';
    if (err.status === 403) return 'This key may not read the ledger (403 ' + (p.code || 'FORBIDDEN') + '): an auditor key is needed.';
    const where = Array.isArray(p.errors) ? ' ' + p.errors.map((e) => e.path + ' ' + e.message).join('; ') + '.' : '';
    return (p.title || 'Error') + (err.status ? ' (' + err.status + (p.code ? ' ' + p.code : '') + ')' : '') + ': ' + (p.detail || err.message) + where;
  }

  function report(errors) {
    if (errors.length === 0) return;
    const auth = errors.find(isAuthError);
    if (auth) {
      // A refused key is useless for every panel: drop it and show nothing it may have loaded.
      sessionStorage.removeItem(STORE);
      updateKeyState();
      latest.entries++; latest.chart++; latest.checkpoint++;
      clearPanels();
      showMessage(describe(auth), 'error');
      return;
    }
    showMessage([...new Set(errors.map(describe))].join(' '), 'error');
  }

  // Filters

  function utc(value, name) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new Error(name + ' is not a valid date and time.');
    return date.toISOString();
  }

  /** The filter form as API query parameters; datetime-local values (local time) become RFC 3339 UTC. */
  function filterParams() {
    const params = new URLSearchParams();
    for (const [name, raw] of new FormData(filterForm)) {
      const value = String(raw).trim();
      if (value === '') continue;
      params.set(name, name === 'from' || name === 'to' ? utc(value, name) : value);
    }
    return params;
  }

  // Entries

  function cellText(entry, column) {
    const value = entry[column];
    if (value === undefined || value === null) return '';
    if (Array.isArray(value)) return value.join(', ');
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function renderEntries(rows) {
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const { entry } of rows) {
      const tr = el('tr', { 'data-seq': String(entry.seq) });
      for (const column of COLUMNS) {
        const td = el('td', { 'data-col': column }, cellText(entry, column));
        if (column === 'outcome' && OUTCOMES.includes(entry.outcome)) td.className = 'outcome-' + entry.outcome;
        tr.append(td);
      }
      body.append(tr);
    }
  }

  function updatePager(count) {
    nextButton.disabled = paging.next === null;
    firstButton.disabled = paging.cursor === null;
    const info = $('#page-info');
    if (count === undefined) info.textContent = '';
    else if (count === 0) info.textContent = paging.page === 1 ? 'No entries match these filters.' : 'Page ' + paging.page + ': no more entries.';
    else info.textContent = 'Page ' + paging.page + ' · ' + count + (count === 1 ? ' entry' : ' entries');
  }

  async function loadEntries() {
    const ticket = ++latest.entries;
    table.setAttribute('aria-busy', 'true');
    try {
      const params = filterParams();
      if (paging.cursor !== null) params.set('cursor', paging.cursor);
      const body = await api('GET', '/v1/audit/entries?' + params.toString());
      if (ticket !== latest.entries) return;
      renderEntries(body.data);
      paging.next = body.next_cursor;
      updatePager(body.data.length);
    } catch (err) {
      if (ticket === latest.entries) {
        renderEntries([]);
        paging.next = null;
        updatePager();
      }
      throw err;
    } finally {
      if (ticket === latest.entries) table.setAttribute('aria-busy', 'false');
    }
  }

  // Chart

  function chartRange() {
    const params = filterParams();
    const to = params.has('to') ? new Date(params.get('to')) : new Date();
    const from = params.has('from') ? new Date(params.get('from')) : new Date(to.getTime() - 30 * DAY_MS);
    return { from, to };
  }

  function daysBetween(from, to) {
    const days = [];
    for (let t = Math.floor(from.getTime() / DAY_MS) * DAY_MS; t < to.getTime(); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
    return days;
  }

  function colour(outcome, bankIndex) {
    return 'hsl(' + HUES[outcome] + ', 58%, ' + (34 + (bankIndex % 4) * 12) + '%)';
  }

  function niceStep(max) {
    const rough = Math.max(1, max / 4);
    const magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
    return Math.max(1, Math.ceil(step));
  }

  function renderChart(rows, from, to) {
    const plot = $('#chart-plot');
    const legend = $('#chart-legend');
    plot.replaceChildren();
    legend.replaceChildren();
    // Enterprises are summed: the chart shows day × bank × outcome.
    const counts = new Map();
    let total = 0;
    for (const row of rows) {
      const key = row.day + '|' + row.bank_id + '|' + row.outcome;
      counts.set(key, (counts.get(key) || 0) + row.count);
      total += row.count;
    }
    const days = daysBetween(from, to);
    const banks = [...new Set(rows.map((r) => r.bank_id))].sort();
    $('#chart-caption').textContent = total + (total === 1 ? ' distribution' : ' distributions') + ' from ' + days[0] + ' to ' + days[days.length - 1] + ' (UTC days; bars grouped by bank, stacked by outcome).';
    if (total === 0) {
      plot.append(el('p', { class: 'muted' }, 'No distributions in this range.'));
      return;
    }
    // Fill the panel's width when the days fit; otherwise keep bars readable and let the panel scroll.
    const left = 44, right = 10, top = 12, height = 200, bottom = 28;
    const available = (plot.clientWidth || 900) - left - right;
    const groupWidth = Math.max(banks.length * 8 + 6, available / days.length);
    const groupGap = Math.max(4, groupWidth * 0.25);
    const barWidth = Math.min(28, (groupWidth - groupGap) / banks.length);
    const width = Math.ceil(left + days.length * groupWidth + right);
    let max = 1;
    for (const day of days) for (const bank of banks) {
      max = Math.max(max, OUTCOMES.reduce((sum, o) => sum + (counts.get(day + '|' + bank + '|' + o) || 0), 0));
    }
    const step = niceStep(max);
    const yMax = Math.ceil(max / step) * step;
    const y = (value) => top + height - (value / yMax) * height;
    const root = svg('svg', { width, height: top + height + bottom, viewBox: '0 0 ' + width + ' ' + (top + height + bottom), role: 'img', 'aria-label': 'Distributions per day' });
    for (let v = 0; v <= yMax; v += step) {
      root.append(svg('line', { class: v === 0 ? 'axis' : 'grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
      root.append(svg('text', { x: left - 6, y: y(v) + 3, 'text-anchor': 'end' }, String(v)));
    }
    const labelEvery = Math.max(1, Math.ceil(48 / groupWidth));
    days.forEach((day, d) => {
      const middle = left + (d + 0.5) * groupWidth;
      const x0 = middle - (banks.length * barWidth) / 2;
      if (d % labelEvery === 0) root.append(svg('text', { x: middle, y: top + height + 16, 'text-anchor': 'middle' }, day.slice(5)));
      banks.forEach((bank, b) => {
        let base = 0;
        for (const outcome of OUTCOMES) {
          const count = counts.get(day + '|' + bank + '|' + outcome) || 0;
          if (count === 0) continue;
          const rect = svg('rect', {
            class: 'bar', x: x0 + b * barWidth, y: y(base + count), width: Math.max(1, barWidth - 1), height: y(base) - y(base + count),
            fill: colour(outcome, b), 'data-day': day, 'data-bank': bank, 'data-outcome': outcome, 'data-count': count,
          });
          rect.append(svg('title', {}, day + ' · ' + bank + ' · ' + outcome + ': ' + count));
          root.append(rect);
          base += count;
        }
      });
    });
    plot.append(root);
    banks.forEach((bank, b) => {
      for (const outcome of OUTCOMES) {
        if (!rows.some((r) => r.bank_id === bank && r.outcome === outcome && r.count > 0)) continue;
        const swatch = svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' });
        swatch.append(svg('rect', { width: 12, height: 12, rx: 2, fill: colour(outcome, b) }));
        const item = el('li');
        item.append(swatch, document.createTextNode(bank + ' · ' + outcome));
        legend.append(item);
      }
    });
  }

  async function loadChart() {
    const ticket = ++latest.chart;
    chart.setAttribute('aria-busy', 'true');
    try {
      const { from, to } = chartRange();
      const params = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), group_by: 'day' });
      const body = await api('GET', '/v1/audit/stats?' + params.toString());
      if (ticket === latest.chart) renderChart(body.data, from, to);
    } finally {
      if (ticket === latest.chart) chart.setAttribute('aria-busy', 'false');
    }
  }

  // Checkpoint

  const FIELDS = ['tree_size', 'root_hash', 'timestamp', 'key_id'];

  function setStatus(text, kind) {
    const status = $('#checkpoint-status');
    status.textContent = text;
    status.className = 'badge' + (kind ? ' ' + kind : '');
  }

  function renderCheckpoint(cp) {
    for (const field of FIELDS) $('#checkpoint-' + field).textContent = cp ? String(cp[field]) : '—';
  }

  function base64url(text) {
    if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
    try {
      const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
      return Uint8Array.from(binary, (c) => c.charCodeAt(0));
    } catch {
      return null;
    }
  }

  /** Checks the signed tree head with WebCrypto against the published Ed25519 key named by key_id. */
  async function verifyCheckpoint(cp) {
    const response = await fetch('/.well-known/jwks.json', { cache: 'no-store' });
    const jwks = await response.json();
    const jwk = (jwks.keys || []).find((k) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.kid === cp.key_id);
    if (!jwk) return ['signing key not published', 'bad'];
    const signature = base64url(cp.signature);
    if (!signature || signature.length !== 64) return ['signature invalid', 'bad'];
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
    // RFC 8785 canonical JSON of these three members: keys sorted, so JSON.stringify in this order.
    const signed = new TextEncoder().encode(JSON.stringify({ root_hash: cp.root_hash, timestamp: cp.timestamp, tree_size: cp.tree_size }));
    const valid = await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, signed);
    return valid ? ['verified', 'good'] : ['signature invalid', 'bad'];
  }

  async function loadCheckpoint() {
    const ticket = ++latest.checkpoint;
    checkpoint.setAttribute('aria-busy', 'true');
    setStatus('checking…');
    try {
      let cp;
      try {
        cp = await api('GET', '/v1/audit/checkpoints/latest');
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        if (ticket === latest.checkpoint) {
          renderCheckpoint(null);
          setStatus('no checkpoint yet');
        }
        return;
      }
      if (ticket !== latest.checkpoint) return;
      renderCheckpoint(cp);
      let result;
      try {
        result = await verifyCheckpoint(cp);
      } catch (err) {
        result = ['cannot verify: ' + (err instanceof Error ? err.message : String(err)), 'bad'];
      }
      if (ticket === latest.checkpoint) setStatus(result[0], result[1]);
    } catch (err) {
      if (ticket === latest.checkpoint) {
        renderCheckpoint(null);
        setStatus('—');
      }
      throw err;
    } finally {
      if (ticket === latest.checkpoint) checkpoint.setAttribute('aria-busy', 'false');
    }
  }

  // Wiring

  function clearPanels() {
    renderEntries([]);
    paging.cursor = null;
    paging.next = null;
    paging.page = 1;
    updatePager();
    $('#chart-plot').replaceChildren();
    $('#chart-legend').replaceChildren();
    $('#chart-caption').textContent = '';
    renderCheckpoint(null);
    setStatus('—');
    for (const node of [table, chart, checkpoint]) node.setAttribute('aria-busy', 'false');
  }

  function updateKeyState() {
    const hasKey = storedKey() !== null;
    $('#key-state').textContent = hasKey ? 'key set for this tab' : 'no key';
    makeButton.disabled = !hasKey;
  }

  async function run(loads) {
    const results = await Promise.allSettled(loads.map((load) => load()));
    report(results.filter((r) => r.status === 'rejected').map((r) => r.reason));
  }

  function reloadAll() {
    clearMessage();
    clearPanels();
    if (storedKey() === null) {
      showMessage('Enter an auditor key to read the distribution ledger.', 'info');
      return Promise.resolve();
    }
    return run([loadEntries, loadChart, loadCheckpoint]);
  }

  function applyFilters() {
    clearMessage();
    paging.cursor = null;
    paging.page = 1;
    return run([loadEntries, loadChart]);
  }

  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = keyForm.elements.key.value.trim();
    if (key === '') return;
    sessionStorage.setItem(STORE, key);
    keyForm.elements.key.value = '';
    updateKeyState();
    void reloadAll();
  });

  $('#forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(STORE);
    updateKeyState();
    latest.entries++; latest.chart++; latest.checkpoint++;
    void reloadAll();
  });

  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void applyFilters();
  });

  $('#clear-filters').addEventListener('click', () => {
    filterForm.reset();
    void applyFilters();
  });

  nextButton.addEventListener('click', () => {
    if (paging.next === null) return;
    paging.cursor = paging.next;
    paging.page += 1;
    clearMessage();
    void run([loadEntries]);
  });

  firstButton.addEventListener('click', () => {
    paging.cursor = null;
    paging.page = 1;
    clearMessage();
    void run([loadEntries]);
  });

  makeButton.addEventListener('click', async () => {
    makeButton.disabled = true;
    clearMessage();
    latest.checkpoint++; // what an earlier load would show is about to be stale
    checkpoint.setAttribute('aria-busy', 'true');
    setStatus('signing…');
    let failure = null;
    try {
      await api('POST', '/v1/audit/checkpoints');
    } catch (err) {
      failure = err;
    }
    await run(failure === null ? [loadCheckpoint] : [() => Promise.reject(failure), loadCheckpoint]);
    updateKeyState();
  });

  updateKeyState();
  void reloadAll();
})();
`;
