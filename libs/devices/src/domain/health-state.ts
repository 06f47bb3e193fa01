/**
 * The health vocabulary of SPEC §5: states, the reasons a transition names, and the events the
 * tracker emits. Pure data; the tracker and the alert engine both speak it.
 */

export const HEALTH_STATES = ['UNKNOWN', 'ONLINE', 'DEGRADED', 'FAULT', 'OFFLINE', 'MAINTENANCE'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export const TRANSITION_REASONS = [
  'HEARTBEAT_MISSED',
  'DISCONNECTED',
  'REPORTED_FAULT',
  'REPORTED_DEGRADED',
  'RECOVERED',
  'MAINTENANCE',
  'RESTART_GRACE',
] as const;
export type TransitionReason = (typeof TRANSITION_REASONS)[number];

/** The `status` of an application heartbeat (`/app/heartbeat`, SPEC §4). */
export const HEARTBEAT_STATUSES = ['OK', 'DEGRADED', 'FAULT'] as const;
export type HeartbeatStatus = (typeof HEARTBEAT_STATUSES)[number];

/** One state change of one device. `at` is epoch ms: the instant the change became true. */
export interface Transition {
  readonly type: 'TRANSITION';
  readonly deviceId: string;
  readonly from: HealthState;
  readonly to: HealthState;
  readonly reason: TransitionReason;
  readonly at: number;
  /** The device is in a flapping episode after this change (SPEC §5: > 4 changes in 60 s). */
  readonly flapping: boolean;
}

/**
 * Start or end of a flapping episode. Separate from transitions because an episode ends on
 * silence (no change for the window), when there is no transition to carry it. `state` is the
 * device's state at that instant, so the alert engine can tell what it settled on.
 */
export interface FlappingSignal {
  readonly type: 'FLAPPING_STARTED' | 'FLAPPING_ENDED';
  readonly deviceId: string;
  readonly at: number;
  readonly state: HealthState;
}

/** Everything the tracker reports; every tracker call returns these, in time order per device. */
export type HealthEvent = Transition | FlappingSignal;

/** What an OK/DEGRADED/FAULT heartbeat means for the state, and the reason it names. */
export const HEARTBEAT_OUTCOME: Readonly<Record<HeartbeatStatus, { state: HealthState; reason: TransitionReason }>> = {
  // RECOVERED names every move to ONLINE, including the first heartbeat of a never-heard device:
  // "the device reports healthy". SPEC §5 has no separate "first seen" reason.
  OK: { state: 'ONLINE', reason: 'RECOVERED' },
  DEGRADED: { state: 'DEGRADED', reason: 'REPORTED_DEGRADED' },
  FAULT: { state: 'FAULT', reason: 'REPORTED_FAULT' },
};

/** States a device is in because of its own reports or silence (not an admin, not "never heard"). */
export function isReportedState(state: HealthState): boolean {
  return state === 'ONLINE' || state === 'DEGRADED' || state === 'FAULT';
}

/**
 * The transitions the tracker may produce; anything else is a bug. Used by tests and available
 * to adapters that want to assert on restored data.
 *  - heartbeats move any non-MAINTENANCE state to ONLINE/DEGRADED/FAULT with their reason;
 *  - OFFLINE comes from silence (HEARTBEAT_MISSED, or RESTART_GRACE when never heard since a
 *    restart) or a lost transport (DISCONNECTED), never from MAINTENANCE or OFFLINE;
 *  - MAINTENANCE is entered and left only with reason MAINTENANCE, and left only to UNKNOWN;
 *  - a restart resets a live tracker's devices to UNKNOWN with reason RESTART_GRACE.
 */
export function isAllowedTransition(from: HealthState, to: HealthState, reason: TransitionReason): boolean {
  if (from === to) return false;
  switch (to) {
    case 'ONLINE':
      return reason === 'RECOVERED' && from !== 'MAINTENANCE';
    case 'DEGRADED':
      return reason === 'REPORTED_DEGRADED' && from !== 'MAINTENANCE';
    case 'FAULT':
      return reason === 'REPORTED_FAULT' && from !== 'MAINTENANCE';
    case 'OFFLINE':
      if (from === 'MAINTENANCE') return false;
      if (reason === 'RESTART_GRACE') return from === 'UNKNOWN';
      return reason === 'HEARTBEAT_MISSED' || reason === 'DISCONNECTED';
    case 'MAINTENANCE':
      return reason === 'MAINTENANCE';
    case 'UNKNOWN':
      if (from === 'MAINTENANCE') return reason === 'MAINTENANCE';
      return reason === 'RESTART_GRACE';
  }
}
