import { describe, expect, it } from 'vitest';
import { foldWhitespace, nfkc, normalizeHyphens, normalizeText, toHalfWidthAscii } from './text.js';

describe(normalizeHyphens.name, () => {
  it.each([
    ['1\u22121', '1-1'],
    ['1\u20101', '1-1'],
    ['1\u20111', '1-1'],
    ['1\u20121', '1-1'],
    ['1\u20131', '1-1'],
    ['1\u20141', '1-1'],
    ['1\u20151', '1-1'],
    ['1\uFF0D1', '1-1'],
    ['1\uFE631', '1-1'],
    ['1ー1', '1-1'],
    ['１ー１', '１-１'],
    ['1ｰ1', '1-1'],
    ['A\u22121', 'A-1'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeHyphens(input)).toBe(expected);
  });

  it.each(['ハイツ', 'センター', 'ルーム', 'コーポ1', 'ーA'])('keeps the long vowel mark in %s', (word) => {
    expect(normalizeHyphens(word)).toBe(word);
  });

  it('keeps dashes that touch no digit', () => {
    expect(normalizeHyphens('山田\u2015太郎')).toBe('山田\u2015太郎');
  });
});

describe(nfkc.name, () => {
  it('turns full-width digits and Latin half-width and half-width kana full-width', () => {
    expect(nfkc('ＡＢＣ１２３ﾔﾏﾀﾞ')).toBe('ABC123ヤマダ');
  });

  it('keeps 﨑 (U+FA11 has no decomposition) and already-normalized text as is', () => {
    expect(nfkc('山﨑')).toBe('山﨑');
    expect(nfkc('東京都千代田区千代田1-1')).toBe('東京都千代田区千代田1-1');
  });
});

describe(toHalfWidthAscii.name, () => {
  it('changes full-width ASCII and U+3000 only', () => {
    expect(toHalfWidthAscii('ＳＭＩＴＨ　ＪＯＨＮ　ﾔﾏﾀﾞ')).toBe('SMITH JOHN ﾔﾏﾀﾞ');
  });
});

describe(foldWhitespace.name, () => {
  it('folds full-width spaces, tabs and runs into one space and trims', () => {
    expect(foldWhitespace('\u3000山田\u3000\u3000太郎\t ')).toBe('山田 太郎');
  });
});

describe(normalizeText.name, () => {
  it('combines NFKC, hyphens and whitespace', () => {
    expect(normalizeText('〒１００－０００１　東京都千代田区千代田１−１')).toBe('〒100-0001 東京都千代田区千代田1-1');
  });
});
