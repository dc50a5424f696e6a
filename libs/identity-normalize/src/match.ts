import { normalizeAddressParts, parseAddress, type AddressPartsInput, type CanonicalAddress } from './address.js';
import { parseDate } from './era.js';
import { foldKanaForComparison } from './kana.js';
import { normalizeText, stripWhitespace } from './text.js';
import { CLAIM_NAMES, type ApplicantClaims, type CanonicalClaims, type ClaimMatch, type ClaimName, type MatchReport } from './types.js';
import { foldKanjiVariants, foldPlaceName } from './variants.js';

const UNAVAILABLE: Readonly<ClaimMatch> = Object.freeze({ result: 'unavailable', score: 0 });
const MATCH: Readonly<ClaimMatch> = Object.freeze({ result: 'match', score: 100 });
const MISMATCH: Readonly<ClaimMatch> = Object.freeze({ result: 'mismatch', score: 0 });

const KNOWN: ReadonlySet<string> = new Set<string>(CLAIM_NAMES);

const same = (a: string | undefined, b: string | undefined): ClaimMatch =>
  a !== undefined && a === b ? MATCH : MISMATCH;

/** Kanji / Latin names: NFKC, no spaces, variant kanji folded, Latin case ignored. */
export function nameKey(s: string): string {
  return foldKanjiVariants(stripWhitespace(normalizeText(s))).toUpperCase();
}

function dateKey(s: string): string | undefined {
  try {
    return parseDate(s);
  } catch {
    return undefined;
  }
}

export interface AddressKey {
  postal?: string;
  region?: string;
  locality?: string;
  street?: string;
  building?: string;
  /** Set when the value could not be parsed: then only whole strings are compared. */
  whole?: string;
}

const COUNTY_PREFIX = /^.+?郡/;
const OAZA = /大字/g;
const ROOM_WORDS = /号室|号/g;

// Inputs here are canonical already (normalized text), so folding is all that is left to do.
const placeKey = (s: string): string => foldPlaceName(stripWhitespace(s));

/** Comparison key of a canonical address (what the normalizers return). */
export function canonicalAddressKey(a: CanonicalAddress): AddressKey {
  const key: AddressKey = {};
  if (a.postal_code) key.postal = a.postal_code;
  if (a.region) key.region = a.region;
  if (a.locality) key.locality = placeKey(a.locality);
  if (a.street_address) {
    const space = a.street_address.indexOf(' ');
    const street = space < 0 ? a.street_address : a.street_address.slice(0, space);
    key.street = placeKey(street).replace(OAZA, '');
    if (space >= 0) key.building = placeKey(a.street_address.slice(space + 1)).replace(ROOM_WORDS, '');
  }
  return key;
}

/** Comparison key of an address given in any accepted form (normalized first); never throws. */
export function addressKey(value: string | AddressPartsInput): AddressKey {
  try {
    const options = { field: 'address', strict: false };
    return canonicalAddressKey(typeof value === 'string' ? parseAddress(value, options) : normalizeAddressParts(value, options));
  } catch {
    const text = typeof value === 'string' ? value : (value.formatted ?? Object.values(value).join(''));
    return { whole: placeKey(normalizeText(text).replace(/^\s*[〒]?\s*[0-9０-９]{3}\D?[0-9０-９]{4}/, '')) };
  }
}

const WEIGHTS = { postal: 10, region: 10, locality: 30, street: 40, building: 10 } as const;

const withoutCounty = (s: string): string => s.replace(COUNTY_PREFIX, '');

/**
 * Address score: the parts both sides give are compared and weighted (postal code 10, prefecture
 * 10, municipality 30, town and block 40, building and room 10). Postal code and prefecture count
 * only when both sides give them (applicants often omit them); municipality, street and building
 * count when either side gives them. Score = agreeing weight / compared weight × 100.
 */
export function compareAddresses(a: AddressKey, b: AddressKey): ClaimMatch {
  if (a.whole !== undefined || b.whole !== undefined) {
    const wa = a.whole ?? `${a.region ?? ''}${a.locality ?? ''}${a.street ?? ''}${a.building ?? ''}`;
    const wb = b.whole ?? `${b.region ?? ''}${b.locality ?? ''}${b.street ?? ''}${b.building ?? ''}`;
    return same(wa, wb);
  }
  let compared = 0;
  let agreed = 0;
  const count = (weight: number, agree: boolean): void => {
    compared += weight;
    if (agree) agreed += weight;
  };
  if (a.postal && b.postal) count(WEIGHTS.postal, a.postal === b.postal);
  if (a.region && b.region) count(WEIGHTS.region, a.region === b.region);
  if (a.locality || b.locality) {
    const agree = a.locality === b.locality ||
      (a.locality !== undefined && b.locality !== undefined && withoutCounty(a.locality) === withoutCounty(b.locality));
    count(WEIGHTS.locality, agree);
  }
  if (a.street || b.street) count(WEIGHTS.street, a.street === b.street);
  if (a.building || b.building) count(WEIGHTS.building, a.building === b.building);
  if (compared === 0) return MISMATCH;
  const score = Math.round((100 * agreed) / compared);
  if (score === 100) return MATCH;
  return score === 0 ? MISMATCH : { result: 'partial', score };
}

function matchOne(claim: ClaimName, released: CanonicalClaims, applicant: ApplicantClaims): ClaimMatch {
  const r = released[claim];
  const a = applicant[claim];
  if (r === undefined || a === undefined) return UNAVAILABLE;
  switch (claim) {
    case 'family_name':
    case 'given_name':
      return same(nameKey(r as string), nameKey(a as string));
    case 'family_name#ja-Kana-JP':
    case 'given_name#ja-Kana-JP':
      return same(foldKanaForComparison(r as string), foldKanaForComparison(a as string));
    case 'birthdate':
      return same(dateKey(r as string), dateKey(a as string));
    case 'address':
      // The released side is canonical by contract; normalizing it again would give the same key.
      return compareAddresses(canonicalAddressKey(r as CanonicalAddress), addressKey(a));
  }
}

/**
 * Compares what the bank released with what the enterprise says about its applicant, per requested
 * claim. `unavailable` when either side has no value. Never throws on applicant data: what cannot
 * be read is a mismatch. Symmetric for any two values of the same claim.
 */
export function matchClaims(
  released: CanonicalClaims,
  applicant: ApplicantClaims,
  requested: readonly ClaimName[],
): MatchReport {
  const report: MatchReport = {};
  for (const claim of requested) {
    report[claim] = KNOWN.has(claim) ? { ...matchOne(claim, released, applicant) } : { ...UNAVAILABLE };
  }
  return report;
}

