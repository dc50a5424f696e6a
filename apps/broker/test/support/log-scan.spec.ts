import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bankCustomers } from '@kyc/mock-bank-kit';
import { customerNeedles, scanLogs } from './log-scan.js';

describe(scanLogs.name, () => {
  const dirs: string[] = [];
  const dirWith = (lines: string[]): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kyc-log-scan-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'broker.log'), `${lines.join('\n')}\n`);
    return dir;
  };

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds a planted customer name, birthdate, key and secret, naming the kind and the line only', () => {
    const customer = bankCustomers('a')[0];
    if (customer === undefined) throw new Error('no customer');
    const needles = [...customerNeedles([customer]), { kind: 'bootstrap key', text: 'bootstrap-secret-0123456789' }];
    const dir = dirWith([
      '{"level":30,"msg":"request completed"}',
      `{"msg":"x","name":"${customer.person.name.family}${customer.person.name.given}"}`,
      `{"msg":"born ${customer.person.birthdate}"}`,
      '{"msg":"key kyck_abcdefghijklmnopqrstuvwxyz"}',
      '{"msg":"whsec_abcdefghijklmnopqrstuvwxyz"}',
      '{"msg":"Bearer bootstrap-secret-0123456789"}',
    ]);

    const found = scanLogs(dir, needles);

    expect(found.map((f) => f.line)).toEqual(expect.arrayContaining([2, 3, 4, 5, 6]));
    expect(found.some((f) => f.line === 1)).toBe(false);
    expect(JSON.stringify(found)).not.toContain(customer.person.birthdate);
  });

  it('passes clean logs', () => {
    expect(scanLogs(dirWith(['{"level":30,"req":{"method":"GET","path":"/healthz"},"res":{"status":200}}']), customerNeedles())).toEqual([]);
  });
});
