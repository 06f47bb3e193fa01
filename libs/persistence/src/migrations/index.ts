/**
 * Every schema migration, oldest first. Migrations are plain SQL in TypeORM migration classes
 * (synchronize is off everywhere), one per file named `<unix-ms>-<name>.ts` with the class named
 * `<Name><unix-ms>`. To add one: create the file with a timestamp later than the last entry and
 * append its class here. Never edit a migration that has shipped; write a new one.
 * Use gen_random_uuid() for uuid defaults (built in; no extensions are installed).
 */
import type { MigrationInterface } from 'typeorm';
import { Init1763856000000 } from './1763856000000-init';
import { Auth1763856000100 } from './1763856000100-auth';
import { Control1763856000200 } from './1763856000200-control';
import { AlertDetails1763856000250 } from './1763856000250-alert-details';
import { Parking1763856000500 } from './1763856000500-parking';
import { Dispatch1763856000600 } from './1763856000600-dispatch';
import { BusInputClaims1763856000700 } from './1763856000700-bus-input-claims';

export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Init1763856000000,
  Auth1763856000100,
  Control1763856000200,
  AlertDetails1763856000250,
  Parking1763856000500,
  Dispatch1763856000600,
  BusInputClaims1763856000700,
];
