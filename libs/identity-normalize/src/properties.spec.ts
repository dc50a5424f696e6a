import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeStreetAddress, parseAddress } from './address.js';
import { parseDate, toEraDate } from './era.js';
import { makePerson, renderApplicant, renderOneLine, seeded, type OneLinePerson } from './fixtures/persons.js';
import { canonicalKana, foldKanaForComparison } from './kana.js';
import { matchClaims } from './match.js';
import { normalizeKanaName, normalizeKanjiName } from './names.js';
import { normalizeAddress, normalizeBirthdate, normalizeVerificationTime } from './normalize.js';
import { foldWhitespace, normalizeHyphens, normalizeText } from './text.js';
import { CLAIM_NAMES, type CanonicalClaims } from './types.js';
import { foldKanjiVariants, foldPlaceName } from './variants.js';

const RUNS = { numRuns: 400 };
const seed = fc.integer({ min: 0, max: 0x7fffffff });

/** One-line data → canonical claims, with the library's normalizers only. */
const canonicalOf = (line: OneLinePerson): CanonicalClaims => {
  const name = normalizeKanjiName(line.name);
  const claims: CanonicalClaims = { family_name: name.family, given_name: name.given };
  if (line.kana !== undefined) {
    const kana = normalizeKanaName(line.kana);
    claims['family_name#ja-Kana-JP'] = kana.family;
    claims['given_name#ja-Kana-JP'] = kana.given;
  }
  claims.birthdate = normalizeBirthdate(line.birthdate);
  claims.address = parseAddress(line.address);
  return claims;
};

/** A generated person's canonical claims (from a messy one-line rendering). */
const claimsOf = (s: number): CanonicalClaims => {
  const rand = seeded(s);
  return canonicalOf(renderOneLine(makePerson(rand), rand));
};

// Characters that exercise every rule: digits in both widths, dashes, kana in three forms,
// numerals, unit words, variants, spaces.
const messy = fc.string({
  unit: fc.constantFrom(
    ...'0123456789０１２３４５６７８９-－−‐―ーｰ 　一二三十百千丁目番地号の町区市郡村ハイツセンターﾊﾟﾀﾞｶﾞやまだ゛ッァヶケが髙﨑邊AZaz'.split(''),
  ),
  maxLength: 24,
});

// The cross-bank property (one person at every bank → the same claims) lives in libs/bank-adapters.

describe('every normalizer is idempotent on its own output', () => {
  it('on canonical claims', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const c = claimsOf(s);
        const names = { family: c.family_name!, given: c.given_name! };
        expect(normalizeKanjiName(names)).toStrictEqual(names);
        expect(normalizeKanjiName(`${names.family} ${names.given}`)).toStrictEqual(names);
        if (c['family_name#ja-Kana-JP'] !== undefined) {
          const kana = { family: c['family_name#ja-Kana-JP'], given: c['given_name#ja-Kana-JP']! };
          expect(normalizeKanaName(kana)).toStrictEqual(kana);
          expect(normalizeKanaName(`${kana.family} ${kana.given}`)).toStrictEqual(kana);
        }
        expect(normalizeBirthdate(c.birthdate!)).toBe(c.birthdate);
        expect(normalizeAddress(c.address!)).toStrictEqual(c.address);
        expect(normalizeAddress(c.address!.formatted!)).toStrictEqual(c.address);
        const time = normalizeVerificationTime(`${c.birthdate!}T00:00:00Z`);
        expect(normalizeVerificationTime(time)).toBe(time);
      }),
      RUNS,
    );
  });

  it.each([
    ['normalizeText', normalizeText],
    ['normalizeHyphens', normalizeHyphens],
    ['foldWhitespace', foldWhitespace],
    ['normalizeStreetAddress', normalizeStreetAddress],
    ['foldKanaForComparison', foldKanaForComparison],
    ['foldKanjiVariants', foldKanjiVariants],
    ['foldPlaceName', foldPlaceName],
  ] as const)('%s on arbitrary text', (_, f) => {
    fc.assert(
      fc.property(messy, (s) => {
        expect(f(f(s))).toBe(f(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('canonicalKana on arbitrary kana', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'アイウガパッャーヴやまだﾀﾞﾊﾟｳﾞ 　'.split('')), minLength: 1 }), (s) => {
        let once: string;
        try {
          once = canonicalKana(s);
        } catch {
          return; // refused input (a lone voiced mark, only spaces) has no output to re-normalize
        }
        expect(canonicalKana(once)).toBe(once);
      }),
    );
  });

  it('parseAddress on its own formatted output for hand-written street variants', () => {
    fc.assert(
      fc.property(messy, (street) => {
        let first;
        try {
          first = parseAddress(`東京都千代田区${street}`);
        } catch {
          return; // nothing to be idempotent about
        }
        expect(parseAddress(first.formatted!)).toStrictEqual(first);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('era dates', () => {
  it('round-trip ISO → era → ISO in both styles', () => {
    const day = fc.integer({ min: Date.UTC(1868, 9, 23), max: Date.UTC(2100, 11, 31) }).map((ms) =>
      new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10),
    );
    fc.assert(
      fc.property(day, (iso) => {
        expect(parseDate(toEraDate(iso))).toBe(iso);
        expect(parseDate(toEraDate(iso, 'kanji'))).toBe(iso);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('matching', () => {
  it('matches every claim of the same person as an applicant would type it', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const rand = seeded(s);
        const person = makePerson(rand);
        const released = canonicalOf(renderOneLine(person, rand));
        const report = matchClaims(released, renderApplicant(person), CLAIM_NAMES);
        for (const claim of CLAIM_NAMES) {
          expect(report[claim]?.result, claim).toBe(released[claim] === undefined ? 'unavailable' : 'match');
        }
      }),
      RUNS,
    );
  });

  it('is reflexive: every canonical value matches itself', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const c = claimsOf(s);
        const report = matchClaims(c, c, CLAIM_NAMES);
        for (const claim of CLAIM_NAMES) {
          expect(report[claim]?.result, claim).toBe(c[claim] === undefined ? 'unavailable' : 'match');
        }
      }),
      RUNS,
    );
  });

  it('is symmetric for any two canonical values', () => {
    fc.assert(
      fc.property(seed, seed, (s1, s2) => {
        const a = claimsOf(s1);
        const b = claimsOf(s2);
        expect(matchClaims(a, b, CLAIM_NAMES)).toStrictEqual(matchClaims(b, a, CLAIM_NAMES));
      }),
      RUNS,
    );
  });

  it('is symmetric for addresses that differ in a part or two', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 30 }), fc.boolean(), (s, block, dropBuilding) => {
        const a = claimsOf(s);
        const street = a.address!.street_address!;
        const changed = street.replace(/\d+/, String(block));
        const b: CanonicalClaims = {
          address: parseAddress(`${a.address!.region}${a.address!.locality}${dropBuilding ? changed.split(' ')[0] : changed}`),
        };
        const ab = matchClaims(a, b, ['address']).address!;
        expect(ab).toStrictEqual(matchClaims(b, a, ['address']).address);
        expect(ab.result === 'match').toBe(ab.score === 100);
      }),
      RUNS,
    );
  });
});
