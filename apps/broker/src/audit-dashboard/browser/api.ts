// The auditor API client. The auditor key lives in sessionStorage (this tab only) and goes out as a
// Bearer header to the broker's own API.

import type { Problem } from './types.js';

const STORE = 'kyc-broker.auditor-key';

export const storedKey = (): string | null => sessionStorage.getItem(STORE);
export const storeKey = (key: string): void => sessionStorage.setItem(STORE, key);
export const forgetKey = (): void => sessionStorage.removeItem(STORE);

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(
    readonly status: number,
    problem?: Problem,
  ) {
    super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
    this.problem = problem || {};
  }
}

/** A response body as a problem: anything but an object (or array) tells nothing, like `{}`. */
const asProblem = (body: unknown): Problem => (typeof body === 'object' && body !== null ? body : {});

/** Calls the API with the stored key; rejects with an ApiError for no key, no answer or an error status. */
export async function api<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  const key = storedKey();
  if (!key) throw new ApiError(401, { title: 'No key', detail: 'Enter an auditor key first.' });
  let response: Response;
  try {
    response = await fetch(path, { method, headers: { authorization: 'Bearer ' + key, accept: 'application/json' }, cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, { title: 'Request failed', detail: err instanceof Error ? err.message : String(err) });
  }
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, asProblem(body));
  return body as T;
}
