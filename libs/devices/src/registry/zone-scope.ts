/**
 * Zone scoping of registry reads and writes (SPEC §1: a scoped principal sees and touches only
 * its zones). Reads of an out-of-scope entity answer 404 like a missing one, so existence does
 * not leak; a write *into* a zone outside the scope is 403 (the caller named the zone).
 */
import { principalSeesZone } from '@landside/auth';
import { DomainError, type Principal } from '@landside/contracts';

/** The zones a principal is limited to, or undefined for every zone. */
export function zoneScope(principal: Principal): string[] | undefined {
  return principal.zones === undefined ? undefined : [...principal.zones];
}

export function seesZone(principal: Principal, zoneId: string | null): boolean {
  return principalSeesZone(principal, zoneId ?? undefined);
}

export function assertMayWriteInZone(principal: Principal, zoneId: string): void {
  if (!principalSeesZone(principal, zoneId)) throw new DomainError('forbidden', `zone '${zoneId}' is outside your zones`);
}

/** PUT /topology and GET /topology are about the whole airport: unscoped principals only. */
export function assertUnscoped(principal: Principal, what: string): void {
  if (principal.zones !== undefined) throw new DomainError('forbidden', `${what} needs a principal that is not limited to zones`);
}

export function notFound(kind: string, id: string): DomainError {
  return new DomainError('not-found', `${kind} '${id}' not found`);
}

/** 400 naming the field, for a reference to an entity that does not exist (or is out of scope). */
export function invalidReference(field: string, kind: string, id: string): DomainError {
  const message = `${kind} '${id}' does not exist`;
  return new DomainError('invalid', message, { fields: { [field]: [message] } });
}

export function invalidField(field: string, message: string): DomainError {
  return new DomainError('invalid', message, { fields: { [field]: [message] } });
}
