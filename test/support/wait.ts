/**
 * Polling helpers for end-to-end tests: wait for a state, never for a fixed time. A timeout is a
 * test failure naming what was awaited, not a timing assertion (the limits are generous).
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the first value `check` gives other than undefined; polls every 50 ms. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Resolves once `condition` holds. */
export async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => ((await condition()) ? true : undefined), what, timeoutMs);
}
