/**
 * The registry's fixed vocabularies (SPEC §5, §8) and its id rule. Pure: shared by DTOs, the
 * topology validator and the entities.
 */
import type { CommandType } from '@landside/contracts';
import type { JsonObject } from './json';

export const ZONE_KINDS = ['CAR_PARK', 'LEVEL', 'TAXI_STAND', 'AREA'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

export const LANE_KINDS = ['PARK_ENTRY', 'PARK_EXIT', 'LOT_ENTRY', 'LOT_EXIT', 'CURB', 'THROUGH'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];

export const DEVICE_STATES = ['UNKNOWN', 'ONLINE', 'DEGRADED', 'FAULT', 'OFFLINE', 'MAINTENANCE'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export const FAILBACK_MODES = ['AUTO', 'MANUAL'] as const;
export type FailbackMode = (typeof FAILBACK_MODES)[number];

/** What a failover group sends when no member is healthy (e.g. a gate to TICKET_MODE). */
export interface FallbackCommand {
  readonly type: CommandType;
  readonly params?: JsonObject;
}

/**
 * Ids of zones, lanes, bays, devices and failover groups: 1-64 characters, starting with a letter
 * or digit, then letters, digits, `_ . : -`. Zone and device ids appear in STOMP destinations
 * (`/topic/zones/{zoneId}/devices`) and as JWT subjects, so they must be valid path segments.
 */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const ENTITY_ID_RULE = "1-64 characters: letters, digits, '_', '.', ':', '-', starting with a letter or digit";

export const MAX_NAME_LENGTH = 128;
/** Bounds of per-device health overrides. */
export const HEARTBEAT_INTERVAL_RANGE_S = { min: 1, max: 3600 } as const;
export const MISS_TOLERANCE_RANGE = { min: 1, max: 100 } as const;
/** A secret an admin supplies (topology `secret`): long enough to resist guessing. */
export const SUPPLIED_SECRET_LENGTH = { min: 16, max: 256 } as const;
/** Failover groups are small: a primary and a few standbys. */
export const MAX_FAILOVER_MEMBERS = 32;
