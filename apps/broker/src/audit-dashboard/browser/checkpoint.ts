import { api, ApiError } from './api.js';
import { $ } from './dom.js';
import { verifyCheckpoint, type Verdict } from './signature.js';
import { latest } from './state.js';
import type { Checkpoint } from './types.js';

const FIELDS = ['tree_size', 'root_hash', 'timestamp', 'key_id'] as const;

const panel = $('#checkpoint', HTMLElement);
const status = $('#checkpoint-status', HTMLElement);
const fields = FIELDS.map((field) => [field, $('#checkpoint-' + field, HTMLElement)] as const);

function setStatus(text: string, kind?: Verdict[1]): void {
  status.textContent = text;
  status.className = 'badge' + (kind ? ' ' + kind : '');
}

function renderCheckpoint(cp: Checkpoint | null): void {
  for (const [field, node] of fields) node.textContent = cp ? String(cp[field]) : '—';
}

export async function loadCheckpoint(): Promise<void> {
  const ticket = ++latest.checkpoint;
  panel.setAttribute('aria-busy', 'true');
  setStatus('checking…');
  try {
    let cp: Checkpoint;
    try {
      cp = await api<Checkpoint>('GET', '/v1/audit/checkpoints/latest');
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
    let result: Verdict;
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
    if (ticket === latest.checkpoint) panel.setAttribute('aria-busy', 'false');
  }
}

/** Shows that a checkpoint is being signed; what a load under way would show is about to be stale. */
export function showSigning(): void {
  latest.checkpoint++;
  panel.setAttribute('aria-busy', 'true');
  setStatus('signing…');
}

export function clearCheckpoint(): void {
  renderCheckpoint(null);
  setStatus('—');
  panel.setAttribute('aria-busy', 'false');
}
