/**
 * The command lifecycle (SPEC §6) as a pure state machine:
 *
 *   QUEUED --send--> SENT --ack--> DELIVERED --result--> SUCCEEDED | FAILED | REJECTED
 *     ^               |                  \--time-out--> TIMED_OUT
 *     +--lose/nack/restart--+
 *   QUEUED | SENT --expire--> EXPIRED        (TTL passed before delivery)
 *   QUEUED | SENT --cancel/supersede--> CANCELLED   (admin, or a newer DISPLAY_MESSAGE)
 *
 * - DELIVERED only on the device's ACK, never on send.
 * - A lost delivery (the session closed, or no session took the message) and a NACK return the
 *   command to QUEUED for redelivery with the same id; so does a restart (nothing stays SENT).
 * - A result while SENT is accepted: the device evidently has the command (its ACK may still be
 *   in flight, or it subscribed with `ack:auto`), so it completes without passing DELIVERED —
 *   `deliveredAt` stays null, DELIVERED still means "ACKed".
 *
 * The adapter persists a transition as `UPDATE ... WHERE status = ANY(sourcesOf(event))` with
 * the change from `changeFor(event)`, so of two concurrent transitions exactly one wins.
 */
import type { CommandOutcome } from '@landside/contracts';

export const COMMAND_STATUSES = [
  'QUEUED',
  'SENT',
  'DELIVERED',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'TIMED_OUT',
  'CANCELLED',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const FINAL_STATUSES: readonly CommandStatus[] = Object.freeze(['SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'TIMED_OUT', 'CANCELLED']);
/** Not yet delivered: may still expire or be cancelled. */
export const UNDELIVERED_STATUSES: readonly CommandStatus[] = Object.freeze(['QUEUED', 'SENT']);
export const OPEN_STATUSES: readonly CommandStatus[] = Object.freeze(['QUEUED', 'SENT', 'DELIVERED']);

export function isFinal(status: CommandStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** `statusReason` values: why a command is where it is (null when the status says it all). */
export const STATUS_REASONS = {
  lost: 'DELIVERY_LOST',
  nacked: 'NACKED',
  restart: 'RESTART',
  expired: 'TTL_EXPIRED',
  noResult: 'NO_RESULT',
  cancelled: 'ADMIN',
  superseded: 'SUPERSEDED',
} as const;

export type LifecycleEvent =
  /** A session took the message. */
  | { readonly kind: 'send' }
  /** The device ACKed it. */
  | { readonly kind: 'ack' }
  /** The session closed before the ACK, or no session took it. */
  | { readonly kind: 'lose' }
  | { readonly kind: 'nack' }
  /** Recovery after a restart: no session of this process holds it any more. */
  | { readonly kind: 'restart' }
  | { readonly kind: 'result'; readonly outcome: CommandOutcome; readonly detail?: string }
  | { readonly kind: 'expire' }
  | { readonly kind: 'time-out' }
  | { readonly kind: 'cancel'; readonly note?: string }
  /** A newer DISPLAY_MESSAGE to the same device replaced this undelivered one. */
  | { readonly kind: 'supersede'; readonly by: string };

export type LifecycleEventKind = LifecycleEvent['kind'];

export const LIFECYCLE_EVENT_KINDS: readonly LifecycleEventKind[] = Object.freeze([
  'send',
  'ack',
  'lose',
  'nack',
  'restart',
  'result',
  'expire',
  'time-out',
  'cancel',
  'supersede',
]);

const SOURCES: Readonly<Record<LifecycleEventKind, readonly CommandStatus[]>> = Object.freeze({
  send: ['QUEUED'],
  ack: ['SENT'],
  lose: ['SENT'],
  nack: ['SENT'],
  restart: ['SENT'],
  result: ['SENT', 'DELIVERED'],
  expire: ['QUEUED', 'SENT'],
  'time-out': ['DELIVERED'],
  cancel: ['QUEUED', 'SENT'],
  supersede: ['QUEUED', 'SENT'],
});

/** The statuses an event may leave from: the `WHERE status = ANY(...)` of its UPDATE. */
export function sourcesOf(kind: LifecycleEventKind): readonly CommandStatus[] {
  return SOURCES[kind];
}

/** What a transition writes. Timestamps not named are left as they are. */
export interface CommandChange {
  readonly status: CommandStatus;
  readonly statusReason: string | null;
  readonly sentAt?: Date;
  readonly deliveredAt?: Date;
  readonly completedAt?: Date;
  readonly resultDetail?: string | null;
  /** `send` counts delivery attempts; the attempt number tells one delivery's hooks from the next. */
  readonly incrementAttempts?: boolean;
}

export function changeFor(event: LifecycleEvent, now: Date): CommandChange {
  switch (event.kind) {
    case 'send':
      return { status: 'SENT', statusReason: null, sentAt: now, incrementAttempts: true };
    case 'ack':
      return { status: 'DELIVERED', statusReason: null, deliveredAt: now };
    case 'lose':
      return { status: 'QUEUED', statusReason: STATUS_REASONS.lost };
    case 'nack':
      return { status: 'QUEUED', statusReason: STATUS_REASONS.nacked };
    case 'restart':
      return { status: 'QUEUED', statusReason: STATUS_REASONS.restart };
    case 'result':
      return { status: event.outcome, statusReason: null, completedAt: now, resultDetail: event.detail ?? null };
    case 'expire':
      return { status: 'EXPIRED', statusReason: STATUS_REASONS.expired, completedAt: now };
    case 'time-out':
      return { status: 'TIMED_OUT', statusReason: STATUS_REASONS.noResult, completedAt: now };
    case 'cancel':
      return { status: 'CANCELLED', statusReason: STATUS_REASONS.cancelled, completedAt: now, resultDetail: event.note ?? null };
    case 'supersede':
      return { status: 'CANCELLED', statusReason: STATUS_REASONS.superseded, completedAt: now, resultDetail: `superseded by ${event.by}` };
  }
}

export type TransitionDecision =
  | { readonly ok: true; readonly change: CommandChange }
  | { readonly ok: false; readonly reason: string };

/** Whether `event` may happen to a command in `status`, and what it changes. */
export function transition(status: CommandStatus, event: LifecycleEvent, now: Date): TransitionDecision {
  if (!sourcesOf(event.kind).includes(status)) {
    return { ok: false, reason: `${event.kind} is not allowed from ${status} (only from ${sourcesOf(event.kind).join(', ')})` };
  }
  return { ok: true, change: changeFor(event, now) };
}
