/**
 * First migration: `app_meta`, a small key/value table for facts about this installation
 * (e.g. that the demo airport was seeded), so first-run work happens exactly once.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1763856000000 implements MigrationInterface {
  readonly name = 'Init1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_meta (
        key        text        PRIMARY KEY,
        value      text        NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE app_meta');
  }
}
