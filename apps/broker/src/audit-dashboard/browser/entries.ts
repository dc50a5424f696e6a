import { ENTRY_COLUMNS, OUTCOMES, type EntryColumn, type Outcome } from '../dashboard.constants.js';
import { api } from './api.js';
import { $, el } from './dom.js';
import { filterParams } from './filters.js';
import { latest, paging } from './state.js';
import type { EntryPage, EntryView } from './types.js';

export const table = $('#entries', HTMLTableElement);
export const nextButton = $('#next-page', HTMLButtonElement);
export const firstButton = $('#first-page', HTMLButtonElement);
const pageInfo = $('#page-info', HTMLElement);

const isOutcome = (value: unknown): value is Outcome => OUTCOMES.some((outcome) => outcome === value);

function cellText(entry: EntryView, column: EntryColumn): string {
  const value = entry[column];
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderEntries(rows: EntryPage['data']): void {
  const body = table.tBodies[0];
  if (body === undefined) throw new Error('the entries table has no tbody');
  body.replaceChildren();
  for (const { entry } of rows) {
    const tr = el('tr', { 'data-seq': String(entry.seq) });
    for (const column of ENTRY_COLUMNS) {
      const td = el('td', { 'data-col': column }, cellText(entry, column));
      if (column === 'outcome' && isOutcome(entry.outcome)) td.className = 'outcome-' + entry.outcome;
      tr.append(td);
    }
    body.append(tr);
  }
}

/** The pager's buttons and caption; `count` is the number of entries shown, undefined for none loaded. */
export function updatePager(count?: number): void {
  nextButton.disabled = paging.next === null;
  firstButton.disabled = paging.cursor === null;
  if (count === undefined) pageInfo.textContent = '';
  else if (count === 0) pageInfo.textContent = paging.page === 1 ? 'No entries match these filters.' : 'Page ' + paging.page + ': no more entries.';
  else pageInfo.textContent = 'Page ' + paging.page + ' · ' + count + (count === 1 ? ' entry' : ' entries');
}

export async function loadEntries(): Promise<void> {
  const ticket = ++latest.entries;
  table.setAttribute('aria-busy', 'true');
  try {
    const params = filterParams();
    if (paging.cursor !== null) params.set('cursor', paging.cursor);
    const body = await api<EntryPage>('GET', '/v1/audit/entries?' + params.toString());
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

/** No entries, back to the first page. */
export function clearEntries(): void {
  renderEntries([]);
  paging.cursor = null;
  paging.next = null;
  paging.page = 1;
  updatePager();
  table.setAttribute('aria-busy', 'false');
}
