/**
 * What applying a (checked) document changes, pure: per kind, the rows to write (new or
 * different from the database, parents before children) and the ids created, updated and left
 * unchanged. Unchanged rows are not written, so re-applying a document touches nothing.
 */
import type { DeviceType } from '@landside/contracts';
import type { BayEntity } from '../entities/bay.entity';
import type { DeviceEntity } from '../entities/device.entity';
import type { FailoverGroupEntity } from '../entities/failover-group.entity';
import type { LaneEntity } from '../entities/lane.entity';
import type { ZoneEntity } from '../entities/zone.entity';
import type { JsonObject } from '../json';
import type { FailbackMode, FallbackCommand, LaneKind, ZoneKind } from '../registry-vocabulary';
import type { KindCounts, TopologyDocument } from './topology-document';

export interface CurrentRows {
  readonly zones: ReadonlyMap<string, ZoneEntity>;
  readonly lanes: ReadonlyMap<string, LaneEntity>;
  readonly bays: ReadonlyMap<string, BayEntity>;
  readonly devices: ReadonlyMap<string, DeviceEntity>;
  readonly failoverGroups: ReadonlyMap<string, FailoverGroupEntity>;
}

export interface ZoneRow {
  readonly id: string;
  readonly name: string;
  readonly kind: ZoneKind;
  readonly parentId: string | null;
  readonly closed: boolean;
}
export interface LaneRow {
  readonly id: string;
  readonly zoneId: string;
  readonly kind: LaneKind;
  readonly name: string;
}
export interface BayRow {
  readonly id: string;
  readonly zoneId: string;
  readonly cameraId: string | null;
}
export interface DeviceRow {
  readonly id: string;
  readonly type: DeviceType;
  readonly name: string;
  readonly zoneId: string;
  readonly laneId: string | null;
  readonly parentId: string | null;
  readonly heartbeatIntervalS: number | null;
  readonly missTolerance: number | null;
  readonly maintenance: boolean;
  readonly config: JsonObject;
  readonly secretHash: string;
}
export interface FailoverGroupRow {
  readonly id: string;
  readonly zoneId: string;
  readonly members: readonly string[];
  readonly failback: FailbackMode;
  readonly fallbackCommand: FallbackCommand | null;
}

export interface KindPlan<R> {
  /** New and changed rows, parents first where the kind has parents. */
  readonly write: readonly R[];
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: number;
}

export interface TopologyPlan {
  readonly zones: KindPlan<ZoneRow>;
  readonly lanes: KindPlan<LaneRow>;
  readonly bays: KindPlan<BayRow>;
  readonly devices: KindPlan<DeviceRow>;
  readonly failoverGroups: KindPlan<FailoverGroupRow>;
}

/**
 * `secretHashes` holds the hash to store for every document device that has no current row or
 * whose document entry gives a `secret`; other devices keep their current hash.
 */
export function planTopology(doc: TopologyDocument, current: CurrentRows, secretHashes: ReadonlyMap<string, string>): TopologyPlan {
  const zones = plan(
    doc.zones.map((z): ZoneRow => ({ id: z.id, name: z.name, kind: z.kind, parentId: z.parentId, closed: z.closed ?? current.zones.get(z.id)?.closed ?? false })),
    current.zones,
    (r, c) => r.name === c.name && r.kind === c.kind && r.parentId === c.parentId && r.closed === c.closed,
  );
  const lanes = plan(
    doc.lanes.map((l): LaneRow => ({ id: l.id, zoneId: l.zoneId, kind: l.kind, name: l.name })),
    current.lanes,
    (r, c) => r.zoneId === c.zoneId && r.kind === c.kind && r.name === c.name,
  );
  const bays = plan(
    doc.bays.map((b): BayRow => ({ id: b.id, zoneId: b.zoneId, cameraId: b.cameraId })),
    current.bays,
    (r, c) => r.zoneId === c.zoneId && r.cameraId === c.cameraId,
  );
  const devices = plan(
    doc.devices.map((d): DeviceRow => {
      const existing = current.devices.get(d.id);
      const secretHash = secretHashes.get(d.id) ?? existing?.secretHash;
      if (secretHash === undefined) throw new Error(`topology plan: no secret hash for new device '${d.id}'`);
      return {
        id: d.id,
        type: d.type,
        name: d.name,
        zoneId: d.zoneId,
        laneId: d.laneId,
        parentId: d.parentId,
        heartbeatIntervalS: d.heartbeatIntervalS,
        missTolerance: d.missTolerance,
        maintenance: d.maintenance ?? existing?.maintenance ?? false,
        config: d.config,
        secretHash,
      };
    }),
    current.devices,
    (r, c) =>
      r.type === c.type &&
      r.name === c.name &&
      r.zoneId === c.zoneId &&
      r.laneId === c.laneId &&
      r.parentId === c.parentId &&
      r.heartbeatIntervalS === c.heartbeatIntervalS &&
      r.missTolerance === c.missTolerance &&
      r.maintenance === c.maintenance &&
      sameJson(r.config, c.config) &&
      r.secretHash === c.secretHash,
  );
  const failoverGroups = plan(
    doc.failoverGroups.map((g): FailoverGroupRow => ({
      id: g.id,
      zoneId: g.zoneId,
      members: g.members,
      failback: g.failback,
      fallbackCommand: g.fallbackCommand,
    })),
    current.failoverGroups,
    (r, c) =>
      r.zoneId === c.zoneId &&
      r.failback === c.failback &&
      r.members.length === c.members.length &&
      r.members.every((m, i) => m === c.members[i]) &&
      sameJson(r.fallbackCommand, c.fallbackCommand),
  );
  return {
    zones: { ...zones, write: parentsFirst(zones.write) },
    lanes,
    bays,
    devices: { ...devices, write: parentsFirst(devices.write) },
    failoverGroups,
  };
}

export function counts(p: KindPlan<unknown>): KindCounts {
  return { created: p.created.length, updated: p.updated.length, unchanged: p.unchanged };
}

function plan<R extends { readonly id: string }, C>(rows: readonly R[], current: ReadonlyMap<string, C>, same: (row: R, current: C) => boolean): KindPlan<R> {
  const write: R[] = [];
  const created: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  for (const row of rows) {
    const existing = current.get(row.id);
    if (existing === undefined) {
      created.push(row.id);
      write.push(row);
    } else if (!same(row, existing)) {
      updated.push(row.id);
      write.push(row);
    } else {
      unchanged += 1;
    }
  }
  return { write, created, updated, unchanged };
}

/** Orders rows so that a row's parent, when also written, comes before it (the document has no cycles). */
function parentsFirst<R extends { readonly id: string; readonly parentId: string | null }>(rows: readonly R[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const placed = new Set<string>();
  const out: R[] = [];
  for (const row of rows) {
    const chain: R[] = [];
    let current: R | undefined = row;
    while (current !== undefined && !placed.has(current.id)) {
      chain.push(current);
      placed.add(current.id);
      current = current.parentId === null ? undefined : byId.get(current.parentId);
    }
    out.push(...chain.reverse());
  }
  return out;
}

/** JSON equality that ignores object key order (jsonb does not keep it). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
