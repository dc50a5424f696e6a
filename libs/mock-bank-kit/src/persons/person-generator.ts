import type { BankId } from '../config/bank-config.js';
import { bankAUsername, bankBUsername, EDGE_CASE_FIRST_POSITION, EDGE_CASES } from './edge-cases.js';
import { BUILDINGS, FAMILY_NAMES, GIVEN_NAMES, PREFECTURES, TOWNS } from './japan-data.js';
import type { BankCustomer, DocumentType, KycMethod, Person, PersonAddress, PersonKyc, PersonName, PersonQuirks } from './person.js';
import { Prng } from './prng.js';

const SEED = 'kyc-mock-persons-v1';
export const DEMO_PERSON_COUNT = 20;
/** General (non-demo, non-edge) persons per bank; banks A and B overlap on GENERAL_SHARED of them. */
export const GENERAL_PER_BANK = 1000;
export const GENERAL_SHARED = 300;
const GENERAL_REF_BASE = 1000;

const DAY_MS = 86_400_000;

function isoDay(epochDay: number): string {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

function epochDay(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

function addYears(iso: string, years: number): string {
  const year = Number(iso.slice(0, 4)) + years;
  const monthDay = iso.slice(4) === '-02-29' ? '-02-28' : iso.slice(4);
  return `${year}${monthDay}`;
}

function randomName(rng: Prng, clean: boolean): { name: PersonName; quirks: PersonQuirks } {
  const [family, familyKana, variant] = rng.pick(FAMILY_NAMES);
  const [given, givenKana] = rng.pick(GIVEN_NAMES);
  const useVariant = !clean && variant !== undefined && rng.chance(0.3);
  const missingKana = !clean && rng.chance(0.005);
  const name: PersonName = missingKana
    ? { family: useVariant ? variant : family, given, latin: false }
    : { family: useVariant ? variant : family, given, familyKana, givenKana, latin: false };
  // A bank whose system cannot store the variant writes the common form: here bank B.
  return { name, quirks: useVariant ? { b: { family } } : {} };
}

function randomAddress(rng: Prng, clean: boolean): PersonAddress {
  const [prefecture, municipalities] = rng.pick(PREFECTURES);
  const [municipality, postalPrefix] = rng.pick(municipalities);
  const chome = clean || rng.chance(0.85) ? rng.int(1, 5) : undefined;
  const go = clean || rng.chance(0.7) ? rng.int(1, 20) : undefined;
  const withBuilding = !clean && rng.chance(0.25);
  return {
    postalCode: `${postalPrefix}-${String(rng.int(0, 9999)).padStart(4, '0')}`,
    prefecture,
    municipality,
    town: rng.pick(TOWNS),
    ...(chome !== undefined ? { chome } : {}),
    ban: rng.int(1, 30),
    ...(go !== undefined ? { go } : {}),
    ...(withBuilding ? { building: rng.pick(BUILDINGS), room: String(rng.int(1, 12) * 100 + rng.int(1, 9)) } : {}),
  };
}

const DOCUMENTS: ReadonlyArray<readonly [DocumentType, number, number | undefined]> = [
  ['DRIVERS_LICENSE', 0.5, 4],
  ['MY_NUMBER_CARD', 0.38, 10],
  ['PASSPORT', 0.08, 10],
  ['OTHER', 0.04, undefined],
];

function randomDocument(rng: Prng, verifiedDay: string): PersonKyc['document'] {
  let roll = rng.next();
  for (const [type, weight, years] of DOCUMENTS) {
    roll -= weight;
    if (roll < 0 || type === 'OTHER') {
      return years === undefined ? { type } : { type, expiry: addYears(verifiedDay, years + rng.int(0, 1)) };
    }
  }
  return { type: 'OTHER' };
}

function randomKyc(rng: Prng, birthdate: string, clean: boolean): PersonKyc {
  // Demo customers were checked recently, so their documents are still valid.
  const from = Math.max(epochDay(addYears(birthdate, 18)), epochDay(clean ? '2022-06-01' : '2008-01-01'));
  const day = isoDay(rng.int(from, epochDay('2025-12-26')));
  const time = `${String(rng.int(9, 16)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00`;
  const methodRoll = rng.next();
  const method: KycMethod = methodRoll < 0.6 ? 'FACE_TO_FACE' : methodRoll < 0.95 ? 'ONLINE_EKYC' : 'POSTAL';
  return {
    verified: clean || !rng.chance(0.01),
    verifiedAt: `${day}T${time}`,
    method,
    document: clean ? { type: 'DRIVERS_LICENSE', expiry: addYears(day, 5) } : randomDocument(rng, day),
  };
}

function randomQuirks(rng: Prng, address: PersonAddress): PersonQuirks {
  const widthRoll = rng.next();
  const width = widthRoll < 0.05 ? 'half' : widthRoll < 0.08 ? 'mixed' : undefined;
  const banchiGo = address.go !== undefined && rng.chance(0.15);
  const noPostal = rng.chance(0.1);
  return {
    ...(width ? { a: { width } } : {}),
    b: { ...(banchiGo ? { banchiStyle: 'banchi-go' as const } : {}), ...(noPostal ? { noPostalCode: true } : {}) },
  };
}

/** One generated person; the same (ref, clean) always gives the same person. */
export function generatePerson(refNumber: number, clean: boolean): Person {
  const rng = new Prng(`${SEED}:${refNumber}`);
  const { name, quirks: nameQuirks } = randomName(rng, clean);
  const birthdate = isoDay(rng.int(epochDay('1935-01-01'), epochDay('2004-12-31')));
  const address = randomAddress(rng, clean);
  const kyc = randomKyc(rng, birthdate, clean);
  const quirks = randomQuirks(rng, address);
  return {
    ref: `p-${String(refNumber).padStart(6, '0')}`,
    name,
    birthdate,
    address,
    kyc,
    quirks: clean ? {} : { a: { ...quirks.a, ...nameQuirks.a }, b: { ...quirks.b, ...nameQuirks.b } },
  };
}

let demoCache: readonly Person[] | undefined;
let generalCache: readonly Person[] | undefined;

/** The demo persons: clean, ordinary data, at positions 1–20 of both banks. */
export function demoPersons(): readonly Person[] {
  demoCache ??= Array.from({ length: DEMO_PERSON_COUNT }, (_, i) => generatePerson(i + 1, true));
  return demoCache;
}

/** The general population; bank A holds [0, 1000), bank B holds [700, 1700). */
export function generalPersons(): readonly Person[] {
  generalCache ??= Array.from(
    { length: 2 * GENERAL_PER_BANK - GENERAL_SHARED },
    (_, i) => generatePerson(GENERAL_REF_BASE + i + 1, false),
  );
  return generalCache;
}

/** A bank's customers in username order: demo persons, edge cases, then its share of the population. */
export function bankCustomers(bank: BankId): readonly BankCustomer[] {
  const username = bank === 'a' ? bankAUsername : bankBUsername;
  const start = bank === 'a' ? 0 : GENERAL_PER_BANK - GENERAL_SHARED;
  const persons: Person[] = [
    ...demoPersons(),
    ...EDGE_CASES.map((edge) => edge.person),
    ...generalPersons().slice(start, start + GENERAL_PER_BANK),
  ];
  if (persons[EDGE_CASE_FIRST_POSITION - 1] !== EDGE_CASES[0]?.person) {
    throw new Error('edge cases must start right after the demo persons');
  }
  return persons.map((person, i) => ({ username: username(i + 1), person }));
}
