import type { HealthState } from '../domain';

/**
 * Failover groups (SPEC §5), as pure decisions. A group lists members in priority order; one is
 * active. When the active member goes OFFLINE or FAULT, the next healthy member (ONLINE or
 * DEGRADED: degraded still serves) is activated; with none healthy, the group's fallback command
 * is sent and NO_STANDBY raised. With AUTO failback the first member is reactivated once it has
 * been healthy for `stableS`; MANUAL groups stay on the standby until an admin changes them.
 *
 * The policy holds no timers: `evaluate(now)` is called on every member transition and at the
 * instant `nextCheckAt()` names.
 */
export interface FailoverGroupSpec {
  readonly id: string;
  readonly zoneId: string;
  readonly members: readonly string[];
  readonly failback: 'AUTO' | 'MANUAL';
  readonly fallbackCommand?: FallbackCommand | null;
}

export interface FallbackCommand {
  readonly type: string;
  readonly params?: Record<string, unknown>;
  /** Which device receives it; absent: every member of the group. */
  readonly deviceId?: string;
}

export type FailoverDecision =
  | { readonly kind: 'ACTIVATED'; readonly groupId: string; readonly from: string | null; readonly to: string; readonly reason: 'FAILOVER' | 'FAILBACK' | 'INITIAL' }
  | { readonly kind: 'NO_STANDBY'; readonly groupId: string; readonly failed: string; readonly fallback: FallbackCommand | null }
  | { readonly kind: 'RESTORED'; readonly groupId: string; readonly to: string };

export const HEALTHY: ReadonlySet<HealthState> = new Set<HealthState>(['ONLINE', 'DEGRADED']);
const FAILED: ReadonlySet<HealthState> = new Set<HealthState>(['OFFLINE', 'FAULT']);

export class FailoverGroup {
  private active: string | null;
  /** True while no member is healthy and the fallback is in force. */
  private exhausted = false;
  /** Since when the preferred (first) member has been continuously healthy. */
  private preferredHealthySince: number | undefined;

  constructor(
    readonly spec: FailoverGroupSpec,
    activeMember: string | null,
    private readonly stableS: number,
  ) {
    this.active = activeMember !== null && spec.members.includes(activeMember) ? activeMember : null;
  }

  get activeMember(): string | null {
    return this.active;
  }

  get noStandby(): boolean {
    return this.exhausted;
  }

  /** Re-evaluates the group against current member states. */
  evaluate(stateOf: (deviceId: string) => HealthState | undefined, now: number): FailoverDecision[] {
    const members = this.spec.members;
    const preferred = members[0]!;
    const healthy = (id: string): boolean => HEALTHY.has(stateOf(id) ?? 'UNKNOWN');
    const failed = (id: string): boolean => FAILED.has(stateOf(id) ?? 'UNKNOWN');
    const decisions: FailoverDecision[] = [];

    this.preferredHealthySince = healthy(preferred) ? (this.preferredHealthySince ?? now) : undefined;

    if (this.active === null) {
      // First evaluation (or after reconfiguration): the first healthy member by priority.
      const first = members.find(healthy);
      if (first !== undefined) {
        this.active = first;
        decisions.push({ kind: 'ACTIVATED', groupId: this.spec.id, from: null, to: first, reason: 'INITIAL' });
      }
      return decisions;
    }

    if (failed(this.active) || (this.exhausted && !healthy(this.active))) {
      const next = members.find((id) => id !== this.active && healthy(id));
      if (next !== undefined) {
        const from = this.active;
        this.active = next;
        this.exhausted = false;
        decisions.push({ kind: 'ACTIVATED', groupId: this.spec.id, from, to: next, reason: 'FAILOVER' });
      } else if (!this.exhausted) {
        this.exhausted = true;
        decisions.push({ kind: 'NO_STANDBY', groupId: this.spec.id, failed: this.active, fallback: this.spec.fallbackCommand ?? null });
      }
      return decisions;
    }

    if (this.exhausted && healthy(this.active)) {
      this.exhausted = false;
      decisions.push({ kind: 'RESTORED', groupId: this.spec.id, to: this.active });
    }

    if (
      this.spec.failback === 'AUTO' &&
      this.active !== preferred &&
      this.preferredHealthySince !== undefined &&
      now - this.preferredHealthySince >= this.stableS * 1000
    ) {
      const from = this.active;
      this.active = preferred;
      decisions.push({ kind: 'ACTIVATED', groupId: this.spec.id, from, to: preferred, reason: 'FAILBACK' });
    }
    return decisions;
  }

  /** When the group wants to be evaluated again without a transition (AUTO failback). */
  nextCheckAt(): number | undefined {
    if (this.spec.failback !== 'AUTO' || this.active === this.spec.members[0] || this.preferredHealthySince === undefined) return undefined;
    return this.preferredHealthySince + this.stableS * 1000;
  }
}
