import { describe, expect, it } from 'vitest';
import { NormalizationError } from '@kyc/identity-normalize';
import { GOLDEN, GOLDEN_ERRORS } from '../fixtures/golden.js';
import { normalizeBankARecord } from './kaede-record.js';

describe('golden fixtures (SPEC §6 edge cases)', () => {
  describe.each(GOLDEN)('$name', (c) => {
    it('bank A → canonical', () => {
      const sut = normalizeBankARecord(c.bankA);
      expect(sut.claims).toStrictEqual(c.claims);
      expect(sut.verification).toStrictEqual(c.verificationA);
    });

    it('never releases null or empty strings', () => {
      const json = JSON.stringify(normalizeBankARecord(c.bankA));
      expect(json).not.toMatch(/null|""/);
    });
  });
});

describe('refused bank payloads', () => {
  const refused = GOLDEN_ERRORS.flatMap(({ name, bankA, field }) => (bankA ? [{ name, bankA, field }] : []));

  it.each(refused)('$name', ({ bankA, field }) => {
    const run = (): unknown => normalizeBankARecord(bankA);
    expect(run).toThrow(NormalizationError);
    try {
      run();
    } catch (e) {
      expect((e as NormalizationError).field).toBe(field);
    }
  });
});
