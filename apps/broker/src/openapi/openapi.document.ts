import { z } from 'zod';
import {
  adminBankSchema,
  contractSchema,
  createdEnterpriseSchema,
  createdVerificationSchema,
  enterpriseBankSchema,
  enterpriseSchema,
  identitySchema,
  issuedKeySchema,
  rotatedWebhookSecretSchema,
  listOf,
  matchOnlyIdentitySchema,
  problemSchema,
  verificationSchema,
} from '@kyc/common-schema';
import {
  createContractSchema,
  createEnterpriseSchema,
  createStaffKeySchema,
  createVerificationSchema,
  patchBankSchema,
  patchContractSchema,
  patchEnterpriseSchema,
} from '@kyc/common-schema';
import { checkpointSchema, consistencyProofSchema, inclusionProofSchema } from '@kyc/ledger';

/** SPEC §8's checkpoint with its C2SP tlog-checkpoint note (cosignature lines included) and the cosignatures listed. */
const checkpointViewSchema = checkpointSchema.extend({
  note: z.string().describe('C2SP signed note: origin, tree size, base64 root, the log signature, then cosignature/v1 lines'),
  cosignatures: z.array(z.object({ witness: z.string(), cosigned_at: z.string(), signature_line: z.string() })),
});

type Role = 'enterprise' | 'operator' | 'auditor' | 'public';
type JsonSchema = Record<string, unknown>;

interface Operation {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly role: Role;
  readonly body?: z.ZodType;
  readonly ok: number;
  readonly response?: z.ZodType;
  readonly redirect?: string;
  readonly problems: readonly number[];
  readonly query?: readonly string[];
}

const ENTRY_FILTERS = ['bank_id', 'verification_id', 'bank_subject', 'type', 'outcome', 'from', 'to', 'limit', 'cursor'];
const DISTRIBUTION_FILTERS = ENTRY_FILTERS.filter((f) => f !== 'bank_subject');

const ledgerEntrySchema = z.looseObject({ seq: z.number().int(), type: z.string(), occurred_at: z.string(), outcome: z.string() });
const entryPageSchema = z.object({ data: z.array(z.object({ entry: ledgerEntrySchema, leaf_hash: z.string() })), next_cursor: z.string().nullable() });
const entryWithProofSchema = z.object({ entry: ledgerEntrySchema, leaf_hash: z.string(), inclusion_proof: inclusionProofSchema });

/** Every operation of the API, in SPEC order. The document is generated from these and the zod schemas. */
const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/v1/banks', summary: 'Banks this enterprise has an active contract with', tag: 'enterprise', role: 'enterprise', ok: 200, response: listOf(enterpriseBankSchema), problems: [401, 403] },
  { method: 'post', path: '/v1/verifications', summary: 'Start a verification (contract checked first); honours Idempotency-Key', tag: 'enterprise', role: 'enterprise', body: createVerificationSchema, ok: 201, response: createdVerificationSchema, problems: [400, 401, 403, 409, 413, 415, 429, 503] },
  { method: 'get', path: '/v1/verifications/{id}', summary: 'A verification: status and timing, never personal data', tag: 'enterprise', role: 'enterprise', ok: 200, response: verificationSchema, problems: [401, 403, 404] },
  { method: 'get', path: '/v1/verifications/{id}/identity', summary: 'Fetch the identity from the bank now (full: verified_claims; match_only: match results)', tag: 'enterprise', role: 'enterprise', ok: 200, response: z.union([identitySchema, matchOnlyIdentitySchema]), problems: [401, 403, 404, 409, 422, 429, 502, 503] },
  { method: 'delete', path: '/v1/verifications/{id}', summary: 'Revoke: drop the tokens and revoke them at the bank', tag: 'enterprise', role: 'enterprise', ok: 204, problems: [401, 403, 404, 409] },
  { method: 'get', path: '/v1/verifications/{id}/authorize', summary: 'Browser: PAR to the bank (the same browser gets its pending PAR again while valid), then redirect with client_id and request_uri only; sets the kyc_consent cookie the callback must carry; limited per client address and per verification', tag: 'browser', role: 'public', ok: 302, redirect: "the bank's authorization endpoint", problems: [403, 404, 409, 429, 503] },
  { method: 'get', path: '/v1/oauth/callback', summary: "Browser: the bank's redirect target; checks state (bound to the kyc_consent cookie of the browser that started the flow) and iss, exchanges the code; limited per client address", tag: 'browser', role: 'public', ok: 302, redirect: "the enterprise's redirect_uri with verification_id, state and status=authorized or error", problems: [400, 429], query: ['code', 'state', 'iss', 'error'] },
  { method: 'get', path: '/v1/distributions', summary: "This enterprise's own ledger entries (the auditor view's filters and paging, without bank_subject; each subject_ref is the enterprise's own reference for the customer, not the ledger's)", tag: 'enterprise', role: 'enterprise', ok: 200, response: entryPageSchema, problems: [400, 401, 403, 429], query: DISTRIBUTION_FILTERS },
  { method: 'get', path: '/v1/audit/entries', summary: 'Ledger entries, newest first, keyset paging', tag: 'auditor', role: 'auditor', ok: 200, response: entryPageSchema, problems: [400, 401, 403], query: ['enterprise_id', ...ENTRY_FILTERS] },
  { method: 'get', path: '/v1/audit/export', summary: 'The filtered history, oldest first, streamed as CSV (SPEC columns; a cell that a spreadsheet would run as a formula, starting with = + - @, tab or CR, gets a leading apostrophe) or NDJSON ({entry, leaf_hash} per line, entries as committed)', tag: 'auditor', role: 'auditor', ok: 200, problems: [400, 401, 403], query: ['format', 'enterprise_id', ...ENTRY_FILTERS.filter((f) => f !== 'limit' && f !== 'cursor')] },
  { method: 'get', path: '/v1/audit/stats', summary: 'Counts per UTC day × bank × enterprise × outcome (default: the last 30 days)', tag: 'auditor', role: 'auditor', ok: 200, response: z.object({ data: z.array(z.object({ day: z.string(), bank_id: z.string(), enterprise_id: z.string(), outcome: z.string(), count: z.number().int() })) }), problems: [400, 401, 403], query: ['from', 'to', 'group_by'] },
  { method: 'get', path: '/v1/audit/entries/{seq}', summary: 'One entry with its inclusion proof against the latest checkpoint', tag: 'auditor', role: 'auditor', ok: 200, response: entryWithProofSchema, problems: [401, 403, 404] },
  { method: 'get', path: '/v1/audit/checkpoints/latest', summary: 'The latest signed tree head, with its C2SP signed note and the witnesses\' cosignatures (Accept: text/plain answers the note alone)', tag: 'auditor', role: 'auditor', ok: 200, response: checkpointViewSchema, problems: [401, 403, 404] },
  { method: 'get', path: '/v1/audit/checkpoints/{tree_size}', summary: 'The signed tree head of that size (Accept: text/plain answers its C2SP note)', tag: 'auditor', role: 'auditor', ok: 200, response: checkpointViewSchema, problems: [401, 403, 404] },
  { method: 'get', path: '/v1/audit/checkpoints', summary: 'Signed tree heads, newest first', tag: 'auditor', role: 'auditor', ok: 200, response: z.object({ data: z.array(checkpointViewSchema), next_cursor: z.string().nullable() }), problems: [400, 401, 403], query: ['limit', 'cursor'] },
  { method: 'post', path: '/v1/audit/checkpoints', summary: 'Sign a checkpoint over all entries so far and ask the witnesses to cosign it', tag: 'auditor', role: 'auditor', ok: 201, response: checkpointViewSchema, problems: [401, 403] },
  { method: 'get', path: '/v1/audit/proofs/inclusion', summary: 'RFC 9162 inclusion proof', tag: 'auditor', role: 'auditor', ok: 200, response: inclusionProofSchema, problems: [400, 401, 403, 404], query: ['seq', 'tree_size'] },
  { method: 'get', path: '/v1/audit/proofs/consistency', summary: 'RFC 9162 consistency proof (0 < from <= to)', tag: 'auditor', role: 'auditor', ok: 200, response: consistencyProofSchema, problems: [400, 401, 403], query: ['from', 'to'] },
  { method: 'post', path: '/v1/admin/enterprises', summary: 'Create an enterprise (the webhook secret is shown once)', tag: 'operator', role: 'operator', body: createEnterpriseSchema, ok: 201, response: createdEnterpriseSchema, problems: [400, 401, 403] },
  { method: 'get', path: '/v1/admin/enterprises', summary: 'List enterprises', tag: 'operator', role: 'operator', ok: 200, response: listOf(enterpriseSchema), problems: [401, 403] },
  { method: 'patch', path: '/v1/admin/enterprises/{id}', summary: 'Change status, redirect URIs or webhook URL', tag: 'operator', role: 'operator', body: patchEnterpriseSchema, ok: 200, response: enterpriseSchema, problems: [400, 401, 403, 404] },
  { method: 'post', path: '/v1/admin/enterprises/{id}/webhook-secret/rotate', summary: 'Rotate the webhook secret (the new one shown once); until previous_valid_until (WEBHOOK_SECRET_OVERLAP_SECONDS) deliveries carry a second v1 signature made with the previous secret', tag: 'operator', role: 'operator', ok: 201, response: rotatedWebhookSecretSchema, problems: [401, 403, 404] },
  { method: 'post', path: '/v1/admin/enterprises/{id}/api-keys', summary: "Issue an enterprise key (shown once)", tag: 'operator', role: 'operator', ok: 201, response: issuedKeySchema, problems: [401, 403, 404] },
  { method: 'post', path: '/v1/admin/api-keys', summary: 'Issue an auditor or operator key (shown once)', tag: 'operator', role: 'operator', body: createStaffKeySchema, ok: 201, response: issuedKeySchema, problems: [400, 401, 403] },
  { method: 'delete', path: '/v1/admin/api-keys/{id}', summary: 'Revoke a key; key_bootstrap disables the configured bootstrap key for good, once another operator key exists (403 otherwise)', tag: 'operator', role: 'operator', ok: 204, problems: [401, 403, 404] },
  { method: 'post', path: '/v1/admin/contracts', summary: 'Create a contract (one active per enterprise and bank)', tag: 'operator', role: 'operator', body: createContractSchema, ok: 201, response: contractSchema, problems: [400, 401, 403, 409] },
  { method: 'get', path: '/v1/admin/contracts', summary: 'List contracts', tag: 'operator', role: 'operator', ok: 200, response: listOf(contractSchema), problems: [400, 401, 403], query: ['enterprise_id', 'bank_id', 'status'] },
  { method: 'patch', path: '/v1/admin/contracts/{id}', summary: 'Change claims, purposes, validity, limits, or end it', tag: 'operator', role: 'operator', body: patchContractSchema, ok: 200, response: contractSchema, problems: [400, 401, 403, 404, 409] },
  { method: 'get', path: '/v1/admin/banks', summary: 'List banks', tag: 'operator', role: 'operator', ok: 200, response: listOf(adminBankSchema), problems: [401, 403] },
  { method: 'patch', path: '/v1/admin/banks/{id}', summary: 'Open or close a bank, change its limits', tag: 'operator', role: 'operator', body: patchBankSchema, ok: 200, response: adminBankSchema, problems: [400, 401, 403, 404] },
  { method: 'get', path: '/v1/admin/webhook-deliveries', summary: 'Webhook deliveries (e.g. status=failed: those that exhausted their retries)', tag: 'operator', role: 'operator', ok: 200, problems: [400, 401, 403], query: ['status'] },
  { method: 'post', path: '/v1/admin/webhook-deliveries/{id}/retry', summary: 'Replay a delivery that gave up', tag: 'operator', role: 'operator', ok: 202, problems: [401, 403, 404, 409] },
  { method: 'get', path: '/healthz', summary: 'Alive', tag: 'platform', role: 'public', ok: 200, problems: [] },
  { method: 'get', path: '/readyz', summary: "Postgres, Redis and each bank's discovery reachable", tag: 'platform', role: 'public', ok: 200, problems: [] },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', tag: 'platform', role: 'public', ok: 200, problems: [] },
  { method: 'get', path: '/.well-known/jwks.json', summary: "The broker's public keys (client authentication, ledger signing)", tag: 'platform', role: 'public', ok: 200, problems: [] },
];

const schema = (s: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problemRef = { $ref: '#/components/schemas/Problem' };

function operation(op: Operation): JsonSchema {
  const responses: Record<string, JsonSchema> = {
    [String(op.ok)]: op.response
      ? { description: 'OK', content: { 'application/json': { schema: schema(op.response, 'output') } } }
      : { description: op.redirect ? `Redirect to ${op.redirect}` : 'OK' },
  };
  for (const status of op.problems) {
    responses[String(status)] = { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: problemRef } } };
  }
  const parameters = [
    ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...(op.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
    ...(op.method === 'post' && op.path === '/v1/verifications'
      ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
      : []),
  ];
  return {
    summary: op.summary,
    tags: [op.tag],
    ...(op.role === 'public' ? { security: [] } : { security: [{ [op.role]: [] }] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body, 'input') } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the broker's API, generated from the same zod schemas that validate it. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  const bearer = (role: string): JsonSchema => ({ type: 'http', scheme: 'bearer', description: `An API key with role ${role}` });
  return {
    openapi: '3.1.0',
    info: {
      title: 'KYC broker API',
      version: '1',
      description:
        'One API over many banks for identity data the banks already verified, released only with the customer\'s consent at their bank, within contracts, as OpenID Connect for Identity Assurance verified_claims, and recorded in a tamper-evident ledger.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'enterprise', description: 'The common KYC API (role enterprise)' },
      { name: 'browser', description: "Redirects the customer's browser passes through" },
      { name: 'auditor', description: 'The distribution history, signed tree heads and Merkle proofs (role auditor)' },
      { name: 'operator', description: 'Tenants, keys, contracts, banks (role operator)' },
      { name: 'platform', description: 'Health, metrics, keys' },
    ],
    paths,
    components: {
      securitySchemes: { enterprise: bearer('enterprise'), operator: bearer('operator'), auditor: bearer('auditor') },
      schemas: { Problem: schema(problemSchema, 'output') },
    },
  };
}

export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
