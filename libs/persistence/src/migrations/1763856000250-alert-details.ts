/**
 * What the alert engine knows of an alert beyond the control migration's columns: the transition
 * reason that raised it, a detail text, what suppresses it, and when operators were first told
 * (an alert recorded while suppressed has not been notified yet).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AlertDetails1763856000250 implements MigrationInterface {
  readonly name = 'AlertDetails1763856000250';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE alerts
        ADD COLUMN reason        text        NULL,
        ADD COLUMN suppressed_by text        NULL CHECK (suppressed_by IS NULL OR suppressed_by IN ('MAINTENANCE', 'PARENT_OFFLINE', 'PARENT_MAINTENANCE')),
        ADD COLUMN notified_at   timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alerts DROP COLUMN reason, DROP COLUMN suppressed_by, DROP COLUMN notified_at`);
  }
}
