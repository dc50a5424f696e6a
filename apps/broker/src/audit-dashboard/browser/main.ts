/**
 * The auditor dashboard's browser script (SPEC §8): plain DOM APIs, no framework. The page's markup
 * comes from dashboard.assets.ts; scripts/build-dashboard.mjs bundles this file and its imports into
 * one IIFE (dist/audit-dashboard/app.js), served at /audit/app.js. Type-checked as browser code by
 * this folder's tsconfig.json (DOM, no Node types).
 */
import { api, forgetKey, storedKey, storeKey } from './api.js';
import { clearChart, loadChart } from './chart.js';
import { clearCheckpoint, loadCheckpoint, showSigning } from './checkpoint.js';
import { $ } from './dom.js';
import { clearEntries, firstButton, loadEntries, nextButton } from './entries.js';
import { filterForm } from './filters.js';
import { clearMessage, describe, isAuthError, showMessage } from './messages.js';
import { dropPendingLoads, paging } from './state.js';

type Load = () => Promise<unknown>;

const keyForm = $('#key', HTMLFormElement);
const keyInput = $('#key-input', HTMLInputElement);
const keyState = $('#key-state', HTMLElement);
const makeButton = $('#make-checkpoint', HTMLButtonElement);

function clearPanels(): void {
  clearEntries();
  clearChart();
  clearCheckpoint();
}

function updateKeyState(): void {
  const hasKey = storedKey() !== null;
  keyState.textContent = hasKey ? 'key set for this tab' : 'no key';
  makeButton.disabled = !hasKey;
}

function report(errors: unknown[]): void {
  if (errors.length === 0) return;
  const auth = errors.find(isAuthError);
  if (auth) {
    // A refused key is useless for every panel: drop it and show nothing it may have loaded.
    forgetKey();
    updateKeyState();
    dropPendingLoads();
    clearPanels();
    showMessage(describe(auth), 'error');
    return;
  }
  showMessage([...new Set(errors.map(describe))].join(' '), 'error');
}

/** Runs the loads side by side, then reports every failure at once. */
async function run(loads: Load[]): Promise<void> {
  const results = await Promise.allSettled(loads.map((load) => load()));
  report(results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r): unknown => r.reason));
}

function reloadAll(): Promise<void> {
  clearMessage();
  clearPanels();
  if (storedKey() === null) {
    showMessage('Enter an auditor key to read the distribution ledger.', 'info');
    return Promise.resolve();
  }
  return run([loadEntries, loadChart, loadCheckpoint]);
}

function applyFilters(): Promise<void> {
  clearMessage();
  paging.cursor = null;
  paging.page = 1;
  return run([loadEntries, loadChart]);
}

async function makeCheckpoint(): Promise<void> {
  makeButton.disabled = true;
  clearMessage();
  showSigning();
  let failure: Load | null = null;
  try {
    await api('POST', '/v1/audit/checkpoints');
  } catch (err) {
    failure = async () => {
      throw err;
    };
  }
  await run(failure === null ? [loadCheckpoint] : [failure, loadCheckpoint]);
  updateKeyState();
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === '') return;
  storeKey(key);
  keyInput.value = '';
  updateKeyState();
  void reloadAll();
});

$('#forget-key', HTMLButtonElement).addEventListener('click', () => {
  forgetKey();
  updateKeyState();
  dropPendingLoads();
  void reloadAll();
});

filterForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void applyFilters();
});

$('#clear-filters', HTMLButtonElement).addEventListener('click', () => {
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

makeButton.addEventListener('click', () => void makeCheckpoint());

updateKeyState();
void reloadAll();
