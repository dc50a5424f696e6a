import { LEDGER_ENTRY_TYPES, type LedgerOutcome } from '@kyc/ledger';
import { ENTRY_COLUMNS, OUTCOMES, type Outcome } from './dashboard.constants.js';

// The browser-safe copy of the outcomes (dashboard.constants.ts) names exactly the ledger's.
const _sameOutcomes: [Outcome, LedgerOutcome] extends [LedgerOutcome, Outcome] ? true : never = true;

export const TITLE = 'KYC broker — distribution ledger';

const options = (values: readonly string[]): string => values.map((v) => `<option value="${v}">${v}</option>`).join('');

/** Static markup only: every ledger value is put into the page by the script, as text. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${TITLE}</title>
<link rel="stylesheet" href="/audit/app.css">
<script src="/audit/app.js" defer></script>
</head>
<body>
<header class="topbar">
  <h1>${TITLE}</h1>
  <form id="key" autocomplete="off">
    <label for="key-input">Auditor key</label>
    <input id="key-input" name="key" type="password" required spellcheck="false">
    <button type="submit">Use key</button>
    <button type="button" id="forget-key" class="secondary">Forget</button>
    <span id="key-state" class="muted"></span>
  </form>
</header>
<main>
  <p id="message" role="alert" hidden></p>

  <div class="row">
    <section id="filter-panel" class="card">
      <h2>Filters</h2>
      <form id="filters">
        <label><span>Enterprise</span><input name="enterprise_id" placeholder="ent_…" spellcheck="false"></label>
        <label><span>Bank</span><input name="bank_id" placeholder="bank-a" spellcheck="false"></label>
        <label><span>Verification</span><input name="verification_id" placeholder="ver_…" spellcheck="false"></label>
        <label><span>Bank subject</span><input name="bank_subject" placeholder="needs a bank" spellcheck="false"></label>
        <label><span>Type</span><select name="type"><option value="">any</option>${options(LEDGER_ENTRY_TYPES)}</select></label>
        <label><span>Outcome</span><select name="outcome"><option value="">any</option>${options(OUTCOMES)}</select></label>
        <label><span>From (local time)</span><input name="from" type="datetime-local" step="1"></label>
        <label><span>To (local time)</span><input name="to" type="datetime-local" step="1"></label>
        <label><span>Page size</span><input name="limit" type="number" min="1" max="500" value="50"></label>
        <div class="actions">
          <button type="submit">Apply</button>
          <button type="button" id="clear-filters" class="secondary">Clear</button>
        </div>
      </form>
    </section>

    <section id="checkpoint" class="card" aria-busy="false">
      <h2>Latest checkpoint</h2>
      <dl>
        <dt>Tree size</dt><dd id="checkpoint-tree_size">—</dd>
        <dt>Root hash</dt><dd id="checkpoint-root_hash" class="mono">—</dd>
        <dt>Timestamp</dt><dd id="checkpoint-timestamp">—</dd>
        <dt>Key id</dt><dd id="checkpoint-key_id" class="mono">—</dd>
        <dt>Signature</dt><dd><span id="checkpoint-status" class="badge">—</span></dd>
      </dl>
      <p class="muted small">The Ed25519 signature is checked in this browser against the key published at /.well-known/jwks.json.</p>
      <button type="button" id="make-checkpoint">Sign a checkpoint now</button>
    </section>
  </div>

  <section id="chart" class="card" aria-busy="false">
    <h2>Distributions per day, bank and outcome</h2>
    <p id="chart-caption" class="muted small"></p>
    <div id="chart-plot" class="plot"></div>
    <ul id="chart-legend" class="legend"></ul>
  </section>

  <section id="entries-panel" class="card">
    <h2>Entries <span class="muted small">newest first</span></h2>
    <div class="table-wrap">
      <table id="entries" aria-busy="false">
        <thead><tr>${ENTRY_COLUMNS.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <div class="pager">
      <button type="button" id="first-page" class="secondary" disabled>First page</button>
      <span id="page-info" class="muted"></span>
      <button type="button" id="next-page" disabled>Next page</button>
    </div>
  </section>
</main>
</body>
</html>
`;

export const APP_CSS = `
:root {
  --bg: #f4f5f7; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
  --accent: #2f5bd3; --ok: #1f8a4c; --bad: #c23b32; --warn: #b7791f;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans JP", sans-serif;
  font-size: 14px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
h1 { font-size: 1.15rem; margin: 0; font-weight: 600; }
h2 { font-size: 1rem; margin: 0 0 .75rem; font-weight: 600; }
.topbar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
  padding: .8rem 1.5rem; background: #1d2330; color: #fff; }
.topbar form { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.topbar label { font-size: .9rem; }
.topbar input { width: 18rem; }
.topbar .muted { color: #b7bfcc; }
main { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 2rem; display: grid; gap: 1rem; }
.row { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
@media (max-width: 900px) { .row { grid-template-columns: 1fr; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; min-width: 0; }
.muted { color: var(--muted); }
.small { font-size: .85rem; font-weight: normal; }
.mono, td[data-col="enterprise_id"], td[data-col="verification_id"], td[data-col="occurred_at"] {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .82rem; }
input, select, button { font: inherit; }
input, select { padding: .35rem .5rem; border: 1px solid #c9ced6; border-radius: 5px; background: #fff; color: var(--ink); min-width: 0; }
button { padding: .4rem .9rem; border: 1px solid var(--accent); border-radius: 5px; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button:disabled { opacity: .45; cursor: default; }
#message { margin: 0; padding: .7rem 1rem; border-radius: 6px; border: 1px solid; }
#message.error { background: #fdecea; border-color: #f3b8b2; color: #8a1f17; }
#message.info { background: #eaf0fd; border-color: #b8c8f3; color: #1f3b8a; }
#filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: .6rem .9rem; }
#filters label { display: flex; flex-direction: column; gap: .2rem; font-size: .85rem; color: var(--muted); }
#filters .actions { display: flex; gap: .5rem; align-items: end; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .35rem 1rem; margin: 0 0 .75rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; background: #eef0f3; font-weight: 600; }
.badge.good { background: #e3f4ea; color: var(--ok); }
.badge.bad { background: #fdecea; color: var(--bad); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; white-space: nowrap; background: #fafbfc; }
tbody tr:nth-child(even) { background: #fafbfc; }
td { overflow-wrap: anywhere; }
td[data-col="seq"] { text-align: right; font-variant-numeric: tabular-nums; }
td[data-col="seq"], td[data-col="occurred_at"], td[data-col="type"], td[data-col="outcome"], td[data-col="bank_id"], td[data-col="error_code"] { white-space: nowrap; }
td[data-col="outcome"].outcome-ok { color: var(--ok); font-weight: 600; }
td[data-col="outcome"].outcome-denied { color: var(--warn); font-weight: 600; }
td[data-col="outcome"].outcome-failed { color: var(--bad); font-weight: 600; }
[aria-busy="true"] { opacity: .6; }
.pager { display: flex; gap: 1rem; align-items: center; justify-content: flex-end; margin-top: .75rem; }
.plot { overflow-x: auto; }
.plot svg { display: block; }
.plot text { font-size: 10px; fill: var(--muted); }
.plot .axis { stroke: #c9ced6; stroke-width: 1; }
.plot .grid { stroke: var(--line); stroke-width: 1; }
.plot rect.bar:hover { stroke: var(--ink); stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; list-style: none; padding: 0; margin: .6rem 0 0; font-size: .85rem; }
.legend li { display: flex; align-items: center; gap: .35rem; }
`;
