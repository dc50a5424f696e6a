import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, openApiJson } from './openapi.document.js';

describe(buildOpenApiDocument.name, () => {
  it('matches the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    expect(readFileSync('openapi.json', 'utf8')).toBe(openApiJson());
  });

  it('describes request bodies from the validating schemas, unknown fields refused', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>> };
    const body = doc.paths['/v1/verifications']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(body?.['required']).toEqual(['bank_id', 'redirect_uri', 'claims', 'purpose']);
    expect(body?.['additionalProperties']).toBe(false);
  });
});
