/**
 * What dispatch tells clients after a commit (SPEC §4, §7): every decision on
 * `/topic/dispatch/{zoneId}`; decisions about a taxi to its driver's `/user/queue/dispatch` (the
 * driver's principal is the plate); decisions about a ticket to the `/user/queue/dispatch` of
 * whoever asked for it (the kiosk device, or the operator). Bodies name their `kind`, the stand
 * and `at` (ISO); the other fields are the decision's own.
 */
import type { TopicEnvelope, UserEnvelope } from '@landside/contracts';
import type { DecisionType, DispatchDecision } from './domain';

export const DISPATCH_TOPIC_PREFIX = '/topic/dispatch/';
export const DISPATCH_USER_QUEUE = '/user/queue/dispatch';
export const REPLIES_QUEUE = '/user/queue/replies';
export const ERRORS_QUEUE = '/user/queue/errors';
export const REQUEST_DESTINATION = '/app/dispatch/requests';
export const REGION_DESTINATION = '/app/dispatch/region';

/** A decision as clients see it: `{kind: 'dispatch.matched', zoneId, ...fields, at: ISO}`. */
export interface DispatchEvent {
  readonly kind: string;
  readonly zoneId: string;
  readonly at: string;
  readonly [field: string]: unknown;
}

/** `MATCHED` -> `dispatch.matched`, `TAXI_QUEUED` -> `dispatch.taxi-queued`. */
export function eventKind(type: DecisionType): string {
  return `dispatch.${type.toLowerCase().replace(/_/g, '-')}`;
}

export function dispatchEvent(zoneId: string, decision: DispatchDecision): DispatchEvent {
  const { type, at, ...fields } = decision;
  return { kind: eventKind(type), zoneId, ...fields, at: new Date(at).toISOString() };
}

/** The plate a decision is about (its driver is told), if any. Ignored reads are not news to a driver. */
export function plateOf(decision: DispatchDecision): string | undefined {
  if (decision.type === 'READ_IGNORED') return undefined;
  if (decision.type === 'CLAIM_ISSUED') return decision.claim.plate;
  return 'plate' in decision ? decision.plate : undefined;
}

/** Ticket decisions the requester (kiosk, operator) is told about; the ticket itself is the request's reply. */
const REQUESTER_DECISIONS: ReadonlySet<DecisionType> = new Set<DecisionType>(['MATCHED', 'RELEASED', 'COMPLETED', 'PASSENGER_REQUEUED', 'TICKET_CANCELLED']);

export function requesterTicketOf(decision: DispatchDecision): string | undefined {
  return REQUESTER_DECISIONS.has(decision.type) && 'ticket' in decision ? decision.ticket : undefined;
}

/** Every message a committed input produces, in decision order. `requesters`: ticket -> who asked. */
export function envelopesFor(
  zoneId: string,
  decisions: readonly DispatchDecision[],
  requesters: ReadonlyMap<string, string>,
): Array<{ readonly channel: 'topic'; readonly envelope: TopicEnvelope } | { readonly channel: 'user'; readonly envelope: UserEnvelope }> {
  const out: Array<{ readonly channel: 'topic'; readonly envelope: TopicEnvelope } | { readonly channel: 'user'; readonly envelope: UserEnvelope }> = [];
  for (const d of decisions) {
    const payload = dispatchEvent(zoneId, d);
    out.push({ channel: 'topic', envelope: { destination: `${DISPATCH_TOPIC_PREFIX}${zoneId}`, payload, zoneId } });
    const plate = plateOf(d);
    if (plate !== undefined) out.push({ channel: 'user', envelope: { user: plate, destination: DISPATCH_USER_QUEUE, payload } });
    const ticket = requesterTicketOf(d);
    const requester = ticket === undefined ? undefined : requesters.get(ticket);
    if (requester !== undefined && requester !== plate) out.push({ channel: 'user', envelope: { user: requester, destination: DISPATCH_USER_QUEUE, payload } });
  }
  return out;
}
