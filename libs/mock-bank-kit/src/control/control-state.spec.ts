import { describe, expect, it } from 'vitest';
import { ControlState } from './control-state.js';

function clockAt(startMs: number): { now: () => number; set: (ms: number) => void } {
  let current = startMs;
  return { now: () => current, set: (ms) => (current = ms) };
}

describe(ControlState.name, () => {
  it('admits at most rate_limit_rps calls per whole epoch second', () => {
    const clock = clockAt(1_700_000_000_900);
    const sut = new ControlState(() => 0.5, clock.now);
    sut.update({ rate_limit_rps: 3 });

    const first = [sut.admit(), sut.admit(), sut.admit(), sut.admit()].map((a) => a.kind);
    clock.set(1_700_000_001_000);
    const second = [sut.admit(), sut.admit()].map((a) => a.kind);

    expect(first).toEqual(['admitted', 'admitted', 'admitted', 'rate_limited']);
    expect(second).toEqual(['admitted', 'admitted']);
    expect(sut.stats()).toEqual({ served_total: 5, rejected_rate_limited_total: 1, max_served_in_any_second: 3 });
  });

  it('counts by epoch second, not by a sliding window', () => {
    const clock = clockAt(1_700_000_000_999);
    const sut = new ControlState(() => 0.5, clock.now);
    sut.update({ rate_limit_rps: 2 });

    sut.admit();
    sut.admit();
    clock.set(1_700_000_001_001);

    expect(sut.admit().kind).toBe('admitted');
    expect(sut.stats().max_served_in_any_second).toBe(2);
  });

  it('answers with Retry-After when rate limited and in maintenance', () => {
    const sut = new ControlState(() => 0.5, () => 0);
    sut.update({ rate_limit_rps: 1 });
    sut.admit();

    expect(sut.admit()).toEqual({ kind: 'rate_limited', retryAfterSeconds: 1 });
    sut.update({ maintenance: true });
    expect(sut.admit()).toMatchObject({ kind: 'maintenance' });
  });

  it('injects latency, errors and malformed payloads', () => {
    const sut = new ControlState(() => 0.5, () => 0);
    sut.update({ latency_ms: 100, jitter_ms: 20, error_rate: 0.6, malformed_rate: 0.4 });

    expect(sut.admit()).toEqual({ kind: 'admitted', delayMs: 110, fail: true, malformed: false });
  });

  it('reset zeroes the counters and restores the defaults before applying other fields', () => {
    const sut = new ControlState(() => 0.5, () => 0);
    sut.update({ rate_limit_rps: 1, maintenance: true, latency_ms: 5 });
    sut.update({ maintenance: false });
    sut.admit();
    sut.admit();

    const settings = sut.update({ reset: true, error_rate: 0.1 });

    expect(settings).toEqual({ latency_ms: 0, jitter_ms: 0, error_rate: 0.1, rate_limit_rps: null, malformed_rate: 0, maintenance: false });
    expect(sut.stats()).toEqual({ served_total: 0, rejected_rate_limited_total: 0, max_served_in_any_second: 0 });
  });

  it('treats rate_limit_rps 0 or null as no limit', () => {
    const sut = new ControlState(() => 0.5, () => 0);
    sut.update({ rate_limit_rps: 0 });

    expect(sut.current.rate_limit_rps).toBeNull();
    expect(sut.admit().kind).toBe('admitted');
  });
});
