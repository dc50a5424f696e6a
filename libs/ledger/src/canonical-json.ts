import canonicalize from 'canonicalize';

/** RFC 8785 (JCS) canonical JSON. Throws on values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}
