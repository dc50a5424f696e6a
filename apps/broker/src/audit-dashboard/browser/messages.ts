import { ApiError } from './api.js';
import { $ } from './dom.js';

const message = $('#message', HTMLElement);

export function showMessage(text: string, kind: 'error' | 'info'): void {
  message.textContent = text;
  message.className = kind;
  message.hidden = false;
}

export function clearMessage(): void {
  message.textContent = '';
  message.hidden = true;
}

export const isAuthError = (err: unknown): err is ApiError => err instanceof ApiError && (err.status === 401 || err.status === 403);

/** What went wrong, in words an auditor can act on. */
export function describe(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const p = err.problem;
  if (err.status === 401) return 'The auditor key was not accepted (401 ' + (p.code || 'UNAUTHENTICATED') + '): ' + (p.detail || '') + ' Enter a valid auditor key.';
  if (err.status === 403) return 'This key may not read the ledger (403 ' + (p.code || 'FORBIDDEN') + '): an auditor key is needed.';
  const where = Array.isArray(p.errors) ? ' ' + p.errors.map((e) => e.path + ' ' + e.message).join('; ') + '.' : '';
  return (p.title || 'Error') + (err.status ? ' (' + err.status + (p.code ? ' ' + p.code : '') + ')' : '') + ': ' + (p.detail || err.message) + where;
}
