/**
 * What the parking adapter consumes from the bus, typed here for the fields it reads. The device
 * ingress and health events come from `@landside/contracts`; the registry events are published
 * by libs/devices (registry-events.ts), which parking does not import (ARCHITECTURE.md: domain
 * libs talk through typed bus events): only the fields parking needs are declared, and every
 * payload is checked before use, because on Redis it is plain JSON from another process.
 */
import type { DeviceType } from '@landside/contracts';
import { CAMERA_STATES, LANE_KINDS, ZONE_KINDS, type CameraState, type LaneKind, type ZoneKind } from './domain';

/** Registry channels parking follows (libs/devices REGISTRY_EVENT_CHANNELS). */
export const REGISTRY_CHANNELS = {
  zoneChanged: 'zone.changed',
  deviceRegistered: 'device.registered',
  deviceUpdated: 'device.updated',
  deviceRemoved: 'device.removed',
} as const;

/** `zone.changed`: the zone view (flat), after commit. */
export interface RegistryZone {
  readonly id: string;
  readonly kind: ZoneKind;
  readonly parentId: string | null;
  readonly closed: boolean;
}

/** `device.registered` / `device.updated` / `device.removed`: the device view (flat), after commit. */
export interface RegistryDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly zoneId: string | null;
  readonly laneId: string | null;
  readonly disabled: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const optionalString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function asRegistryZone(v: unknown): RegistryZone | undefined {
  if (!isRecord(v) || typeof v['id'] !== 'string' || !isZoneKind(v['kind'])) return undefined;
  return { id: v['id'], kind: v['kind'], parentId: optionalString(v['parentId']), closed: v['closed'] === true };
}

export function asRegistryDevice(v: unknown): RegistryDevice | undefined {
  if (!isRecord(v) || typeof v['id'] !== 'string' || typeof v['type'] !== 'string') return undefined;
  return {
    id: v['id'],
    type: v['type'] as DeviceType,
    zoneId: optionalString(v['zoneId']),
    laneId: optionalString(v['laneId']),
    disabled: v['disabled'] === true,
  };
}

export function isZoneKind(v: unknown): v is ZoneKind {
  return typeof v === 'string' && (ZONE_KINDS as readonly string[]).includes(v);
}

export function isLaneKind(v: unknown): v is LaneKind {
  return typeof v === 'string' && (LANE_KINDS as readonly string[]).includes(v);
}

export function isCameraState(v: unknown): v is CameraState {
  return typeof v === 'string' && (CAMERA_STATES as readonly string[]).includes(v);
}

/** Epoch ms of an ISO text, or undefined. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}
