import { Injectable, Logger } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { DomainError } from '@landside/contracts';
import { recordAudit } from '@landside/persistence';
import type { Actor } from './actor';

/**
 * What a write tells the audit row while it works: the target and details (e.g. `zoneId`, what
 * changed) are known only part-way through, and are kept for the refusal row too.
 */
export interface AuditNote {
  target: string | null;
  readonly details: Record<string, unknown>;
}

/** Outcomes of refused writes (SPEC §6: who, what, target, outcome). */
export type RefusalOutcome = 'denied' | 'conflict';

/**
 * Runs admin writes with their audit rows. `run` executes the work in one transaction and writes
 * the `ok` audit row in that same transaction, so the change and its record commit or roll back
 * together. A refusal (403, 409, or a unique violation lost to a concurrent writer) rolls the
 * work back and is recorded on its own, with outcome `denied` or `conflict`.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger(AuditTrail.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(actor: Actor, action: string, target: string | null, work: (em: EntityManager, note: AuditNote) => Promise<T>): Promise<T> {
    const note: AuditNote = { target, details: {} };
    try {
      return await this.dataSource.transaction(async (em) => {
        const value = await work(em, note);
        await recordAudit(em, {
          actor: actor.principal.sub,
          role: actor.principal.role,
          action,
          target: note.target,
          sourceAddress: actor.sourceAddress,
          outcome: 'ok',
          details: note.details,
        });
        return value;
      });
    } catch (error) {
      const refusal = asRefusal(error, note.target);
      if (refusal === undefined) throw error;
      await this.recordRefusal(actor, action, note.target, refusal.outcome, { ...note.details, reason: refusal.error.message });
      throw refusal.error;
    }
  }

  /** Records a refused write in its own transaction; a failure to record is logged, not thrown. */
  async recordRefusal(actor: Actor, action: string, target: string | null, outcome: RefusalOutcome, details: Record<string, unknown>): Promise<void> {
    try {
      await this.dataSource.transaction((em) =>
        recordAudit(em, {
          actor: actor.principal.sub,
          role: actor.principal.role,
          action,
          target,
          sourceAddress: actor.sourceAddress,
          outcome,
          details,
        }),
      );
    } catch (error) {
      this.logger.error(`could not audit refused ${action}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function asRefusal(error: unknown, target: string | null): { outcome: RefusalOutcome; error: DomainError } | undefined {
  if (error instanceof DomainError) {
    if (error.code === 'forbidden') return { outcome: 'denied', error };
    if (error.code === 'conflict') return { outcome: 'conflict', error };
    return undefined;
  }
  if (isUniqueViolation(error)) {
    return { outcome: 'conflict', error: new DomainError('conflict', `${target ?? 'the entity'} already exists`) };
  }
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  return typeof driverError === 'object' && driverError !== null && (driverError as { code?: unknown }).code === '23505';
}
