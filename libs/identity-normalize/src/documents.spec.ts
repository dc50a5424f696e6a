import { describe, expect, it } from 'vitest';
import { mapCode } from './documents.js';
import { NormalizationError } from './errors.js';

describe(mapCode.name, () => {
  const table = new Map<string, number>([['ONE', 1], ['02', 2]]);

  it.each([
    ['ONE', 1],
    [' one ', 1],
    ['02', 2],
  ])('%j → %s (trimmed, upper-cased)', (code, expected) => {
    expect(mapCode(table, code, 'some_field')).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['\u3000', 'empty'],
    ['2', 'unknown_code'],
    ['THREE', 'unknown_code'],
  ])('refuses %j as %s, naming the field', (code, reason) => {
    expect(() => mapCode(table, code, 'some_field')).toThrow(NormalizationError);
    expect(() => mapCode(table, code, 'some_field')).toThrow(expect.objectContaining({ field: 'some_field', reason }));
  });
});
