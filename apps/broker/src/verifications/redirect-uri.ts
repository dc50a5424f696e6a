const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** `https`, or `http` on a loopback host only (RFC 8252 §7.3); absolute, no fragment, no credentials. */
export function isAllowedRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== '' || value.includes('#') || url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}
