import type { DataSource, EntityManager } from 'typeorm';

/**
 * Claims of bus inputs (`bus_input_claims`): every process on a Redis bus receives every bus
 * message, and an input that must be handled by one of them only carries a unique id. The first
 * process to claim `<channel>:<id>` handles it; the others skip it.
 *
 * A claim is one autocommitted statement when given the DataSource (it holds whatever the
 * claimant then does or fails to do), or part of the caller's transaction when given its
 * EntityManager (then it rolls back with it, and a concurrent claimant waits for the outcome).
 */
export async function claimBusInput(db: DataSource | EntityManager, channel: string, id: string): Promise<boolean> {
  const rows: unknown[] = await db.query(`INSERT INTO bus_input_claims (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING key`, [
    busInputKey(channel, id),
  ]);
  return rows.length === 1;
}

/** Deletes the claims older than `olderThanMs` (one DELETE on the claimed_at index). */
export async function pruneBusInputClaims(db: DataSource | EntityManager, olderThanMs: number): Promise<void> {
  await db.query(`DELETE FROM bus_input_claims WHERE claimed_at < now() - make_interval(secs => $1)`, [olderThanMs / 1000]);
}

export function busInputKey(channel: string, id: string): string {
  return `${channel}:${id}`;
}
