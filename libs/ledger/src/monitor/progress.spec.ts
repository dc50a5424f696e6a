import { describe, expect, it } from 'vitest';
import { progressPrinter } from './progress.js';

function sink(isTTY: boolean): { write: (text: string) => void; isTTY: boolean; out: string[] } {
  const out: string[] = [];
  return { write: (text) => void out.push(text), isTTY, out };
}

describe(progressPrinter.name, () => {
  it('redraws one line on a terminal, at most every 100 ms, and ends it once done', () => {
    const tty = sink(true);
    let clock = 0;
    const sut = progressPrinter(tty, () => clock);
    for (let checked = 1; checked <= 1000; checked++) {
      clock = checked;
      sut.update({ checked, total: 1000 });
    }
    sut.done();

    expect(tty.out.every((text) => text.startsWith('\r'))).toBe(true);
    expect(tty.out.filter((text) => text.includes('\n'))).toHaveLength(1);
    expect(tty.out.length).toBeLessThanOrEqual(12);
    expect(tty.out.at(-1)).toBe('\rentries 1,000 / 1,000 (100.0 %) · 1,001/s · ETA 0s\u001b[K\n');
  });

  it('writes a line every 5 % to a log, and one every 10 s when slower', () => {
    const log = sink(false);
    let clock = 0;
    const sut = progressPrinter(log, () => clock);
    for (let checked = 1; checked <= 200; checked++) {
      clock = checked * 10;
      sut.update({ checked, total: 200 });
    }
    sut.done();
    expect(log.out).toHaveLength(20);
    expect(log.out[0]).toBe('entries 10 / 200 (5.0 %) · 111/s · ETA 2s\n');

    const slow = sink(false);
    const later = progressPrinter(slow, () => clock);
    for (let checked = 1; checked <= 5; checked++) {
      clock += 6_000;
      later.update({ checked, total: 1_000_000 });
    }
    expect(slow.out).toHaveLength(2);
    expect(slow.out[0]).toMatch(/^entries 3 \/ 1,000,000 \(0\.0 %\) · 0\/s · ETA \d+h\d\dm\n$/);
  });
});
