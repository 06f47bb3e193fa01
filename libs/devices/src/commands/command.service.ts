import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OPERATOR_SAFE_COMMANDS } from '@landside/auth';
import { DomainError, type CreateCommandDto, decodeCursor, toPage, type Page } from '@landside/contracts';
import { recordAudit, type AuditEntry } from '@landside/persistence';
import { CommandEvents } from './command-events';
import { CommandRepository, isIdempotencyViolation, isUuid, type TransitionGuard } from './command.repository';
import { CommandTargets, type CommandTarget } from './command-targets';
import { CommandTimers } from './command-timers';
import {
  COMMAND_VALIDITY,
  hasErrors,
  isValidForDevice,
  resolveTtl,
  toCommandView,
  validateParams,
  type CommandRecord,
  type CommandStatus,
  type CommandView,
  type FieldErrors,
  type LifecycleEvent,
} from './domain';

/** Who issues or reads: the verified principal's subject, role and zone scope. */
export interface Issuer {
  readonly sub: string;
  readonly role: string;
  /** undefined = every zone. */
  readonly zones?: readonly string[];
}

export interface IssueResult {
  readonly command: CommandView;
  /** false: an idempotent repeat answered with the existing command. */
  readonly created: boolean;
}

export interface CommandListQuery {
  readonly deviceId?: string;
  readonly status?: CommandStatus;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * The command use cases, one validated entry point per operation for every edge (REST, STOMP
 * `/app/commands`, the failover engine): issue, read, list, cancel, and the lifecycle
 * transitions the dispatcher drives. A change is persisted (conditional UPDATE) and only then
 * published on `/topic/commands`.
 */
@Injectable()
export class CommandService {
  private readonly logger = new Logger('Commands');
  private lastIssuedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: CommandRepository,
    private readonly targets: CommandTargets,
    private readonly events: CommandEvents,
    private readonly timers: CommandTimers,
  ) {}

  /**
   * Issues a command (SPEC §6). Checks, in order: the role may send this type (403), the TTL and
   * params (400), the device exists and is in the issuer's zones (404 either way: a scoped issuer
   * learns nothing about other zones), the type is valid for the device type (422). The same
   * idempotency key from the same principal answers the existing command (`created: false`), and
   * a concurrent twin that loses the unique index does the same.
   */
  async issue(request: CreateCommandDto, by: Issuer, sourceAddress: string | null): Promise<IssueResult> {
    if (!mayIssue(by.role, request.type)) {
      await this.recordRefusal(by, sourceAddress, request.deviceId, 'command.create', 'denied', { type: request.type });
      throw new DomainError('forbidden', `${by.role} may not send ${request.type}`);
    }
    const params = request.params ?? {};
    const ttl = resolveTtl(request.type, request.ttlS);
    const errors: FieldErrors = { ...(ttl.ok ? {} : ttl.errors), ...validateParams(request.type, params) };
    if (!ttl.ok || hasErrors(errors)) throw new DomainError('invalid', 'the command request is not valid', { fields: errors });
    const device = await this.visibleDevice(request.deviceId, by);
    if (!isValidForDevice(request.type, device.type)) {
      throw new DomainError('not-valid-for-device', `${request.type} is not valid for a ${device.type}`, {
        deviceType: device.type,
        acceptedBy: COMMAND_VALIDITY[request.type],
      });
    }

    const key = request.idempotencyKey ?? null;
    if (key !== null) {
      const existing = await this.repository.findByIdempotencyKey(by.sub, key);
      if (existing) return this.repeat(existing, request);
    }

    const now = this.issueTime();
    let superseded: CommandRecord[] = [];
    let created: CommandRecord;
    try {
      created = await this.dataSource.transaction(async (manager) => {
        const display = request.type === 'DISPLAY_MESSAGE';
        if (display) await this.repository.lockDeviceForDisplay(manager, device.id);
        const row = await this.repository.insert(manager, {
          id: randomUUID(),
          deviceId: device.id,
          zoneId: device.zoneId,
          type: request.type,
          params,
          issuedBy: by.sub,
          issuedRole: by.role,
          sourceAddress,
          idempotencyKey: key,
          issuedAt: now,
          expiresAt: new Date(now.getTime() + ttl.ttlS * 1000),
        });
        if (display) superseded = await this.repository.supersedeDisplayMessages(manager, row, now);
        await recordAudit(manager, {
          ...actor(by, sourceAddress),
          action: 'command.create',
          target: device.id,
          outcome: 'ok',
          at: now,
          details: {
            commandId: row.id,
            type: row.type,
            ttlS: ttl.ttlS,
            ...(key !== null ? { idempotencyKey: key } : {}),
            ...(superseded.length > 0 ? { superseded: superseded.map((s) => s.id) } : {}),
          },
        });
        return row;
      });
    } catch (error) {
      if (key === null || !isIdempotencyViolation(error)) throw error;
      const winner = await this.repository.findByIdempotencyKey(by.sub, key);
      if (!winner) throw error;
      return this.repeat(winner, request);
    }

    await this.events.changed(created, 'created');
    for (const old of superseded) {
      this.timers.clearCommand(old.id);
      await this.events.changed(old, 'supersede');
    }
    await this.events.dispatch(created);
    return { command: toCommandView(created), created: true };
  }

  async get(id: string, viewer: Issuer): Promise<CommandView> {
    return toCommandView(await this.visibleCommand(id, viewer));
  }

  async list(query: CommandListQuery, viewer: Issuer): Promise<Page<CommandView>> {
    const after = decodeCommandCursor(query.cursor);
    const rows = await this.repository.list({
      deviceId: query.deviceId,
      status: query.status,
      zones: viewer.zones,
      after,
      limit: query.limit + 1,
    });
    const page = toPage(rows, query.limit, (c) => [c.issuedAt.toISOString(), c.id]);
    return { items: page.items.map(toCommandView), nextCursor: page.nextCursor };
  }

  /** Admin cancel before delivery (SPEC §6); 409 once DELIVERED or final. Audited with the change. */
  async cancel(id: string, by: Issuer, sourceAddress: string | null, note?: string): Promise<CommandView> {
    if (by.role !== 'ADMIN' && by.role !== SYSTEM_ROLE) throw new DomainError('forbidden', 'only an ADMIN may cancel a command');
    const current = await this.visibleCommand(id, by);
    const now = new Date();
    let cancelled: CommandRecord | undefined;
    try {
      cancelled = await this.dataSource.transaction(async (manager) => {
        const row = await this.repository.transition(id, { kind: 'cancel', note }, now, {}, manager);
        if (!row) {
          const latest = (await this.repository.find(id, manager)) ?? current;
          throw new DomainError('conflict', `command ${id} is ${latest.status}: only a QUEUED or SENT command can be cancelled`, {
            status: latest.status,
          });
        }
        await recordAudit(manager, {
          ...actor(by, sourceAddress),
          action: 'command.cancel',
          target: row.deviceId,
          outcome: 'ok',
          at: now,
          details: { commandId: row.id, type: row.type, previousStatus: current.status, ...(note !== undefined ? { note } : {}) },
        });
        return row;
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'conflict') {
        await this.recordRefusal(by, sourceAddress, current.deviceId, 'command.cancel', 'conflict', { commandId: id, reason: error.message });
      }
      throw error;
    }
    this.timers.clearCommand(id);
    await this.events.changed(cancelled, 'cancel');
    return toCommandView(cancelled);
  }

  /**
   * Persists a lifecycle event if the command is still where the event may leave from, then
   * publishes it; undefined when another change got there first (or the guard did not hold).
   */
  async transition(id: string, event: LifecycleEvent, guard: TransitionGuard = {}): Promise<CommandRecord | undefined> {
    const row = await this.repository.transition(id, event, new Date(), guard);
    if (row) await this.events.changed(row, event.kind);
    return row;
  }

  /**
   * Issue times strictly increase in this process (ms resolution): delivery is oldest first by
   * (issued_at, id), so two commands issued within one millisecond keep their order.
   */
  private issueTime(): Date {
    this.lastIssuedAt = Math.max(Date.now(), this.lastIssuedAt + 1);
    return new Date(this.lastIssuedAt);
  }

  private repeat(existing: CommandRecord, request: CreateCommandDto): IssueResult {
    if (existing.deviceId !== request.deviceId || existing.type !== request.type) {
      throw new DomainError('conflict', 'idempotencyKey was already used for a different command', {
        commandId: existing.id,
        deviceId: existing.deviceId,
        type: existing.type,
      });
    }
    return { command: toCommandView(existing), created: false };
  }

  private async visibleDevice(deviceId: string, by: Issuer): Promise<CommandTarget> {
    const device = await this.targets.find(deviceId);
    if (!device || !seesZone(by, device.zoneId)) throw new DomainError('not-found', `device ${deviceId} not found`);
    return device;
  }

  private async visibleCommand(id: string, viewer: Issuer): Promise<CommandRecord> {
    const command = isUuid(id) ? await this.repository.find(id) : undefined;
    if (!command || !seesZone(viewer, command.zoneId)) throw new DomainError('not-found', `command ${id} not found`);
    return command;
  }

  /** A refused admin action, in its own transaction; failing to record it is logged, not thrown. */
  private async recordRefusal(
    by: Issuer,
    sourceAddress: string | null,
    target: string,
    action: string,
    outcome: 'denied' | 'conflict',
    details: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.dataSource.transaction((manager) => recordAudit(manager, { ...actor(by, sourceAddress), action, target, outcome, details }));
    } catch (error) {
      this.logger.error(`audit of refused ${action} by ${by.sub} not recorded: ${String(error)}`);
    }
  }
}

/**
 * The role of in-process callers (failover engine, guidance signs): every command, audited as
 * `SYSTEM`. No token can carry it (token verification accepts only SPEC §1's roles).
 */
export const SYSTEM_ROLE = 'SYSTEM';

/** SPEC §1: operators send only the safe commands, admins (and the system) every command, nobody else any. */
export function mayIssue(role: string, type: string): boolean {
  if (role === 'ADMIN' || role === SYSTEM_ROLE) return true;
  if (role === 'OPERATOR') return OPERATOR_SAFE_COMMANDS.includes(type);
  return false;
}

/** Unscoped principals see every zone; scoped ones only theirs, and nothing outside any zone. */
function seesZone(by: Issuer, zoneId: string | null): boolean {
  if (by.zones === undefined) return true;
  return zoneId !== null && by.zones.includes(zoneId);
}

function actor(by: Issuer, sourceAddress: string | null): Pick<AuditEntry, 'actor' | 'role' | 'sourceAddress'> {
  return { actor: by.sub, role: by.role, sourceAddress };
}

function decodeCommandCursor(cursor: string | undefined): { issuedAt: Date; id: string } | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  const [at, id] = key;
  const issuedAt = typeof at === 'string' ? new Date(at) : undefined;
  if (key.length !== 2 || issuedAt === undefined || Number.isNaN(issuedAt.getTime()) || typeof id !== 'string' || !isUuid(id)) {
    throw new DomainError('invalid', 'cursor is not valid', { fields: { cursor: ['cursor is not valid'] } });
  }
  return { issuedAt, id };
}
