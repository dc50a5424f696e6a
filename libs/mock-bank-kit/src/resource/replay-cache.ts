/** Remembers DPoP proof `jti`s for as long as a proof could still be accepted. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly ttlMs: number) {}

  /** Records the id; false when it was already seen and has not expired. */
  remember(id: string, nowMs: number): boolean {
    this.sweep(nowMs);
    const expires = this.seen.get(id);
    if (expires !== undefined && expires > nowMs) return false;
    this.seen.set(id, nowMs + this.ttlMs);
    return true;
  }

  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweep) return;
    this.nextSweep = nowMs + 1000;
    for (const [id, expires] of this.seen) {
      if (expires <= nowMs) this.seen.delete(id);
    }
  }
}
