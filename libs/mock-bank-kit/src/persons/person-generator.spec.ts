import { afterEach, describe, expect, it, vi } from 'vitest';
import { PREFECTURES } from './japan-data.js';
import { EDGE_CASES } from './edge-cases.js';
import { bankCustomers, generatePerson } from './person-generator.js';

describe(generatePerson.name, () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the same person for the same reference, without Math.random', () => {
    const random = vi.spyOn(Math, 'random');

    const sut = generatePerson(1234, false);

    expect(generatePerson(1234, false)).toEqual(sut);
    expect(random).not.toHaveBeenCalled();
  });

  it('is stable across releases (golden values)', () => {
    const sut = generatePerson(1, true);

    expect(sut).toMatchObject({ ref: 'p-000001', name: { family: '清水', given: '太郎' }, birthdate: '1954-09-23' });
  });

  it('writes well-formed truths', () => {
    for (const customer of bankCustomers('a')) {
      const { address, birthdate, kyc, name } = customer.person;
      expect(birthdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (address.postalCode !== undefined) expect(address.postalCode).toMatch(/^\d{3}-\d{4}$/);
      expect(kyc.verifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      if (name.familyKana !== undefined) expect(name.familyKana).toMatch(/^[ァ-ヴー]+$/);
    }
  });
});

describe(bankCustomers.name, () => {
  const a = bankCustomers('a');
  const b = bankCustomers('b');

  it('seeds at least 1,000 customers per bank with the bank username schemes', () => {
    expect(a.length).toBeGreaterThanOrEqual(1000);
    expect(b.length).toBeGreaterThanOrEqual(1000);
    expect(a.every((c) => /^\d{7}$/.test(c.username))).toBe(true);
    expect(b.every((c) => /^T\d{8}$/.test(c.username))).toBe(true);
    expect(new Set(a.map((c) => c.username)).size).toBe(a.length);
  });

  it('shares about 30 % of persons between the banks under the same person_ref', () => {
    const refsB = new Map(b.map((c) => [c.person.ref, c.person]));
    const shared = a.filter((c) => refsB.has(c.person.ref));

    expect(shared.length / a.length).toBeGreaterThan(0.3);
    expect(shared.length / a.length).toBeLessThan(0.4);
    for (const customer of shared) expect(refsB.get(customer.person.ref)).toBe(customer.person);
  });

  it('keeps the first 20 customers of bank A clean', () => {
    for (const { person } of a.slice(0, 20)) {
      expect(person.kyc.verified).toBe(true);
      expect(person.address.postalCode).toBeDefined();
      expect(person.name.familyKana).toBeDefined();
      expect(person.quirks).toEqual({});
    }
  });

  it('places every edge case at its documented username in both banks', () => {
    const byA = new Map(a.map((c) => [c.username, c.person]));
    const byB = new Map(b.map((c) => [c.username, c.person]));

    for (const edge of EDGE_CASES) {
      expect(byA.get(edge.usernameA)).toBe(edge.person);
      expect(byB.get(edge.usernameB)).toBe(edge.person);
    }
  });

  it('covers every required edge case', () => {
    const births = EDGE_CASES.map((e) => e.person.birthdate);
    const persons = EDGE_CASES.map((e) => e.person);

    expect(births).toEqual(expect.arrayContaining(['1989-01-07', '1989-01-08', '2019-04-30', '2019-05-01', '1926-12-24', '1926-12-25']));
    expect(persons.some((p) => p.name.latin && p.kyc.document.type === 'RESIDENCE_CARD')).toBe(true);
    expect(persons.some((p) => p.name.familyKana === undefined)).toBe(true);
    expect(persons.map((p) => p.name.family)).toEqual(expect.arrayContaining(['髙橋', '山﨑', '渡邊']));
    expect(persons.some((p) => p.address.building && p.address.room)).toBe(true);
    expect(persons.some((p) => p.address.postalCode === undefined)).toBe(true);
    expect(persons.some((p) => p.quirks.a?.kanjiNumerals)).toBe(true);
    expect(persons.some((p) => p.quirks.a?.width === 'mixed')).toBe(true);
    expect(persons.some((p) => !p.kyc.verified)).toBe(true);
    expect(persons.some((p) => p.quirks.a?.town?.includes('ヶ') && p.quirks.b?.town?.includes('ケ'))).toBe(true);
    expect(persons.some((p) => p.address.municipality === '西多摩郡奥多摩町')).toBe(true);
    expect(persons.some((p) => p.address.municipality === '横浜市中区')).toBe(true);
    expect(new Set(EDGE_CASES.map((e) => e.key)).size).toBe(EDGE_CASES.length);
  });

  it('spreads addresses over all 47 prefectures and every document type', () => {
    const prefectures = new Set([...a, ...b].map((c) => c.person.address.prefecture));
    const documents = new Set([...a, ...b].map((c) => c.person.kyc.document.type));

    expect(PREFECTURES).toHaveLength(47);
    expect(prefectures.size).toBe(47);
    expect([...documents].sort()).toEqual(['DRIVERS_LICENSE', 'MY_NUMBER_CARD', 'OTHER', 'PASSPORT', 'RESIDENCE_CARD']);
  });
});
