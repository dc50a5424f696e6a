import { $ } from './dom.js';

export const filterForm = $('#filters', HTMLFormElement);

function utc(value: string, name: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(name + ' is not a valid date and time.');
  return date.toISOString();
}

/** The filter form as API query parameters; datetime-local values (local time) become RFC 3339 UTC. */
export function filterParams(): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, raw] of new FormData(filterForm)) {
    // The form has no file inputs: every value is a string.
    const value = (typeof raw === 'string' ? raw : raw.name).trim();
    if (value === '') continue;
    params.set(name, name === 'from' || name === 'to' ? utc(value, name) : value);
  }
  return params;
}
