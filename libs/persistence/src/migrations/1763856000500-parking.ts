/**
 * Parking (SPEC §5b): the last known state of every bay (what it counts as, the last reported
 * value and the plate read in it, so a restart restores counts and find-my-car), parking sessions
 * with at most one OPEN session per plate (partial unique index), and the flagged reads and
 * exceptions the session matcher refuses to match silently (low confidence, unreadable plate,
 * exit without entry, duplicate entry). Lists of kinds and states are written out: a shipped
 * migration must not follow code changes.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Parking1763856000500 implements MigrationInterface {
  readonly name = 'Parking1763856000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bay_states (
        bay_id      text        PRIMARY KEY REFERENCES bays (id) ON DELETE CASCADE,
        status      text        NOT NULL DEFAULT 'UNKNOWN' CHECK (status IN ('OCCUPIED', 'FREE', 'UNKNOWN')),
        occupied    boolean     NULL,
        plate       text        NULL,
        since       timestamptz NULL,
        reported_at timestamptz NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX bay_states_plate_idx ON bay_states (plate) WHERE plate IS NOT NULL`);

    await q.query(`
      CREATE TABLE parking_sessions (
        id               uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
        plate            text             NOT NULL,
        raw_plate        text             NOT NULL,
        status           text             NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CLOSED')),
        review           boolean          NOT NULL DEFAULT false,
        entry_at         timestamptz      NOT NULL,
        entry_lane_id    text             NOT NULL,
        entry_device_id  text             NULL,
        entry_confidence double precision NOT NULL,
        exit_at          timestamptz      NULL,
        exit_lane_id     text             NULL,
        exit_device_id   text             NULL,
        exit_confidence  double precision NULL,
        duration_s       integer          NULL CHECK (duration_s IS NULL OR duration_s >= 0),
        closed_by        text             NULL CHECK (closed_by IS NULL OR closed_by IN ('EXIT_READ', 'OPERATOR', 'DUPLICATE_ENTRY')),
        closed_by_user   text             NULL,
        created_at       timestamptz      NOT NULL DEFAULT now(),
        updated_at       timestamptz      NOT NULL DEFAULT now(),
        CONSTRAINT parking_sessions_plate_check CHECK (plate <> ''),
        CONSTRAINT parking_sessions_closed_check CHECK ((status = 'OPEN') = (closed_by IS NULL))
      )`);
    // SPEC §5b: one open session per plate, whatever races.
    await q.query(`CREATE UNIQUE INDEX parking_sessions_one_open_idx ON parking_sessions (plate) WHERE status = 'OPEN'`);
    await q.query(`CREATE INDEX parking_sessions_entry_idx ON parking_sessions (entry_at DESC, id DESC)`);
    await q.query(`CREATE INDEX parking_sessions_plate_idx ON parking_sessions (plate, entry_at DESC)`);

    await q.query(`
      CREATE TABLE parking_exceptions (
        id                   bigserial        PRIMARY KEY,
        kind                 text             NOT NULL CHECK (kind IN ('FLAGGED_READ', 'EXIT_WITHOUT_ENTRY', 'DUPLICATE_ENTRY')),
        reason               text             NULL CHECK (reason IS NULL OR reason IN ('LOW_CONFIDENCE', 'UNREADABLE_PLATE')),
        direction            text             NOT NULL CHECK (direction IN ('ENTRY', 'EXIT')),
        plate                text             NOT NULL,
        raw_plate            text             NOT NULL,
        lane_id              text             NOT NULL,
        device_id            text             NULL,
        confidence           double precision NULL,
        session_id           uuid             NULL,
        candidate_session_id uuid             NULL,
        at                   timestamptz      NOT NULL,
        created_at           timestamptz      NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX parking_exceptions_at_idx ON parking_exceptions (at DESC, id DESC)`);
    await q.query(`CREATE INDEX parking_exceptions_plate_idx ON parking_exceptions (plate, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE parking_exceptions`);
    await q.query(`DROP TABLE parking_sessions`);
    await q.query(`DROP TABLE bay_states`);
  }
}
