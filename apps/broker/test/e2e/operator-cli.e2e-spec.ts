import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliContext } from '../../src/cli/operator-cli.js';
import { BOOTSTRAP_KEY, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ctx: CliContext & { lines: string[] };

beforeAll(async () => {
  stack = await startStack();
  const lines: string[] = [];
  ctx = { url: stack.broker, key: BOOTSTRAP_KEY, out: (line) => lines.push(line), lines };
});

afterAll(async () => {
  await stack.close();
});

async function cli(...argv: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  ctx.lines.length = 0;
  const code = await runCli(argv, ctx);
  const last = ctx.lines.join('\n');
  return { code, json: code === 0 ? (JSON.parse(last) as Record<string, unknown>) : { error: last } };
}

describe('operator CLI', () => {
  it('sets up a tenant from the terminal: enterprise, key, contract, then ends the contract', async () => {
    const ent = await cli('enterprises', 'create', '--name', 'CLI Motors', '--redirect-uri', 'https://cli.example/cb');
    expect(ent.code).toBe(0);
    expect(ent.json).toMatchObject({ name: 'CLI Motors', status: 'active', redirect_uris: ['https://cli.example/cb'] });
    const id = String(ent.json['id']);
    const key = await cli('keys', 'create', '--enterprise', id);
    expect(key.json).toMatchObject({ role: 'enterprise', enterprise_id: id });
    const contract = await cli('contracts', 'create', '--enterprise', id, '--bank', 'bank-a', '--claim', 'birthdate', '--claim', 'address', '--purpose', 'age_verification', '--access-ttl-seconds', '300');
    expect(contract.json).toMatchObject({ status: 'active', claims: ['birthdate', 'address'], purposes: ['age_verification'], mode: 'full', access_ttl_seconds: 300 });
    const banks = await fetch(`${stack.broker}/v1/banks`, { headers: { authorization: `Bearer ${String(key.json['key'])}` } });
    expect(((await banks.json()) as { data: unknown[] }).data).toHaveLength(1);
    const ended = await cli('contracts', 'end', '--id', String(contract.json['id']));
    expect(ended.json['status']).toBe('ended');
  });

  it('reports the broker’s problem and exits non-zero', async () => {
    const res = await cli('contracts', 'create', '--enterprise', 'ent_nope', '--bank', 'bank-a', '--claim', 'birthdate', '--purpose', 'x');
    expect(res.code).toBe(1);
    expect(String(res.json['error'])).toContain('400 VALIDATION_FAILED');
  });

  it('prints usage for unknown commands and refuses to run without a key', async () => {
    expect((await cli('nothing')).code).toBe(2);
    expect(ctx.lines.join('\n')).toContain('enterprises create');
    const keyless = await runCli(['banks', 'list'], { ...ctx, key: undefined });
    expect(keyless).toBe(1);
  });
});
