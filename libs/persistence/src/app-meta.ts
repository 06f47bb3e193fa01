/**
 * Plain functions over the `app_meta` key/value table (created by the init migration). They take
 * anything with TypeORM's `query` (a DataSource or a transaction's EntityManager), so callers
 * decide the transaction.
 */
import type { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

export async function readMeta(db: Queryable, key: string): Promise<string | undefined> {
  const rows: Array<{ value: string }> = await db.query('SELECT value FROM app_meta WHERE key = $1', [key]);
  return rows[0]?.value;
}

export async function writeMeta(db: Queryable, key: string, value: string): Promise<void> {
  await db.query(
    `INSERT INTO app_meta (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, value],
  );
}

/**
 * Records `key` only if it is not there yet; true when this call recorded it. Safe under
 * concurrency (several instances starting at once): exactly one caller gets true.
 */
export async function writeMetaIfAbsent(db: Queryable, key: string, value: string): Promise<boolean> {
  const rows: unknown[] = await db.query(
    'INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key',
    [key, value],
  );
  return rows.length === 1;
}
