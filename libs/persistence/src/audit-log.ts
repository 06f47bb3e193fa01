import type { EntityManager } from 'typeorm';

/**
 * The append-only audit log (SPEC §6): who, role, what, target, when, source address, outcome.
 * Written with the caller's EntityManager so the row commits or rolls back with the action it
 * records; the table refuses UPDATE and DELETE (trigger in the control migration).
 */
export interface AuditEntry {
  readonly actor: string;
  readonly role: string;
  /** `noun.verb`, e.g. `command.created`, `device.updated`, `auth.login`. */
  readonly action: string;
  readonly target?: string | null;
  readonly sourceAddress?: string | null;
  /** `ok`, `denied`, `failed`, or a domain outcome. */
  readonly outcome: string;
  readonly details?: Record<string, unknown>;
  readonly at?: Date;
}

export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO audit_log (at, actor, role, action, target, source_address, outcome, details)
     VALUES (COALESCE($1, now()), $2, $3, $4, $5, $6, $7, $8)`,
    [
      entry.at ?? null,
      entry.actor,
      entry.role,
      entry.action,
      entry.target ?? null,
      entry.sourceAddress ?? null,
      entry.outcome,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}
