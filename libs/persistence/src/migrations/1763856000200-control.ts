/**
 * The control service's schema (SPEC §5, §6, §8): topology (zones, lanes, bays, the device
 * columns the auth migration left out), state transitions, alerts with at most one open alert per
 * (device, kind) enforced by a partial unique index, failover groups, commands with idempotency
 * keys unique per principal, and the append-only audit log (a trigger refuses UPDATE and DELETE).
 * Lists of kinds and states are written out: a shipped migration must not follow code changes.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Control1763856000200 implements MigrationInterface {
  readonly name = 'Control1763856000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE zones (
        id         text        PRIMARY KEY,
        name       text        NOT NULL,
        kind       text        NOT NULL,
        parent_id  text        NULL REFERENCES zones (id) ON DELETE RESTRICT,
        closed     boolean     NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT zones_id_check CHECK (id <> ''),
        CONSTRAINT zones_kind_check CHECK (kind IN ('CAR_PARK', 'LEVEL', 'TAXI_STAND', 'AREA')),
        CONSTRAINT zones_parent_check CHECK (parent_id IS NULL OR parent_id <> id)
      )`);
    await q.query(`CREATE INDEX zones_parent_idx ON zones (parent_id)`);
    await q.query(`
      CREATE TABLE lanes (
        id         text        PRIMARY KEY,
        zone_id    text        NOT NULL REFERENCES zones (id) ON DELETE RESTRICT,
        kind       text        NOT NULL,
        name       text        NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT lanes_id_check CHECK (id <> ''),
        CONSTRAINT lanes_kind_check CHECK (kind IN ('PARK_ENTRY', 'PARK_EXIT', 'LOT_ENTRY', 'LOT_EXIT', 'CURB', 'THROUGH'))
      )`);
    await q.query(`CREATE INDEX lanes_zone_idx ON lanes (zone_id)`);
    await q.query(`
      CREATE TABLE bays (
        id         text        PRIMARY KEY,
        zone_id    text        NOT NULL REFERENCES zones (id) ON DELETE RESTRICT,
        camera_id  text        NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bays_id_check CHECK (id <> '')
      )`);
    await q.query(`CREATE INDEX bays_zone_idx ON bays (zone_id)`);

    await q.query(`
      ALTER TABLE devices
        ADD COLUMN lane_id              text        NULL REFERENCES lanes (id) ON DELETE SET NULL,
        ADD COLUMN parent_id            text        NULL REFERENCES devices (id) ON DELETE SET NULL,
        ADD COLUMN heartbeat_interval_s integer     NULL CHECK (heartbeat_interval_s IS NULL OR heartbeat_interval_s > 0),
        ADD COLUMN miss_tolerance       integer     NULL CHECK (miss_tolerance IS NULL OR miss_tolerance > 0),
        ADD COLUMN maintenance          boolean     NOT NULL DEFAULT false,
        ADD COLUMN config               jsonb       NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN state                text        NOT NULL DEFAULT 'UNKNOWN'
          CHECK (state IN ('UNKNOWN', 'ONLINE', 'DEGRADED', 'FAULT', 'OFFLINE', 'MAINTENANCE')),
        ADD COLUMN state_reason         text        NULL,
        ADD COLUMN state_since          timestamptz NULL,
        ADD COLUMN flapping             boolean     NOT NULL DEFAULT false,
        ADD COLUMN last_seen_at         timestamptz NULL,
        ADD CONSTRAINT devices_zone_fk FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE RESTRICT,
        ADD CONSTRAINT devices_parent_check CHECK (parent_id IS NULL OR parent_id <> id)`);
    await q.query(`CREATE INDEX devices_zone_idx ON devices (zone_id)`);
    await q.query(`CREATE INDEX devices_parent_idx ON devices (parent_id)`);

    await q.query(`
      CREATE TABLE device_transitions (
        id         bigserial   PRIMARY KEY,
        device_id  text        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        from_state text        NOT NULL,
        to_state   text        NOT NULL,
        reason     text        NOT NULL,
        flapping   boolean     NOT NULL DEFAULT false,
        at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX device_transitions_device_at_idx ON device_transitions (device_id, at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE alerts (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        device_id        text        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        zone_id          text        NULL,
        kind             text        NOT NULL CHECK (kind IN ('OFFLINE', 'FAULT', 'DEGRADED', 'FLAPPING', 'FAILOVER', 'NO_STANDBY')),
        severity         text        NOT NULL CHECK (severity IN ('CRITICAL', 'MAJOR', 'MINOR')),
        state            text        NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'ACKNOWLEDGED', 'RESOLVED')),
        suppressed       boolean     NOT NULL DEFAULT false,
        message          text        NOT NULL DEFAULT '',
        occurrences      integer     NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
        opened_at        timestamptz NOT NULL,
        last_occurred_at timestamptz NOT NULL,
        escalated_at     timestamptz NULL,
        acknowledged_by  text        NULL,
        acknowledged_at  timestamptz NULL,
        ack_note         text        NULL,
        resolved_by      text        NULL,
        resolved_at      timestamptz NULL,
        resolution       text        NULL
      )`);
    // SPEC §5: at most one open (not yet resolved) alert per (device, kind), whatever races.
    await q.query(`CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (device_id, kind) WHERE state <> 'RESOLVED'`);
    await q.query(`CREATE INDEX alerts_state_opened_idx ON alerts (state, opened_at DESC, id)`);

    await q.query(`
      CREATE TABLE failover_groups (
        id               text        PRIMARY KEY,
        zone_id          text        NOT NULL REFERENCES zones (id) ON DELETE RESTRICT,
        members          text[]      NOT NULL CHECK (cardinality(members) >= 1),
        failback         text        NOT NULL DEFAULT 'MANUAL' CHECK (failback IN ('AUTO', 'MANUAL')),
        fallback_command jsonb       NULL,
        active_member    text        NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT failover_groups_id_check CHECK (id <> '')
      )`);

    await q.query(`
      CREATE TABLE commands (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        device_id       text        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        zone_id         text        NULL,
        type            text        NOT NULL,
        params          jsonb       NOT NULL DEFAULT '{}'::jsonb,
        status          text        NOT NULL DEFAULT 'QUEUED' CHECK (status IN
                          ('QUEUED', 'SENT', 'DELIVERED', 'SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'TIMED_OUT', 'CANCELLED')),
        status_reason   text        NULL,
        issued_by       text        NOT NULL,
        issued_role     text        NOT NULL,
        source_address  text        NULL,
        idempotency_key text        NULL,
        issued_at       timestamptz NOT NULL DEFAULT now(),
        expires_at      timestamptz NOT NULL,
        sent_at         timestamptz NULL,
        delivered_at    timestamptz NULL,
        completed_at    timestamptz NULL,
        result_detail   text        NULL,
        attempts        integer     NOT NULL DEFAULT 0
      )`);
    // SPEC §6: the same idempotencyKey from the same principal returns the existing command.
    await q.query(`CREATE UNIQUE INDEX commands_idempotency_idx ON commands (issued_by, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX commands_device_status_idx ON commands (device_id, status, issued_at)`);
    await q.query(`CREATE INDEX commands_status_idx ON commands (status, issued_at DESC, id)`);

    await q.query(`
      CREATE TABLE audit_log (
        id             bigserial   PRIMARY KEY,
        at             timestamptz NOT NULL DEFAULT now(),
        actor          text        NOT NULL,
        role           text        NOT NULL,
        action         text        NOT NULL,
        target         text        NULL,
        source_address text        NULL,
        outcome        text        NOT NULL,
        details        jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE commands`);
    await q.query(`DROP TABLE failover_groups`);
    await q.query(`DROP TABLE alerts`);
    await q.query(`DROP TABLE device_transitions`);
    await q.query(`
      ALTER TABLE devices
        DROP CONSTRAINT devices_zone_fk,
        DROP COLUMN lane_id, DROP COLUMN parent_id, DROP COLUMN heartbeat_interval_s,
        DROP COLUMN miss_tolerance, DROP COLUMN maintenance, DROP COLUMN config, DROP COLUMN state,
        DROP COLUMN state_reason, DROP COLUMN state_since, DROP COLUMN flapping, DROP COLUMN last_seen_at`);
    await q.query(`DROP INDEX IF EXISTS devices_zone_idx`);
    await q.query(`DROP TABLE bays`);
    await q.query(`DROP TABLE lanes`);
    await q.query(`DROP TABLE zones`);
  }
}
