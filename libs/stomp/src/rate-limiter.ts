/**
 * Token bucket: `ratePerS` tokens a second up to `burst`. One per session; frames past it are a
 * flood and the session is refused with `rate-limited` and a `retry-after`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    now: number = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token; false when the bucket is empty. A rate of 0 disables limiting. */
  take(now: number = Date.now()): boolean {
    if (this.ratePerS <= 0) return true;
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerS) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds until a token is available again (at least 1). */
  retryAfterS(): number {
    return Math.max(1, Math.ceil((1 - this.tokens) / Math.max(this.ratePerS, 1)));
  }
}
