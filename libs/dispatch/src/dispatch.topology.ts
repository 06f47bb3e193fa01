/**
 * Dispatch's sections of the topology document (`PUT/GET /api/topology`, SPEC §8), bound to the
 * registry's `TOPOLOGY_EXTENSIONS` port: `stands` (as `POST`/`PATCH /dispatch/stands`) and
 * `destinations` (as `PUT /dispatch/destinations`: the section replaces the table). Applied in the
 * registry's transaction, after its zones are written.
 */
import type { EntityManager } from 'typeorm';
import type { TopologyExtension, TopologyExtensionContext, TopologyExtensionError } from '@landside/contracts';
import {
  DISPATCH_MODES,
  DestinationTable,
  DispatchError,
  destinationKey,
  normalizeRegion,
  validateConfig,
  type StandConfig,
  type StandConfigInput,
} from './domain';
import type { DispatchRepository } from './dispatch.repository';
import type { DispatchService } from './dispatch.service';

const MAX_STANDS = 10_000;
const MAX_DESTINATIONS = 10_000;
const MAX_REGIONS = 32;
const MAX_REGION_LENGTH = 32;
const STAND_FIELDS = ['zoneId', 'mode', 'regions', 'curbTarget', 'nearQueue', 'priorityWindowMin', 'nearDistanceKm'];
const DESTINATION_FIELDS = ['name', 'region', 'near'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const given = (o: Json, k: string): boolean => o[k] !== undefined && o[k] !== null;
const isNumberIn = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** The entries of a list section, each with its path; problems of the list itself reported. */
function entries(section: unknown, key: string, max: number, errors: TopologyExtensionError[]): Array<{ path: string; entry: Json }> {
  if (!Array.isArray(section)) {
    errors.push({ path: key, message: 'must be a list' });
    return [];
  }
  if (section.length > max) {
    errors.push({ path: key, message: `at most ${max} entries` });
    return [];
  }
  return section.flatMap((entry: unknown, i) => {
    const path = `${key}[${i}]`;
    if (!isObject(entry)) {
      errors.push({ path, message: 'must be a JSON object' });
      return [];
    }
    return [{ path, entry }];
  });
}

function unknownFields(entry: Json, path: string, allowed: readonly string[], errors: TopologyExtensionError[]): void {
  for (const k of Object.keys(entry)) if (!allowed.includes(k)) errors.push({ path: `${path}.${k}`, message: 'unknown field' });
}

function toStandInput(e: Json): StandConfigInput {
  return {
    zoneId: e['zoneId'] as string,
    mode: e['mode'] as StandConfigInput['mode'],
    regions: e['regions'] as string[],
    curbTarget: e['curbTarget'] as number,
    ...(given(e, 'nearQueue') ? { nearQueue: e['nearQueue'] as boolean } : {}),
    ...(given(e, 'priorityWindowMin') ? { priorityWindowMin: e['priorityWindowMin'] as number } : {}),
    ...(given(e, 'nearDistanceKm') ? { nearDistanceKm: e['nearDistanceKm'] as number } : {}),
  };
}

/** `stands`: `[{zoneId, mode, regions, curbTarget, nearQueue?, priorityWindowMin?, nearDistanceKm?}]`, zone a TAXI_STAND. */
export class StandsTopologyExtension implements TopologyExtension {
  readonly key = 'stands';

  constructor(private readonly service: DispatchService) {}

  validate(section: unknown, ctx: TopologyExtensionContext): TopologyExtensionError[] {
    const errors: TopologyExtensionError[] = [];
    const seen = new Map<string, string>();
    for (const { path, entry } of entries(section, this.key, MAX_STANDS, errors)) {
      const before = errors.length;
      const fail = (field: string, message: string): void => {
        errors.push({ path: `${path}.${field}`, message });
      };
      unknownFields(entry, path, STAND_FIELDS, errors);
      const zoneId = entry['zoneId'];
      if (typeof zoneId !== 'string' || zoneId.length < 1 || zoneId.length > 64) fail('zoneId', 'must be a zone id (1 to 64 characters)');
      else {
        const kind = ctx.zoneKinds.get(zoneId);
        if (kind === undefined) fail('zoneId', `zone '${zoneId}' not in document or database`);
        else if (kind !== 'TAXI_STAND') fail('zoneId', `zone '${zoneId}' is a ${kind}, not a TAXI_STAND`);
        const first = seen.get(zoneId);
        if (first !== undefined) fail('zoneId', `zone '${zoneId}' already has a stand at ${first}`);
        else seen.set(zoneId, path);
      }
      if (!(DISPATCH_MODES as readonly unknown[]).includes(entry['mode'])) fail('mode', `must be one of ${DISPATCH_MODES.join(', ')}`);
      const regions = entry['regions'];
      if (!Array.isArray(regions) || regions.length > MAX_REGIONS || regions.some((r) => typeof r !== 'string' || r.length < 1 || r.length > MAX_REGION_LENGTH)) {
        fail('regions', `must be a list of at most ${MAX_REGIONS} region names (1 to ${MAX_REGION_LENGTH} characters)`);
      }
      const curbTarget = entry['curbTarget'];
      if (typeof curbTarget !== 'number' || !Number.isInteger(curbTarget) || curbTarget < 1 || curbTarget > 100) fail('curbTarget', 'must be an integer from 1 to 100');
      if (given(entry, 'nearQueue') && typeof entry['nearQueue'] !== 'boolean') fail('nearQueue', 'must be true or false');
      if (given(entry, 'priorityWindowMin') && !isNumberIn(entry['priorityWindowMin'], 1, 7 * 24 * 60)) fail('priorityWindowMin', `must be a number from 1 to ${7 * 24 * 60}`);
      if (given(entry, 'nearDistanceKm') && !isNumberIn(entry['nearDistanceKm'], 0, 1000)) fail('nearDistanceKm', 'must be a number from 0 to 1000');
      if (errors.length > before) continue;
      try {
        validateConfig(toStandInput(entry));
      } catch (error) {
        if (!(error instanceof DispatchError)) throw error;
        const fields = error.details['fields'];
        if (isObject(fields)) for (const [field, messages] of Object.entries(fields)) fail(field, Array.isArray(messages) ? messages.join('; ') : String(messages));
        else errors.push({ path, message: error.message });
      }
    }
    return errors;
  }

  async apply(em: EntityManager, section: unknown, _at: number): Promise<{ created: number; updated: number; unchanged: number }> {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (const { entry } of entries(section, this.key, MAX_STANDS, [])) {
      counts[await this.service.configureStandIn(em, toStandInput(entry))] += 1;
    }
    return counts;
  }

  async export(em: EntityManager): Promise<StandConfig[]> {
    const rows: Array<{ config: StandConfig }> = await em.query(`SELECT config FROM dispatch_stands ORDER BY zone_id`);
    return rows.map((r) => r.config);
  }
}

/** `destinations`: `[{name, region, near?}]`, replacing the destination -> region table. */
export class DestinationsTopologyExtension implements TopologyExtension {
  readonly key = 'destinations';

  constructor(private readonly repo: DispatchRepository) {}

  validate(section: unknown): TopologyExtensionError[] {
    const errors: TopologyExtensionError[] = [];
    const seen = new Map<string, string>();
    for (const { path, entry } of entries(section, this.key, MAX_DESTINATIONS, errors)) {
      unknownFields(entry, path, DESTINATION_FIELDS, errors);
      const name = entry['name'];
      if (typeof name !== 'string' || name.length > 128 || destinationKey(name) === '') errors.push({ path: `${path}.name`, message: 'is required: a name of 1 to 128 characters' });
      else {
        const first = seen.get(destinationKey(name));
        if (first !== undefined) errors.push({ path: `${path}.name`, message: `destination '${name}' is listed twice (first at ${first})` });
        else seen.set(destinationKey(name), path);
      }
      const region = entry['region'];
      if (typeof region !== 'string' || region.length > MAX_REGION_LENGTH || normalizeRegion(region) === '') {
        errors.push({ path: `${path}.region`, message: `is required: a region of 1 to ${MAX_REGION_LENGTH} characters` });
      }
      if (given(entry, 'near') && typeof entry['near'] !== 'boolean') errors.push({ path: `${path}.near`, message: 'must be true or false' });
    }
    return errors;
  }

  async apply(em: EntityManager, section: unknown, _at: number): Promise<{ created: number; updated: number; unchanged: number }> {
    const table = new DestinationTable(
      entries(section, this.key, MAX_DESTINATIONS, []).map(({ entry }) => ({
        destination: entry['name'] as string,
        region: entry['region'] as string,
        near: entry['near'] === true,
      })),
    );
    const resolved = table.entries();
    const rows: Array<{ name: string; display_name: string; region: string; near: boolean }> = await em.query(
      `SELECT name, display_name, region, near FROM dispatch_destinations`,
    );
    const current = new Map(rows.map((r) => [r.name, r]));
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (const d of resolved) {
      const before = current.get(destinationKey(d.destination));
      if (before === undefined) counts.created += 1;
      else if (before.display_name !== d.destination || before.region !== d.region || before.near !== d.near) counts.updated += 1;
      else counts.unchanged += 1;
    }
    if (counts.created > 0 || counts.updated > 0 || current.size !== resolved.length) await this.repo.replaceDestinations(em, resolved);
    return counts;
  }

  async export(em: EntityManager): Promise<Array<{ name: string; region: string; near?: true }>> {
    const rows: Array<{ display_name: string; region: string; near: boolean }> = await em.query(
      `SELECT display_name, region, near FROM dispatch_destinations ORDER BY name`,
    );
    return rows.map((r) => ({ name: r.display_name, region: r.region, ...(r.near ? { near: true as const } : {}) }));
  }
}

export function dispatchTopologyExtensions(service: DispatchService, repo: DispatchRepository): TopologyExtension[] {
  return [new StandsTopologyExtension(service), new DestinationsTopologyExtension(repo)];
}
