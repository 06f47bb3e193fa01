import type { FailoverGroupEntity } from '../entities/failover-group.entity';
import type { FailbackMode, FallbackCommand } from '../registry-vocabulary';

export interface FailoverGroupView {
  readonly id: string;
  readonly zoneId: string;
  /** Device ids in priority order: the first is the primary. */
  readonly members: readonly string[];
  readonly failback: FailbackMode;
  readonly fallbackCommand: FallbackCommand | null;
  /** Which member the failover engine has active (null before it decided). */
  readonly activeMember: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toFailoverGroupView(g: FailoverGroupEntity): FailoverGroupView {
  return {
    id: g.id,
    zoneId: g.zoneId,
    members: g.members,
    failback: g.failback,
    fallbackCommand: g.fallbackCommand,
    activeMember: g.activeMember,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}
