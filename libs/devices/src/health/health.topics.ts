import type { DeviceStateChangedEvent, DeviceType } from '@landside/contracts';

export type { DeviceStateChangedEvent };
import type { AlertAction, Alert, Transition } from '../domain';

/**
 * What operators receive on `/topic/devices`, `/topic/zones/{zoneId}/devices` and `/topic/alerts`
 * (SPEC §4: each event body names its `kind`, the entity, and `at`).
 */

export function stateChangedEvent(t: Transition, deviceType: DeviceType | undefined, zoneId: string | undefined): DeviceStateChangedEvent {
  return { kind: 'device.state-changed', deviceId: t.deviceId, deviceType, zoneId, from: t.from, to: t.to, reason: t.reason, flapping: t.flapping, at: new Date(t.at).toISOString() };
}

const ALERT_EVENT_KIND = {
  RAISE: 'alert.raised',
  REOCCUR: 'alert.reoccurred',
  ESCALATE: 'alert.escalated',
  ACKNOWLEDGE: 'alert.acknowledged',
  RESOLVE: 'alert.resolved',
  SUPPRESS: 'alert.suppressed',
  UNSUPPRESS: 'alert.raised',
} as const satisfies Record<AlertAction['type'], string>;

export interface AlertView {
  readonly id: string;
  readonly deviceId: string;
  readonly deviceType?: DeviceType;
  readonly zoneId?: string;
  readonly kind: string;
  readonly severity: string;
  readonly state: string;
  readonly suppressed: boolean;
  readonly suppressedBy?: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly occurrences: number;
  readonly openedAt: string;
  readonly lastOccurredAt: string;
  readonly escalatedAt?: string;
  readonly acknowledgedBy?: string;
  readonly acknowledgedAt?: string;
  readonly note?: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  readonly resolution?: string;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export function alertView(a: Alert, zoneId?: string, deviceType?: DeviceType): AlertView {
  return {
    id: a.id,
    deviceId: a.deviceId,
    deviceType,
    zoneId,
    kind: a.kind,
    severity: a.severity,
    state: a.status,
    suppressed: a.suppressed,
    suppressedBy: a.suppressedBy,
    reason: a.reason,
    detail: a.detail,
    occurrences: a.occurrences,
    openedAt: new Date(a.openedAt).toISOString(),
    lastOccurredAt: new Date(a.lastOccurredAt).toISOString(),
    escalatedAt: iso(a.escalatedAt),
    acknowledgedBy: a.acknowledgedBy,
    acknowledgedAt: iso(a.acknowledgedAt),
    note: a.note,
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    resolution: a.resolution,
  };
}

export function alertEvent(action: AlertAction, zoneId: string | undefined, deviceType: DeviceType | undefined): { kind: string; alert: AlertView; at: string } {
  return { kind: ALERT_EVENT_KIND[action.type], alert: alertView(action.alert, zoneId, deviceType), at: new Date(action.at).toISOString() };
}
