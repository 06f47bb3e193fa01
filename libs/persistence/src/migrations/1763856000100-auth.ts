/**
 * Authentication tables: `users` (password accounts), `refresh_tokens` (rotation families,
 * SHA-256 of each token only) and a minimal `devices` (id, type, zone, secret hash) that the
 * control service extends in its own migration. Role and device-type lists are written out here
 * rather than imported: a shipped migration must not change when the code's lists do.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Auth1763856000100 implements MigrationInterface {
  readonly name = 'Auth1763856000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        username      text        NOT NULL,
        password_hash text        NOT NULL,
        role          text        NOT NULL,
        zones         text[]      NULL,
        failed_logins integer     NOT NULL DEFAULT 0,
        locked_until  timestamptz NULL,
        disabled      boolean     NOT NULL DEFAULT false,
        created_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_username_key UNIQUE (username),
        CONSTRAINT users_username_check CHECK (username <> ''),
        CONSTRAINT users_role_check CHECK (role IN ('DRIVER', 'OPERATOR', 'ADMIN')),
        CONSTRAINT users_failed_logins_check CHECK (failed_logins >= 0)
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        family_id  uuid        NOT NULL,
        token_hash text        NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at    timestamptz NULL,
        revoked_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query('CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id)');
    await q.query('CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id)');
    await q.query(`
      CREATE TABLE devices (
        id          text        PRIMARY KEY,
        type        text        NOT NULL,
        name        text        NOT NULL DEFAULT '',
        zone_id     text        NULL,
        secret_hash text        NOT NULL,
        disabled    boolean     NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT devices_id_check CHECK (id <> ''),
        CONSTRAINT devices_type_check CHECK (type IN (
          'GATE', 'LPR_CAMERA', 'VEHICLE_DETECTOR', 'GUIDANCE_CAMERA', 'GUIDANCE_SIGN',
          'PAYMENT_KIOSK', 'DISPATCH_KIOSK', 'TAXI_LOT_CAMERA'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE devices');
    await q.query('DROP TABLE refresh_tokens');
    await q.query('DROP TABLE users');
  }
}
