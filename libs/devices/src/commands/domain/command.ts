import type { CommandType } from '@landside/contracts';
import { transition, type CommandStatus, type LifecycleEvent } from './command-lifecycle';

/** A command as stored (one `commands` row). */
export interface CommandRecord {
  readonly id: string;
  readonly deviceId: string;
  /** The device's zone when the command was issued (zone scoping of reads and the topic). */
  readonly zoneId: string | null;
  readonly type: CommandType;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: CommandStatus;
  readonly statusReason: string | null;
  readonly issuedBy: string;
  readonly issuedRole: string;
  readonly sourceAddress: string | null;
  readonly idempotencyKey: string | null;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The last time a session took it (a redelivery moves it). */
  readonly sentAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly completedAt: Date | null;
  readonly resultDetail: string | null;
  /** Delivery attempts so far. */
  readonly attempts: number;
}

/** A command as clients see it: REST bodies, STOMP replies and `/topic/commands` events. */
export interface CommandView {
  readonly id: string;
  readonly deviceId: string;
  readonly zoneId: string | null;
  readonly type: CommandType;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: CommandStatus;
  readonly statusReason: string | null;
  readonly issuedBy: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
  readonly completedAt: string | null;
  readonly resultDetail: string | null;
  readonly attempts: number;
}

export function toCommandView(c: CommandRecord): CommandView {
  return {
    id: c.id,
    deviceId: c.deviceId,
    zoneId: c.zoneId,
    type: c.type,
    params: c.params,
    status: c.status,
    statusReason: c.statusReason,
    issuedBy: c.issuedBy,
    issuedAt: c.issuedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    sentAt: iso(c.sentAt),
    deliveredAt: iso(c.deliveredAt),
    completedAt: iso(c.completedAt),
    resultDetail: c.resultDetail,
    attempts: c.attempts,
  };
}

/** The `MESSAGE` body a device receives on `/user/queue/commands` (SPEC §4). */
export interface DeviceCommandMessage {
  readonly commandId: string;
  readonly type: CommandType;
  readonly params: Readonly<Record<string, unknown>>;
  readonly issuedAt: string;
  readonly expiresAt: string;
}

export function toDeviceMessage(c: CommandRecord): DeviceCommandMessage {
  return { commandId: c.id, type: c.type, params: c.params, issuedAt: c.issuedAt.toISOString(), expiresAt: c.expiresAt.toISOString() };
}

/** Applies an event to a record in memory (the reference the SQL adapter must agree with). */
export function applyEvent(c: CommandRecord, event: LifecycleEvent, now: Date): CommandRecord {
  const decision = transition(c.status, event, now);
  if (!decision.ok) throw new Error(decision.reason);
  const change = decision.change;
  return {
    ...c,
    status: change.status,
    statusReason: change.statusReason,
    sentAt: change.sentAt ?? c.sentAt,
    deliveredAt: change.deliveredAt ?? c.deliveredAt,
    completedAt: change.completedAt ?? c.completedAt,
    resultDetail: change.resultDetail !== undefined ? change.resultDetail : c.resultDetail,
    attempts: change.incrementAttempts === true ? c.attempts + 1 : c.attempts,
  };
}

export function isExpired(c: Pick<CommandRecord, 'expiresAt'>, now: number): boolean {
  return c.expiresAt.getTime() <= now;
}

/** When a delivered command times out without a result; undefined when timeouts are off (0). */
export function resultDeadline(c: Pick<CommandRecord, 'deliveredAt'>, resultTimeoutMs: number): number | undefined {
  if (resultTimeoutMs <= 0 || c.deliveredAt === null) return undefined;
  return c.deliveredAt.getTime() + resultTimeoutMs;
}

/**
 * What recovery after a restart does with one unfinished command (SPEC §6: "nothing stays SENT
 * forever"): SENT goes back to QUEUED (no session of this process holds it now), a queued
 * command past its TTL expires, a delivered one past its result timeout times out, and the rest
 * get their timers again.
 */
export type RecoveryStep =
  | { readonly kind: 'event'; readonly event: LifecycleEvent }
  | { readonly kind: 'arm-expiry'; readonly at: number }
  | { readonly kind: 'arm-result-timeout'; readonly at: number };

export function recoveryPlan(c: CommandRecord, now: number, resultTimeoutMs: number): RecoveryStep[] {
  switch (c.status) {
    case 'SENT':
    case 'QUEUED': {
      const steps: RecoveryStep[] = c.status === 'SENT' ? [{ kind: 'event', event: { kind: 'restart' } }] : [];
      steps.push(isExpired(c, now) ? { kind: 'event', event: { kind: 'expire' } } : { kind: 'arm-expiry', at: c.expiresAt.getTime() });
      return steps;
    }
    case 'DELIVERED': {
      const deadline = resultDeadline(c, resultTimeoutMs);
      if (deadline === undefined) return [];
      return deadline <= now ? [{ kind: 'event', event: { kind: 'time-out' } }] : [{ kind: 'arm-result-timeout', at: deadline }];
    }
    case 'SUCCEEDED':
    case 'FAILED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'TIMED_OUT':
    case 'CANCELLED':
      return [];
  }
}

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}
