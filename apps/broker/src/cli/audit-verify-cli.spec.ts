import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_VERIFY_HELP, AuditVerifyUsageError, parseAuditVerifyArgs, runAuditVerify } from './audit-verify-cli.js';

const VKEY = 'broker.test/kyc-ledger+00000000+AQ==';

function io(auditorKey?: string): { auditorKey: string | undefined; stdout: (t: string) => void; stderr: { write: (t: string) => void; isTTY: boolean }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { auditorKey, stdout: (t) => void out.push(t), stderr: { write: (t) => void err.push(t), isTTY: false }, out, err };
}

describe(parseAuditVerifyArgs.name, () => {
  it('has defaults for everything but the key and the pins', () => {
    expect(parseAuditVerifyArgs(['--key', 'k'], undefined)).toEqual({
      url: 'http://127.0.0.1:3000',
      key: 'k',
      statePath: './ledger-monitor.json',
      logKey: undefined,
      witnesses: undefined,
      quorum: undefined,
      origin: undefined,
      repin: false,
      newCheckpoint: true,
      entries: true,
      quiet: false,
    });
  });

  it('takes repeated witnesses, a quorum, negated and =false booleans, and the key from AUDITOR_KEY', () => {
    const parsed = parseAuditVerifyArgs(
      ['--log-key', VKEY, '--witness', 'a', '--witness', 'b', '--quorum', '1', '--no-new-checkpoint', '--entries=false', '--quiet=true', '--repin', '--state', 's.json'],
      'from-env',
    );
    expect(parsed).toMatchObject({ key: 'from-env', logKey: VKEY, witnesses: ['a', 'b'], quorum: 1, newCheckpoint: false, entries: false, quiet: true, repin: true, statePath: 's.json' });
    expect(parseAuditVerifyArgs(['--key', 'flag'], 'from-env')?.key).toBe('flag');
  });

  it('refuses what it cannot run', () => {
    for (const argv of [[], ['--key', 'k', '--quorum', 'two'], ['--key', 'k', '--url', 'ftp://x'], ['--key', 'k', '--bogus'], ['--key', 'k', 'extra'], ['--key', 'k', '--witness']]) {
      expect(() => parseAuditVerifyArgs(argv, undefined), argv.join(' ')).toThrow(AuditVerifyUsageError);
    }
  });
});

describe(runAuditVerify.name, () => {
  it('prints a help that documents every flag, the state file and trust on first use', async () => {
    const sut = io();
    expect(await runAuditVerify(['--help'], sut)).toBe(0);
    expect(sut.out.join('')).toBe(AUDIT_VERIFY_HELP);
    for (const flag of ['--url', '--key', '--state', '--log-key', '--witness', '--quorum', '--origin', '--repin', '--no-new-checkpoint', '--no-entries', '--quiet', '--help', 'AUDITOR_KEY', 'State file', 'Trust on first use', 'Example']) {
      expect(AUDIT_VERIFY_HELP).toContain(flag);
    }
  });

  it('exits 2 on a usage error, before any request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
    try {
      const sut = io('k');
      const fetch = (): Promise<Response> => Promise.reject(new Error('no request expected'));
      expect(await runAuditVerify(['--state', join(dir, 'state.json')], { ...sut, fetch })).toBe(2);
      expect(sut.err.join('')).toContain('no log key pinned: pass --log-key <vkey> on the first run');
      expect(sut.out).toEqual([]);
      expect(await runAuditVerify(['--nope'], io('k'))).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
