import type { EntityManager } from 'typeorm';

/**
 * One transaction-scoped advisory lock serializes registry writes (REST and PUT /topology). They
 * are rare admin actions, and serializing them makes the checks that span rows exact: parent
 * cycles, failover members in their zone, a device deleted while a document references it.
 */
const REGISTRY_LOCK_KEY = 0x4c53_5247; // 'LSRG'

export async function lockRegistry(em: EntityManager): Promise<void> {
  await em.query('SELECT pg_advisory_xact_lock($1)', [REGISTRY_LOCK_KEY]);
}
