import { Logger } from '@nestjs/common';
import type { AlertAction, AlertEngine, HealthState, Transition } from '../domain';
import { FailoverGroup, type FailoverDecision, type StoredGroup } from '../failover';
import type { FailoverCommands } from '../failover/failover.ports';

/**
 * Runs the failover groups against the health tracker's view (SPEC §5): re-evaluates the groups
 * of every member whose state changed, and at AUTO-failback instants; turns decisions into
 * ACTIVATE/DEACTIVATE and fallback commands, FAILOVER/NO_STANDBY alerts, the stored active
 * member and `/topic/failovers` events.
 */
export interface FailoverEvent {
  readonly kind: 'failover.activated' | 'failover.failback' | 'failover.no-standby' | 'failover.restored';
  readonly groupId: string;
  readonly zoneId: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string;
  readonly at: string;
}

export interface FailoverEffects {
  stateOf(deviceId: string): HealthState | undefined;
  alerts(actions: AlertAction[]): void;
  publish(event: FailoverEvent): void;
  setActive(groupId: string, member: string | null): Promise<void>;
}

export class FailoverCoordinator {
  private readonly logger = new Logger('Failover');
  private readonly groups = new Map<string, FailoverGroup>();
  private readonly byMember = new Map<string, Set<string>>();

  constructor(
    private readonly engine: AlertEngine,
    private readonly effects: FailoverEffects,
    private readonly commands: FailoverCommands | undefined,
    private readonly stableS: number,
  ) {}

  load(groups: readonly StoredGroup[]): void {
    for (const g of groups) this.upsert(g);
  }

  upsert(stored: StoredGroup): void {
    this.remove(stored.id);
    const group = new FailoverGroup(stored, stored.activeMember, this.stableS);
    this.groups.set(stored.id, group);
    for (const member of stored.members) {
      let set = this.byMember.get(member);
      if (!set) this.byMember.set(member, (set = new Set()));
      set.add(stored.id);
    }
  }

  remove(groupId: string): void {
    const existing = this.groups.get(groupId);
    if (!existing) return;
    this.groups.delete(groupId);
    for (const member of existing.spec.members) this.byMember.get(member)?.delete(groupId);
  }

  /** Groups touched by these transitions are re-evaluated. */
  onTransitions(transitions: readonly Transition[], now: number): void {
    const touched = new Set<string>();
    for (const t of transitions) for (const id of this.byMember.get(t.deviceId) ?? []) touched.add(id);
    for (const id of touched) this.evaluate(id, now);
  }

  /** Evaluates groups whose AUTO-failback instant has come. */
  tick(now: number): void {
    for (const [id, group] of this.groups) {
      const at = group.nextCheckAt();
      if (at !== undefined && at <= now) this.evaluate(id, now);
    }
  }

  next(): number | undefined {
    let next: number | undefined;
    for (const group of this.groups.values()) {
      const at = group.nextCheckAt();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  evaluate(groupId: string, now: number): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    for (const decision of group.evaluate((id) => this.effects.stateOf(id), now)) this.apply(group, decision, now);
  }

  private apply(group: FailoverGroup, d: FailoverDecision, now: number): void {
    const zoneId = group.spec.zoneId;
    const at = new Date(now).toISOString();
    switch (d.kind) {
      case 'ACTIVATED': {
        void this.persistActive(d.groupId, d.to);
        this.command(d.to, 'ACTIVATE', { groupId: d.groupId }, `failover group ${d.groupId}: ${d.reason}`);
        if (d.from !== null) this.command(d.from, 'DEACTIVATE', { groupId: d.groupId }, `failover group ${d.groupId}: ${d.reason}`);
        if (d.reason === 'FAILOVER' && d.from !== null) {
          this.effects.alerts(this.engine.raise(d.from, 'FAILOVER', now, `group ${d.groupId}: ${d.from} -> ${d.to}`));
          this.effects.alerts(this.engine.clear(d.from, 'NO_STANDBY', now));
        }
        if (d.reason === 'FAILBACK') {
          for (const member of group.spec.members) this.effects.alerts(this.engine.clear(member, 'FAILOVER', now));
        }
        this.effects.publish({
          kind: d.reason === 'FAILBACK' ? 'failover.failback' : 'failover.activated',
          groupId: d.groupId,
          zoneId,
          from: d.from,
          to: d.to,
          reason: d.reason,
          at,
        });
        return;
      }
      case 'NO_STANDBY': {
        const fallback = d.fallback;
        if (fallback) {
          const targets = fallback.deviceId ? [fallback.deviceId] : group.spec.members;
          for (const target of targets) this.command(target, fallback.type, fallback.params ?? {}, `failover group ${d.groupId}: no standby`);
        }
        this.effects.alerts(this.engine.raise(d.failed, 'NO_STANDBY', now, `group ${d.groupId}: no healthy member`));
        this.effects.publish({ kind: 'failover.no-standby', groupId: d.groupId, zoneId, from: d.failed, to: null, reason: 'NO_STANDBY', at });
        return;
      }
      case 'RESTORED':
        this.effects.alerts(this.engine.clear(d.to, 'NO_STANDBY', now));
        this.effects.publish({ kind: 'failover.restored', groupId: d.groupId, zoneId, from: null, to: d.to, reason: 'RESTORED', at });
        return;
    }
  }

  private command(deviceId: string, type: string, params: Record<string, unknown>, reason: string): void {
    if (!this.commands) {
      this.logger.warn(`no command service bound: ${type} to ${deviceId} not sent (${reason})`);
      return;
    }
    this.commands.issue(deviceId, type, params, reason).catch((error: unknown) => {
      this.logger.error(`${type} to ${deviceId} (${reason}) failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async persistActive(groupId: string, member: string | null): Promise<void> {
    try {
      await this.effects.setActive(groupId, member);
    } catch (error) {
      this.logger.error(`storing active member of ${groupId} failed: ${String(error)}`);
    }
  }
}
