/**
 * The topology document of PUT/GET /topology (SPEC §8): the whole airport's zones, lanes, bays,
 * devices and failover groups in one JSON object. Every top-level key is optional (an absent
 * key is an empty list). Unknown top-level keys are refused, except those of the bound
 * `TOPOLOGY_EXTENSIONS` (@landside/contracts): dispatch adds `stands` and `destinations`.
 *
 * Applying upserts every entity by id and leaves entities the document does not name alone
 * (no deletions: a partial document is safe). An entity in the document is its complete
 * configuration: an absent optional field takes its default (no parent, no lane, the type's
 * health settings, `{}` config), except the operational flags `closed` (zones) and
 * `maintenance` (devices), which keep their current value unless given.
 */
import type { DeviceType } from '@landside/contracts';
import type { JsonObject } from '../json';
import type { FailbackMode, FallbackCommand, LaneKind, ZoneKind } from '../registry-vocabulary';

export const TOPOLOGY_KEYS = ['zones', 'lanes', 'bays', 'devices', 'failoverGroups'] as const;
export type TopologyKey = (typeof TOPOLOGY_KEYS)[number];

export interface TopologyZone {
  readonly id: string;
  readonly name: string;
  readonly kind: ZoneKind;
  readonly parentId: string | null;
  /** Undefined: keep the current value (false for a new zone). */
  readonly closed: boolean | undefined;
}

export interface TopologyLane {
  readonly id: string;
  readonly zoneId: string;
  readonly kind: LaneKind;
  readonly name: string;
}

export interface TopologyBay {
  readonly id: string;
  readonly zoneId: string;
  readonly cameraId: string | null;
}

export interface TopologyDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly name: string;
  readonly zoneId: string;
  readonly laneId: string | null;
  readonly parentId: string | null;
  readonly heartbeatIntervalS: number | null;
  readonly missTolerance: number | null;
  /** Undefined: keep the current value (false for a new device). */
  readonly maintenance: boolean | undefined;
  readonly config: JsonObject;
  /** Sets the device's secret; undefined keeps it (a new device gets a generated one). */
  readonly secret: string | undefined;
}

export interface TopologyFailoverGroup {
  readonly id: string;
  readonly zoneId: string;
  readonly members: readonly string[];
  readonly failback: FailbackMode;
  readonly fallbackCommand: FallbackCommand | null;
}

export interface TopologyDocument {
  readonly zones: readonly TopologyZone[];
  readonly lanes: readonly TopologyLane[];
  readonly bays: readonly TopologyBay[];
  readonly devices: readonly TopologyDevice[];
  readonly failoverGroups: readonly TopologyFailoverGroup[];
}

/** One problem of a document, by JSON path (`devices[3].zoneId`; `$` is the document itself). */
export interface TopologyError {
  readonly path: string;
  readonly message: string;
}

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** PUT /topology's answer: what changed, and the secrets of devices created without one (shown once). */
export interface TopologyApplyResult {
  /** Per registry kind; per extension key its `{created, updated}`. */
  readonly applied: Readonly<Record<TopologyKey, KindCounts>> & { readonly [extensionKey: string]: { readonly created: number; readonly updated: number } };
  readonly secrets: Readonly<Record<string, string>>;
}

/** GET /topology: the document shape, fields at their defaults left out, never secrets; plus each extension's section. */
export type TopologyExport = RegistryTopologyExport & { readonly [extensionKey: string]: unknown };

export interface RegistryTopologyExport {
  readonly zones: ReadonlyArray<{ id: string; name: string; kind: ZoneKind; parentId?: string; closed?: true }>;
  readonly lanes: ReadonlyArray<{ id: string; zoneId: string; kind: LaneKind; name?: string }>;
  readonly bays: ReadonlyArray<{ id: string; zoneId: string; cameraId?: string }>;
  readonly devices: ReadonlyArray<{
    id: string;
    type: DeviceType;
    name?: string;
    zoneId?: string;
    laneId?: string;
    parentId?: string;
    heartbeatIntervalS?: number;
    missTolerance?: number;
    maintenance?: true;
    config?: JsonObject;
  }>;
  readonly failoverGroups: ReadonlyArray<{
    id: string;
    zoneId: string;
    members: readonly string[];
    failback: FailbackMode;
    fallbackCommand?: FallbackCommand;
  }>;
}
