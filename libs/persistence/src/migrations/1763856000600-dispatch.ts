/**
 * Taxi dispatch (SPEC §7). One row per stand holds the whole stand as a JSON snapshot
 * (`dispatch_stands.state`, the pure domain's StandState) with a version, and the plates it holds
 * (taxis at the stand, holders of near-trip claims) as arrays to find them by: every input locks that
 * row (SELECT ... FOR UPDATE), so the inputs of one stand are applied one at a time across any
 * number of dispatch processes. `dispatch_matches` is the belt to those braces: partial unique
 * indexes allow one ACTIVE match per plate and per (stand, ticket), so a double assignment is
 * refused by the database even if the code were wrong. `taxis` is the registry of taxis,
 * `dispatch_destinations` the destination -> region table, `dispatch_tickets` who asked for each
 * ticket (to notify the kiosk), `dispatch_inputs` the keys of bus inputs already applied (every
 * process receives every bus message; only the first applies it).
 * Lists of kinds and states are written out: a shipped migration must not follow code changes.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Dispatch1763856000600 implements MigrationInterface {
  readonly name = 'Dispatch1763856000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dispatch_stands (
        zone_id            text        PRIMARY KEY REFERENCES zones (id) ON DELETE RESTRICT,
        config             jsonb       NOT NULL,
        state              jsonb       NOT NULL,
        version            bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
        last_input_at      timestamptz NULL,
        next_deadline      timestamptz NULL,
        no_shows_taxi      bigint      NOT NULL DEFAULT 0 CHECK (no_shows_taxi >= 0),
        no_shows_passenger bigint      NOT NULL DEFAULT 0 CHECK (no_shows_passenger >= 0),
        plates             text[]      NOT NULL DEFAULT '{}',
        claim_plates       text[]      NOT NULL DEFAULT '{}',
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    // Rewritten on every input: spare the compression (CPU on each write and read) for a few KB of disk.
    await q.query(`ALTER TABLE dispatch_stands ALTER COLUMN state SET STORAGE EXTERNAL`);
    await q.query(`CREATE INDEX dispatch_stands_deadline_idx ON dispatch_stands (next_deadline) WHERE next_deadline IS NOT NULL`);
    // Which stands hold a plate (at lot entry, ban), without reading every snapshot.
    await q.query(`CREATE INDEX dispatch_stands_plates_idx ON dispatch_stands USING gin (plates)`);

    await q.query(`
      CREATE TABLE taxis (
        plate          text        PRIMARY KEY,
        licence_region text        NOT NULL,
        vehicle_class  text        NOT NULL CHECK (vehicle_class IN ('STANDARD', 'LARGE', 'PREMIUM', 'ACCESSIBLE')),
        banned         boolean     NOT NULL DEFAULT false,
        banned_at      timestamptz NULL,
        banned_by      text        NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT taxis_plate_check CHECK (plate <> ''),
        CONSTRAINT taxis_licence_region_check CHECK (licence_region <> '')
      )`);

    await q.query(`
      CREATE TABLE dispatch_destinations (
        name         text    PRIMARY KEY,
        display_name text    NOT NULL,
        region       text    NOT NULL,
        near         boolean NOT NULL DEFAULT false,
        CONSTRAINT dispatch_destinations_name_check CHECK (name <> ''),
        CONSTRAINT dispatch_destinations_region_check CHECK (region <> '')
      )`);

    await q.query(`
      CREATE TABLE dispatch_tickets (
        zone_id           text        NOT NULL REFERENCES dispatch_stands (zone_id) ON DELETE CASCADE,
        ticket            text        NOT NULL,
        requested_by      text        NOT NULL,
        requested_by_role text        NOT NULL,
        destination       text        NOT NULL,
        vehicle_class     text        NOT NULL CHECK (vehicle_class IN ('STANDARD', 'LARGE', 'PREMIUM', 'ACCESSIBLE')),
        party_size        integer     NOT NULL CHECK (party_size >= 1),
        created_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zone_id, ticket)
      )`);

    await q.query(`
      CREATE TABLE dispatch_matches (
        id             text             PRIMARY KEY,
        zone_id        text             NOT NULL REFERENCES dispatch_stands (zone_id) ON DELETE CASCADE,
        plate          text             NOT NULL,
        ticket         text             NOT NULL,
        queue          text             NOT NULL,
        taxi_queue     text             NOT NULL,
        vehicle_class  text             NOT NULL CHECK (vehicle_class IN ('STANDARD', 'LARGE', 'PREMIUM', 'ACCESSIBLE')),
        status         text             NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'COMPLETED', 'RELEASED')),
        matched_at     timestamptz      NOT NULL,
        ended_at       timestamptz      NULL,
        release_reason text             NULL CHECK (release_reason IS NULL OR release_reason IN ('TAXI_NO_SHOW', 'PASSENGER_NO_SHOW')),
        trip_ended_at  timestamptz      NULL,
        distance_km    double precision NULL CHECK (distance_km IS NULL OR distance_km >= 0),
        CONSTRAINT dispatch_matches_ended_check CHECK ((status = 'ACTIVE') = (ended_at IS NULL)),
        CONSTRAINT dispatch_matches_released_check CHECK ((status = 'RELEASED') = (release_reason IS NOT NULL))
      )`);
    // SPEC §7: no taxi and no passenger is ever matched twice, whatever races.
    await q.query(`CREATE UNIQUE INDEX dispatch_matches_active_plate_idx ON dispatch_matches (plate) WHERE status = 'ACTIVE'`);
    await q.query(`CREATE UNIQUE INDEX dispatch_matches_active_ticket_idx ON dispatch_matches (zone_id, ticket) WHERE status = 'ACTIVE'`);
    await q.query(`CREATE INDEX dispatch_matches_zone_idx ON dispatch_matches (zone_id, matched_at DESC)`);
    await q.query(`CREATE INDEX dispatch_matches_plate_idx ON dispatch_matches (plate, matched_at DESC)`);

    await q.query(`
      CREATE TABLE dispatch_inputs (
        key     text        PRIMARY KEY,
        zone_id text        NULL,
        at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dispatch_inputs_at_idx ON dispatch_inputs (at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dispatch_inputs`);
    await q.query(`DROP TABLE dispatch_matches`);
    await q.query(`DROP TABLE dispatch_tickets`);
    await q.query(`DROP TABLE dispatch_destinations`);
    await q.query(`DROP TABLE taxis`);
    await q.query(`DROP TABLE dispatch_stands`);
  }
}
