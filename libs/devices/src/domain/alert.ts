import type { TransitionReason } from './health-state';

/** Alert vocabulary of SPEC §5. */
export const ALERT_KINDS = ['OFFLINE', 'FAULT', 'DEGRADED', 'FLAPPING', 'FAILOVER', 'NO_STANDBY'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Kinds that follow from a device's own health (raised from transitions, resolved by recovery). */
export const HEALTH_ALERT_KINDS = ['OFFLINE', 'FAULT', 'DEGRADED'] as const satisfies readonly AlertKind[];

export const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * Why an alert is recorded but not notified: the device is in maintenance, or one of its
 * ancestors (parent, parent's parent, ...) is OFFLINE or in maintenance.
 */
export type Suppression = 'MAINTENANCE' | 'PARENT_OFFLINE' | 'PARENT_MAINTENANCE';

/**
 * How an alert was resolved: the device reported back (RECOVERED), a flapping episode settled
 * (STABLE), an admin closed it (ADMIN), the raiser cleared it (CLEARED, e.g. failback), or the
 * device was deleted (DEVICE_REMOVED).
 */
export type Resolution = 'RECOVERED' | 'STABLE' | 'ADMIN' | 'CLEARED' | 'DEVICE_REMOVED';

/** One alert, as persisted and published. Times are epoch ms. */
export interface Alert {
  readonly id: string;
  readonly deviceId: string;
  readonly kind: AlertKind;
  readonly severity: Severity;
  readonly status: AlertStatus;
  readonly openedAt: number;
  readonly lastOccurredAt: number;
  /** 1 at raise; +1 for every repeat raise while open (and every change folded into a FLAPPING alert). */
  readonly occurrences: number;
  /** The transition reason that raised it, when a transition did. */
  readonly reason?: TransitionReason;
  readonly detail?: string;
  readonly suppressed: boolean;
  readonly suppressedBy?: Suppression;
  /** Whether it has ever been published to operators; lifecycle actions of an alert never notified stay quiet. */
  readonly notified: boolean;
  readonly notifiedAt?: number;
  readonly escalated: boolean;
  readonly escalatedAt?: number;
  readonly acknowledgedBy?: string;
  readonly acknowledgedAt?: number;
  readonly note?: string;
  readonly resolvedAt?: number;
  /** Who resolved it, for ADMIN resolutions. */
  readonly resolvedBy?: string;
  readonly resolution?: Resolution;
}

/**
 * What the adapter does with an alert: persist `alert` (a snapshot) in every case, and publish on
 * `/topic/alerts` when `notify` is true.
 *  - RAISE: a new alert. REOCCUR: a repeat of an open one (occurrences + 1).
 *  - ESCALATE: still OPEN after ESCALATE_AFTER_S, re-notified once.
 *  - ACKNOWLEDGE / RESOLVE: lifecycle.
 *  - SUPPRESS: an open alert became explained by maintenance or a parent going down.
 *  - UNSUPPRESS: the explanation went away but the alert is still open; now notified.
 */
export const ALERT_ACTION_TYPES = ['RAISE', 'REOCCUR', 'ESCALATE', 'ACKNOWLEDGE', 'RESOLVE', 'SUPPRESS', 'UNSUPPRESS'] as const;
export type AlertActionType = (typeof ALERT_ACTION_TYPES)[number];

export interface AlertAction {
  readonly type: AlertActionType;
  readonly alert: Alert;
  readonly notify: boolean;
  readonly at: number;
}

export type AlertErrorCode = 'NOT_OPEN' | 'ALREADY_ACKNOWLEDGED';

/** A lifecycle request that does not fit the alert's state; the adapter maps it to 404/409. */
export class AlertLifecycleError extends Error {
  constructor(
    readonly code: AlertErrorCode,
    readonly alertId: string,
    message: string,
  ) {
    super(message);
    this.name = 'AlertLifecycleError';
  }
}
