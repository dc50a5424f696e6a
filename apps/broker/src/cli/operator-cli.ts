import { parseArgs } from 'node:util';

/**
 * The operator API from a terminal (`npm run cli -- <resource> <action> [options]`). It only calls
 * the broker over HTTP with an operator key, so it needs nothing but the broker's URL.
 */

export interface CliContext {
  readonly url: string;
  readonly key: string | undefined;
  readonly out: (line: string) => void;
}

interface Command {
  readonly usage: string;
  readonly run: (options: Options, ctx: CliContext) => Promise<unknown>;
}

type Options = Record<string, string | string[] | boolean | undefined>;

const OPTIONS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'webhook-url': { type: 'string' },
  id: { type: 'string' },
  enterprise: { type: 'string' },
  bank: { type: 'string' },
  claim: { type: 'string', multiple: true },
  purpose: { type: 'string', multiple: true },
  mode: { type: 'string' },
  'valid-from': { type: 'string' },
  'valid-until': { type: 'string' },
  'rate-limit-rps': { type: 'string' },
  'access-ttl-seconds': { type: 'string' },
  role: { type: 'string' },
  'max-rps': { type: 'string' },
  'max-concurrency': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export class CliError extends Error {}

const text = (o: Options, name: string): string | undefined => (typeof o[name] === 'string' ? o[name] : undefined);
const list = (o: Options, name: string): string[] | undefined => (Array.isArray(o[name]) ? o[name] : undefined);
const required = (o: Options, name: string): string => {
  const value = text(o, name);
  if (value === undefined) throw new CliError(`--${name} is required`);
  return value;
};
const int = (o: Options, name: string): number | undefined => {
  const value = text(o, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`--${name} must be a whole number`);
  return Number(value);
};
const defined = (body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));

async function api(ctx: CliContext, method: string, path: string, body?: unknown): Promise<unknown> {
  if (ctx.key === undefined) throw new CliError('set KYC_OPERATOR_KEY to an operator API key');
  const response = await fetch(`${ctx.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const payload: unknown = response.status === 204 ? { ok: true } : await response.json();
  if (!response.ok) {
    const problem = payload as { code?: string; detail?: string; errors?: { path: string; message: string }[] };
    const details = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
    throw new CliError(`${response.status} ${problem.code ?? ''}: ${problem.detail ?? 'request failed'}${details}`);
  }
  return payload;
}

const COMMANDS: Record<string, Command> = {
  'enterprises list': { usage: 'enterprises list', run: (_o, c) => api(c, 'GET', '/v1/admin/enterprises') },
  'enterprises create': {
    usage: 'enterprises create --name <name> --redirect-uri <uri> [--redirect-uri <uri>…] [--webhook-url <url>]',
    run: (o, c) =>
      api(c, 'POST', '/v1/admin/enterprises', defined({ name: required(o, 'name'), redirect_uris: list(o, 'redirect-uri') ?? [], webhook_url: text(o, 'webhook-url') })),
  },
  'enterprises suspend': { usage: 'enterprises suspend --id <ent_…>', run: (o, c) => api(c, 'PATCH', `/v1/admin/enterprises/${required(o, 'id')}`, { status: 'suspended' }) },
  'enterprises rotate-webhook-secret': {
    usage: 'enterprises rotate-webhook-secret --id <ent_…>',
    run: (o, c) => api(c, 'POST', `/v1/admin/enterprises/${required(o, 'id')}/webhook-secret/rotate`),
  },
  'enterprises activate': { usage: 'enterprises activate --id <ent_…>', run: (o, c) => api(c, 'PATCH', `/v1/admin/enterprises/${required(o, 'id')}`, { status: 'active' }) },
  'keys create': {
    usage: 'keys create --enterprise <ent_…>   |   keys create --role auditor|operator',
    run: (o, c) => {
      const enterprise = text(o, 'enterprise');
      return enterprise === undefined
        ? api(c, 'POST', '/v1/admin/api-keys', { role: required(o, 'role') })
        : api(c, 'POST', `/v1/admin/enterprises/${enterprise}/api-keys`);
    },
  },
  'keys revoke': { usage: 'keys revoke --id <key_…>', run: (o, c) => api(c, 'DELETE', `/v1/admin/api-keys/${required(o, 'id')}`) },
  'contracts list': {
    usage: 'contracts list [--enterprise <ent_…>] [--bank <bank-id>]',
    run: (o, c) => {
      const query = new URLSearchParams(defined({ enterprise_id: text(o, 'enterprise'), bank_id: text(o, 'bank') }) as Record<string, string>);
      return api(c, 'GET', `/v1/admin/contracts${query.size > 0 ? `?${query.toString()}` : ''}`);
    },
  },
  'contracts create': {
    usage:
      'contracts create --enterprise <ent_…> --bank <bank-id> --claim <claim>… --purpose <purpose>… [--mode full|match_only] [--valid-from <time>] [--valid-until <time>] [--rate-limit-rps <n>] [--access-ttl-seconds <n>]',
    run: (o, c) =>
      api(c, 'POST', '/v1/admin/contracts', defined({
        enterprise_id: required(o, 'enterprise'),
        bank_id: required(o, 'bank'),
        claims: list(o, 'claim') ?? [],
        purposes: list(o, 'purpose') ?? [],
        mode: text(o, 'mode') ?? 'full',
        valid_from: text(o, 'valid-from'),
        valid_until: text(o, 'valid-until'),
        rate_limit_rps: int(o, 'rate-limit-rps'),
        access_ttl_seconds: int(o, 'access-ttl-seconds'),
      })),
  },
  'contracts end': { usage: 'contracts end --id <ctr_…>', run: (o, c) => api(c, 'PATCH', `/v1/admin/contracts/${required(o, 'id')}`, { status: 'ended' }) },
  'banks list': { usage: 'banks list', run: (_o, c) => api(c, 'GET', '/v1/admin/banks') },
  'banks close': { usage: 'banks close --id <bank-id>', run: (o, c) => api(c, 'PATCH', `/v1/admin/banks/${required(o, 'id')}`, { status: 'closed' }) },
  'banks open': { usage: 'banks open --id <bank-id>', run: (o, c) => api(c, 'PATCH', `/v1/admin/banks/${required(o, 'id')}`, { status: 'open' }) },
  'banks limit': {
    usage: 'banks limit --id <bank-id> [--max-rps <n>] [--max-concurrency <n>]',
    run: (o, c) => api(c, 'PATCH', `/v1/admin/banks/${required(o, 'id')}`, defined({ max_rps: int(o, 'max-rps'), max_concurrency: int(o, 'max-concurrency') })),
  },
};

export function usage(): string {
  return ['usage: npm run cli -- <command> [options]   (KYC_BROKER_URL, KYC_OPERATOR_KEY from the environment)', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

/** Runs one command; prints its JSON answer. Returns the process exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    ctx.out(`${err instanceof Error ? err.message : 'bad arguments'}\n\n${usage()}`);
    return 2;
  }
  const command = COMMANDS[parsed.positionals.slice(0, 2).join(' ')];
  if (command === undefined || parsed.values.help === true) {
    ctx.out(usage());
    return command === undefined && parsed.values.help !== true ? 2 : 0;
  }
  try {
    ctx.out(JSON.stringify(await command.run(parsed.values, ctx), null, 2));
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      ctx.out(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
