import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAIM_NAMES, matchClaims } from '@kyc/identity-normalize';
import { normalizeBankARecord } from './bank-a/kaede-record.js';
import { normalizeBankBBody } from './bank-b/tsubame-body.js';
import { makePerson, renderApplicant, renderBankA, renderBankB, seeded } from './fixtures/persons.js';

const RUNS = { numRuns: 400 };
const seed = fc.integer({ min: 0, max: 0x7fffffff });

describe('bank A and bank B renderings of the same person', () => {
  it('normalize to identical canonical claims', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const rand = seeded(s);
        const person = makePerson(rand);
        const a = normalizeBankARecord(renderBankA(person, rand));
        const b = normalizeBankBBody(renderBankB(person, rand));
        expect(b.claims).toStrictEqual(a.claims);
        expect(b.verification.document?.type).toBe(a.verification.document?.type);
        expect(b.verification.time.slice(0, 10) <= a.verification.time.slice(0, 10)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('matching', () => {
  it('matches every claim of the same person as an applicant would type it', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const rand = seeded(s);
        const person = makePerson(rand);
        const released = normalizeBankBBody(renderBankB(person, rand)).claims;
        const report = matchClaims(released, renderApplicant(person), CLAIM_NAMES);
        for (const claim of CLAIM_NAMES) {
          expect(report[claim]?.result, claim).toBe(released[claim] === undefined ? 'unavailable' : 'match');
        }
      }),
      RUNS,
    );
  });
});
