/**
 * `bus_input_claims`: keys of bus inputs that one process has taken on. Every process on the
 * Redis bus receives every bus message; an input that must be handled once (a STOMP
 * `/app/commands` request) carries a unique key, and the process whose
 * `INSERT ... ON CONFLICT DO NOTHING RETURNING` inserts it is the one that handles it. Keys are
 * `<channel>:<id>` so any channel can use the table; they are pruned after an hour by `claimed_at`.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BusInputClaims1763856000700 implements MigrationInterface {
  readonly name = 'BusInputClaims1763856000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bus_input_claims (
        key        text        PRIMARY KEY,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bus_input_claims_key_check CHECK (key <> '')
      )`);
    await q.query(`CREATE INDEX bus_input_claims_claimed_at_idx ON bus_input_claims (claimed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bus_input_claims`);
  }
}
