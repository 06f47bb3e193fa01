export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthModuleOptions {
  /** A disconnected device not back within this is OFFLINE (reason DISCONNECTED). */
  readonly disconnectGraceS: number;
  /** An alert still OPEN this long is escalated once and re-notified. */
  readonly escalateAfterS: number;
  /** AUTO failback: the preferred member must be healthy this long first. */
  readonly failbackStableS: number;
  /** How often `last_seen_at` is written (in bulk). */
  readonly lastSeenFlushS: number;
}
