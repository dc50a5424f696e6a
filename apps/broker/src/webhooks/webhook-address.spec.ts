import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup, isAllowedWebhookAddress, webhookTargetProblem, webhookUrlProblem } from './webhook-address.js';

describe(isAllowedWebhookAddress.name, () => {
  it.each([
    '10.0.0.5',
    '172.16.3.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    'fd00:ec2::254',
    'fe80::1',
    'fc00::1',
    '::ffff:10.0.0.5',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::a00:5',
    '::a9fe:a9fe',
    '::ffff:0:a9fe:a9fe',
    '::ffff:0:7f00:1',
    '2001:db8::1',
    'ff02::1',
    '198.18.0.1',
    '192.0.2.1',
    '240.0.0.1',
    'not-an-ip',
  ])('refuses %s', (ip) => {
    expect(isAllowedWebhookAddress(ip, true)).toBe(false);
  });

  it.each(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '8.8.8.8'])('allows the public address %s', (ip) => {
    expect(isAllowedWebhookAddress(ip, false)).toBe(true);
  });

  it('allows loopback only when the development setting does', () => {
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(isAllowedWebhookAddress(ip, false)).toBe(false);
      expect(isAllowedWebhookAddress(ip, true)).toBe(true);
    }
  });
});

describe(webhookUrlProblem.name, () => {
  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.5/',
    'http://127.1:6379/',
    'https://0x7f.1/',
    'https://2130706433/',
    'https://[::ffff:169.254.169.254]/',
    'https://[fd00:ec2::254]/',
    'https://localhost/hooks',
    'https://user:pw@hooks.example/',
    'http://hooks.example/',
    'https://0177.0.0.1/',
    'https://0x7f000001/',
    'https://0/',
    'https://[::1]/',
    'https://[0:0:0:0:0:ffff:7f00:1]/',
    'https://[::169.254.169.254]/',
    'https://[64:ff9b::10.0.0.5]/',
    'https://localhost./hooks',
    'https://hooks.localhost/',
  ])('refuses %s', (url) => {
    expect(webhookUrlProblem(url, false)).toBeTypeOf('string');
  });

  it.each(['https://169.254.169.254/', 'https://[fd00:ec2::254]/', 'http://10.0.0.5/hooks', 'https://[::ffff:a9fe:a9fe]/'])(
    'refuses %s even where loopback is allowed',
    (url) => {
      expect(webhookUrlProblem(url, true)).toBeTypeOf('string');
    },
  );

  it('accepts a public https URL, and http to loopback only in development', () => {
    expect(webhookUrlProblem('https://hooks.acme.example/kyc', false)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:5555/hooks', false)).toBeTypeOf('string');
    expect(webhookUrlProblem('http://127.0.0.1:5555/hooks', true)).toBeUndefined();
    expect(webhookUrlProblem('http://10.0.0.5/hooks', true)).toBeTypeOf('string');
  });
});

describe(webhookTargetProblem.name, () => {
  it('leaves names to the resolver, but still refuses literals, credentials and http', () => {
    expect(webhookTargetProblem('https://localhost:6379/', false)).toBeUndefined();
    expect(webhookTargetProblem('https://rebind.example/', false)).toBeUndefined();
    expect(webhookTargetProblem('https://127.1:6379/', false)).toBeTypeOf('string');
    expect(webhookTargetProblem('https://u:p@hooks.example/', false)).toBeTypeOf('string');
    expect(webhookTargetProblem('http://localhost:6379/', false)).toBeTypeOf('string');
    expect(webhookTargetProblem('http://localhost:6379/', true)).toBeUndefined();
    expect(webhookTargetProblem('not a url', true)).toBeTypeOf('string');
  });
});

describe(guardedLookup.name, () => {
  const resolver = (answers: Record<string, LookupAddress[]>) =>
    ((host: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
      callback(null, answers[host] ?? []);
    }) as unknown as typeof import('node:dns').lookup;
  const run = (lookup: ReturnType<typeof guardedLookup>, host: string): Promise<{ err: NodeJS.ErrnoException | null; address: unknown }> =>
    new Promise((resolve) => lookup(host, {}, (err, address) => resolve({ err, address })));

  it('refuses a name when any address it resolves to is refused (DNS rebinding finds nothing to rebind)', async () => {
    const lookup = guardedLookup(false, resolver({ 'rebind.example': [{ address: '93.184.215.14', family: 4 }, { address: '169.254.169.254', family: 4 }] }));
    const { err } = await run(lookup, 'rebind.example');
    expect(err?.code).toBe('EADDRNOTALLOWED');
  });

  it('answers the resolved address of an allowed name', async () => {
    const lookup = guardedLookup(false, resolver({ 'hooks.example': [{ address: '93.184.215.14', family: 4 }] }));
    expect(await run(lookup, 'hooks.example')).toEqual({ err: null, address: '93.184.215.14' });
  });

  it('refuses a resolver error as an error, and an empty answer as a refusal', async () => {
    const failing = ((_host: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
      callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    }) as unknown as typeof import('node:dns').lookup;
    expect((await run(guardedLookup(false, failing), 'gone.example')).err?.code).toBe('ENOTFOUND');
    expect((await run(guardedLookup(false, resolver({})), 'empty.example')).err?.code).toBe('EADDRNOTALLOWED');
  });

  it('answers every address when asked for all', async () => {
    const answers = [{ address: '93.184.215.14', family: 4 }, { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 }];
    const lookup = guardedLookup(false, resolver({ 'hooks.example': answers }));
    const all = await new Promise<unknown>((resolve) => lookup('hooks.example', { all: true }, (_err, address) => resolve(address)));
    expect(all).toEqual(answers);
  });

  it('refuses localhost with the system resolver unless loopback is allowed', async () => {
    expect((await run(guardedLookup(false), 'localhost')).err?.code).toBe('EADDRNOTALLOWED');
    const allowed = await run(guardedLookup(true), 'localhost');
    expect(allowed.err).toBeNull();
    expect(allowed.address).toMatch(/^(127\.|::1$)/);
  });
});
