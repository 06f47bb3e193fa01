/**
 * Shape checks of a topology document, pure. Every problem is reported by JSON path; an entry
 * with problems is still returned (with placeholder values and the failed fields listed in
 * `invalid`) so the reference checks can report what else is wrong with it.
 */
import { COMMAND_TYPES, DEVICE_TYPES, type CommandType } from '@landside/contracts';
import {
  ENTITY_ID_PATTERN,
  ENTITY_ID_RULE,
  FAILBACK_MODES,
  HEARTBEAT_INTERVAL_RANGE_S,
  LANE_KINDS,
  MAX_FAILOVER_MEMBERS,
  MAX_NAME_LENGTH,
  MISS_TOLERANCE_RANGE,
  SUPPLIED_SECRET_LENGTH,
  ZONE_KINDS,
  type FallbackCommand,
} from '../registry-vocabulary';
import {
  TOPOLOGY_KEYS,
  type TopologyBay,
  type TopologyDevice,
  type TopologyError,
  type TopologyFailoverGroup,
  type TopologyLane,
  type TopologyZone,
} from './topology-document';
import { isJsonObject, type JsonObject } from '../json';

/** An entry of the document: its position, its value, and which of its fields failed. */
export interface Parsed<T> {
  readonly index: number;
  readonly path: string;
  readonly value: T;
  readonly invalid: ReadonlySet<string>;
}

export interface ParsedTopology {
  readonly zones: ReadonlyArray<Parsed<TopologyZone>>;
  readonly lanes: ReadonlyArray<Parsed<TopologyLane>>;
  readonly bays: ReadonlyArray<Parsed<TopologyBay>>;
  readonly devices: ReadonlyArray<Parsed<TopologyDevice>>;
  readonly failoverGroups: ReadonlyArray<Parsed<TopologyFailoverGroup>>;
  readonly errors: readonly TopologyError[];
}

/** Per list; a bound on the work one request can cause (the body size limit comes first). */
export const MAX_ENTRIES_PER_LIST = 100_000;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

/** Reads one entry's fields, recording each problem under the entry's path. */
class EntryReader {
  readonly invalid = new Set<string>();

  constructor(
    private readonly obj: Json,
    private readonly path: string,
    private readonly errors: TopologyError[],
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) this.fail(key, 'unknown field');
  }

  fail(key: string, message: string): void {
    this.invalid.add(key);
    this.errors.push({ path: `${this.path}.${key}`, message });
  }

  private present(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  id(key: string): string {
    if (!this.present(key)) {
      this.fail(key, 'is required');
      return '';
    }
    return this.idValue(key, this.obj[key]);
  }

  optionalId(key: string): string | null {
    return this.present(key) ? this.idValue(key, this.obj[key]) : null;
  }

  private idValue(key: string, value: unknown): string {
    if (typeof value !== 'string' || !ENTITY_ID_PATTERN.test(value)) {
      this.fail(key, `must be an id: ${ENTITY_ID_RULE}`);
      return '';
    }
    return value;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback?: T): T {
    const value = this.obj[key];
    if (!this.present(key) && fallback !== undefined) return fallback;
    if (!this.present(key)) {
      this.fail(key, 'is required');
      return values[0]!;
    }
    const found = values.find((v) => v === value);
    if (found === undefined) {
      this.fail(key, `unknown value ${quote(value)}; one of ${values.join(', ')}`);
      return values[0]!;
    }
    return found;
  }

  name(key: string): string {
    if (!this.present(key)) return '';
    const value = this.obj[key];
    if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) {
      this.fail(key, `must be a string of at most ${MAX_NAME_LENGTH} characters`);
      return '';
    }
    return value;
  }

  optionalInt(key: string, range: { readonly min: number; readonly max: number }): number | null {
    if (!this.present(key)) return null;
    const value = this.obj[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      this.fail(key, `must be an integer from ${range.min} to ${range.max}`);
      return null;
    }
    return value;
  }

  optionalBool(key: string): boolean | undefined {
    if (!this.present(key)) return undefined;
    const value = this.obj[key];
    if (typeof value !== 'boolean') {
      this.fail(key, 'must be true or false');
      return undefined;
    }
    return value;
  }

  object(key: string): JsonObject {
    if (!this.present(key)) return {};
    const value = this.obj[key];
    if (!isJsonObject(value)) {
      this.fail(key, 'must be a JSON object');
      return {};
    }
    return value;
  }

  secret(key: string): string | undefined {
    if (!this.present(key)) return undefined;
    const value = this.obj[key];
    if (typeof value !== 'string' || value.length < SUPPLIED_SECRET_LENGTH.min || value.length > SUPPLIED_SECRET_LENGTH.max) {
      this.fail(key, `must be a string of ${SUPPLIED_SECRET_LENGTH.min} to ${SUPPLIED_SECRET_LENGTH.max} characters`);
      return undefined;
    }
    return value;
  }

  members(key: string): string[] {
    const value = this.obj[key];
    if (!Array.isArray(value) || value.length < 1 || value.length > MAX_FAILOVER_MEMBERS) {
      this.fail(key, `must be a list of 1 to ${MAX_FAILOVER_MEMBERS} device ids`);
      return [];
    }
    // Same length and positions as the input, so later checks report `members[i]` of the document;
    // an entry that failed here is '' and listed in `invalid`.
    const seen = new Set<string>();
    const members = value.map((m: unknown, i): string => {
      if (typeof m !== 'string' || !ENTITY_ID_PATTERN.test(m)) {
        this.fail(`${key}[${i}]`, `must be a device id: ${ENTITY_ID_RULE}`);
        return '';
      }
      if (seen.has(m)) this.fail(`${key}[${i}]`, `device '${m}' is listed twice`);
      seen.add(m);
      return m;
    });
    return members;
  }

  fallbackCommand(key: string): FallbackCommand | null {
    if (!this.present(key)) return null;
    const value = this.obj[key];
    if (!isObject(value)) {
      this.fail(key, 'must be a JSON object {type, params?}');
      return null;
    }
    let ok = true;
    for (const k of Object.keys(value)) {
      if (k !== 'type' && k !== 'params') {
        this.fail(`${key}.${k}`, 'unknown field');
        ok = false;
      }
    }
    const type = COMMAND_TYPES.find((t): t is CommandType => t === value['type']);
    if (type === undefined) {
      this.fail(`${key}.type`, `unknown command type ${quote(value['type'])}; one of ${COMMAND_TYPES.join(', ')}`);
      ok = false;
    }
    const params = value['params'];
    if (params !== undefined && params !== null && !isJsonObject(params)) {
      this.fail(`${key}.params`, 'must be a JSON object');
      ok = false;
    }
    return ok && type !== undefined ? { type, params: isJsonObject(params) ? params : {} } : null;
  }
}

/** `extensionKeys`: the top-level keys of bound `TopologyExtension`s (their sections are checked by them). */
export function parseTopology(body: unknown, extensionKeys: readonly string[] = []): ParsedTopology {
  const allowedKeys = [...TOPOLOGY_KEYS, ...extensionKeys];
  const errors: TopologyError[] = [];
  const empty: ParsedTopology = { zones: [], lanes: [], bays: [], devices: [], failoverGroups: [], errors };
  if (!isObject(body)) {
    errors.push({ path: '$', message: `the document must be a JSON object with ${allowedKeys.join(', ')}` });
    return empty;
  }
  for (const key of Object.keys(body)) {
    if (!(allowedKeys as readonly string[]).includes(key)) {
      errors.push({ path: key, message: `unknown top-level key; allowed: ${allowedKeys.join(', ')}` });
    }
  }
  const list = <T>(key: (typeof TOPOLOGY_KEYS)[number], allowed: readonly string[], read: (r: EntryReader) => T): Array<Parsed<T>> => {
    const value = body[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      errors.push({ path: key, message: 'must be a list' });
      return [];
    }
    if (value.length > MAX_ENTRIES_PER_LIST) {
      errors.push({ path: key, message: `at most ${MAX_ENTRIES_PER_LIST} entries per list` });
      return [];
    }
    return value.flatMap((entry: unknown, index): Array<Parsed<T>> => {
      const path = `${key}[${index}]`;
      if (!isObject(entry)) {
        errors.push({ path, message: 'must be a JSON object' });
        return [];
      }
      const reader = new EntryReader(entry, path, errors, allowed);
      const parsed = read(reader);
      return [{ index, path, value: parsed, invalid: reader.invalid }];
    });
  };

  const zones = list('zones', ['id', 'name', 'kind', 'parentId', 'closed'], (r): TopologyZone => ({
    id: r.id('id'),
    name: r.name('name'),
    kind: r.oneOf('kind', ZONE_KINDS),
    parentId: r.optionalId('parentId'),
    closed: r.optionalBool('closed'),
  }));
  const lanes = list('lanes', ['id', 'zoneId', 'kind', 'name'], (r): TopologyLane => ({
    id: r.id('id'),
    zoneId: r.id('zoneId'),
    kind: r.oneOf('kind', LANE_KINDS),
    name: r.name('name'),
  }));
  const bays = list('bays', ['id', 'zoneId', 'cameraId'], (r): TopologyBay => ({
    id: r.id('id'),
    zoneId: r.id('zoneId'),
    cameraId: r.optionalId('cameraId'),
  }));
  const devices = list(
    'devices',
    ['id', 'type', 'name', 'zoneId', 'laneId', 'parentId', 'heartbeatIntervalS', 'missTolerance', 'maintenance', 'config', 'secret'],
    (r): TopologyDevice => ({
      id: r.id('id'),
      type: r.oneOf('type', DEVICE_TYPES),
      name: r.name('name'),
      zoneId: r.id('zoneId'),
      laneId: r.optionalId('laneId'),
      parentId: r.optionalId('parentId'),
      heartbeatIntervalS: r.optionalInt('heartbeatIntervalS', HEARTBEAT_INTERVAL_RANGE_S),
      missTolerance: r.optionalInt('missTolerance', MISS_TOLERANCE_RANGE),
      maintenance: r.optionalBool('maintenance'),
      config: r.object('config'),
      secret: r.secret('secret'),
    }),
  );
  const failoverGroups = list('failoverGroups', ['id', 'zoneId', 'members', 'failback', 'fallbackCommand'], (r): TopologyFailoverGroup => ({
    id: r.id('id'),
    zoneId: r.id('zoneId'),
    members: r.members('members'),
    failback: r.oneOf('failback', FAILBACK_MODES, 'MANUAL'),
    fallbackCommand: r.fallbackCommand('fallbackCommand'),
  }));
  return { zones, lanes, bays, devices, failoverGroups, errors };
}
