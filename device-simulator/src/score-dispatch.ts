/**
 * Dispatch invariants (SPEC §7), pure, over what the server recorded:
 *
 *  - **no double match**: over the match records in order, a plate is never matched while a
 *    match of it is still active, nor a ticket (of a stand) while its own is. A match ends when
 *    released (no-show) or completed (picked up). Source: the audit log's `match.created`,
 *    `match.released`, `match.completed` rows (written in the transaction of the decision), or,
 *    without an admin token, the decisions the simulator saw on `/topic/dispatch/{zoneId}`.
 *  - **passenger FIFO**: within one (stand, queue, class), tickets are matched in the order they
 *    were issued. A ticket whose match was released before (re-matched first, SPEC §7) is exempt.
 *    Tickets are a daily sequence (`A0001`…), so the order restarts with the stand's day.
 *  - **taxi FIFO**: within one (stand, queue, class), the taxi called up is the one that has waited
 *    in the lot longest, among taxis without near-trip priority (a priority taxi goes to the front
 *    once, SPEC §7, and is exempt). A taxi put back (no-show) waits again from the back. Under
 *    DRIVER_SELECTED a taxi joins its queue when its driver picks the region but keeps its place
 *    from entering the lot (TAXI_AWAITING_REGION). Source: the decisions on the stand topics, in
 *    the order they arrived (`dispatch` ground-truth entries); after the observer reconnected
 *    (decisions may be missing) or a stand's mode or configuration changed (queues redrawn) the
 *    check starts afresh.
 */
import { OBSERVER_GAP, type DispatchEntry } from './truth';

export interface MatchRecord {
  /** `gap`: the records before it may be incomplete (the observer was away): checks start afresh. */
  readonly kind: 'created' | 'released' | 'completed' | 'gap';
  readonly at: string;
  /** Tie-break for equal `at`: the order the server wrote them (audit id), or arrival order. */
  readonly seq: number;
  readonly zoneId: string;
  readonly matchId: string;
  readonly plate: string;
  readonly ticket: string;
  readonly queue?: string;
  readonly vehicleClass?: string;
}

export interface DispatchInvariants {
  readonly matches: number;
  readonly released: number;
  readonly completed: number;
  readonly doubleMatches: readonly string[];
  readonly passengerFifo: { readonly checked: number; readonly violations: readonly string[] };
  readonly taxiFifo: { readonly checked: number; readonly violations: readonly string[] };
}

/** When a stand issued a ticket: the latest issue of `ticket` at or before `before` (epoch ms). */
export type TicketIssues = (zoneId: string, ticket: string, before: number) => number | undefined;

/** Issue times from the TICKET_ISSUED decisions seen on the stand topics. */
export function ticketIssuesFromTruth(entries: readonly DispatchEntry[]): TicketIssues {
  const issues = new Map<string, number[]>();
  for (const e of entries) {
    if (e.kind !== 'dispatch.ticket-issued' || e.ticket === undefined) continue;
    const key = `${e.zoneId}|${e.ticket}`;
    issues.set(key, [...(issues.get(key) ?? []), Date.parse(e.at)]);
  }
  return (zoneId, ticket, before) => {
    const times = issues.get(`${zoneId}|${ticket}`) ?? [];
    let latest: number | undefined;
    for (const t of times) if (t <= before && (latest === undefined || t > latest)) latest = t;
    return latest;
  };
}

/** The stand's local day of a ticket (tickets restart daily, at UTC+9 by default). */
const KST_OFFSET_MS = 9 * 3600_000;
const dayOf = (ms: number): number => Math.floor((ms + KST_OFFSET_MS) / 86_400_000);
const ticketNo = (ticket: string): number => Number(/(\d+)$/.exec(ticket)?.[1] ?? NaN);

/** A passenger's place in its queue: comparable only within the same `epoch`. */
interface Place {
  readonly epoch: number;
  readonly value: number;
}

/**
 * No double match and passenger FIFO over the match records. A passenger's place is its ticket's
 * issue time when `issues` knows it (then a run across the stands' midnight is judged right);
 * without it, the ticket number within the day of the match (a ticket issued before midnight and
 * matched after it is then judged against the new day's numbers: use issue times for long runs).
 */
export function checkMatches(records: readonly MatchRecord[], issues?: TicketIssues): Omit<DispatchInvariants, 'taxiFifo'> {
  const ordered = [...records].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
  const byPlate = new Map<string, string>();
  const byTicket = new Map<string, string>();
  const everReleased = new Set<string>();
  const last = new Map<string, Place & { ticket: string }>();
  const doubleMatches: string[] = [];
  const fifoViolations: string[] = [];
  let checked = 0;
  const counts = { created: 0, released: 0, completed: 0, gap: 0 };
  const placeOf = (r: MatchRecord): Place | undefined => {
    const at = Date.parse(r.at);
    if (issues !== undefined) {
      const issued = issues(r.zoneId, r.ticket, at);
      return issued === undefined ? undefined : { epoch: 0, value: issued };
    }
    const no = ticketNo(r.ticket);
    return Number.isNaN(no) ? undefined : { epoch: dayOf(at), value: no };
  };
  for (const r of ordered) {
    counts[r.kind]++;
    if (r.kind === 'gap') {
      byPlate.clear();
      byTicket.clear();
      everReleased.clear();
      last.clear();
      continue;
    }
    const ticketKey = `${r.zoneId}|${r.ticket}`;
    if (r.kind !== 'created') {
      if (byPlate.get(r.plate) === r.matchId) byPlate.delete(r.plate);
      if (byTicket.get(ticketKey) === r.matchId) byTicket.delete(ticketKey);
      if (r.kind === 'released') everReleased.add(ticketKey);
      continue;
    }
    const plateActive = byPlate.get(r.plate);
    if (plateActive !== undefined) doubleMatches.push(`taxi ${r.plate} matched in ${r.matchId} at ${r.at} while ${plateActive} was active`);
    const ticketActive = byTicket.get(ticketKey);
    if (ticketActive !== undefined) doubleMatches.push(`ticket ${r.ticket} at ${r.zoneId} matched in ${r.matchId} at ${r.at} while ${ticketActive} was active`);
    byPlate.set(r.plate, r.matchId);
    byTicket.set(ticketKey, r.matchId);
    if (everReleased.has(ticketKey) || r.queue === undefined || r.vehicleClass === undefined) continue;
    const place = placeOf(r);
    if (place === undefined) continue;
    const group = `${r.zoneId}|${r.queue}|${r.vehicleClass}`;
    const previous = last.get(group);
    checked++;
    if (previous !== undefined && previous.epoch === place.epoch && place.value < previous.value) {
      fifoViolations.push(`${group}: ticket ${r.ticket} matched at ${r.at} after the later ticket ${previous.ticket}`);
    }
    if (previous === undefined || previous.epoch !== place.epoch || place.value > previous.value) last.set(group, { ...place, ticket: r.ticket });
  }
  return { matches: counts.created, released: counts.released, completed: counts.completed, doubleMatches, passengerFifo: { checked, violations: fifoViolations } };
}

/** The match records among the decisions seen on the topics (when the audit log is out of reach). */
export function matchRecordsFromTruth(entries: readonly DispatchEntry[]): MatchRecord[] {
  const kinds: Record<string, MatchRecord['kind']> = { 'dispatch.matched': 'created', 'dispatch.released': 'released', 'dispatch.completed': 'completed' };
  const out: MatchRecord[] = [];
  entries.forEach((e, seq) => {
    if (e.kind === OBSERVER_GAP) {
      out.push({ kind: 'gap', at: e.at, seq, zoneId: '*', matchId: '', plate: '', ticket: '' });
      return;
    }
    const kind = kinds[e.kind];
    if (kind === undefined || e.matchId === undefined || e.plate === undefined || e.ticket === undefined) return;
    out.push({
      kind,
      at: e.at,
      seq,
      zoneId: e.zoneId,
      matchId: e.matchId,
      plate: e.plate,
      ticket: e.ticket,
      ...(e.queue != null ? { queue: e.queue } : {}),
      ...(e.vehicleClass !== undefined ? { vehicleClass: e.vehicleClass } : {}),
    });
  });
  return out;
}

/** Taxi FIFO over the topic decisions, in arrival order (see the file's comment). */
export function checkTaxiFifo(entries: readonly DispatchEntry[]): DispatchInvariants['taxiFifo'] {
  /** Group -> plates waiting in the lot without priority, longest-waiting first. */
  const lots = new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  /** Lot entries awaiting a region choice, with the order they entered in. */
  const entered = new Map<string, number>();
  const place = new Map<string, number>();
  let order = 0;
  const violations: string[] = [];
  let checked = 0;
  const leave = (key: string): void => {
    const group = groupOf.get(key);
    if (group === undefined) return;
    groupOf.delete(key);
    const list = lots.get(group)!;
    list.splice(list.indexOf(key), 1);
  };
  /** Joins at its place: the lot entry's order when it waited for a region, else now (the back). */
  const join = (key: string, group: string, at: number = ++order): void => {
    const list = lots.get(group) ?? [];
    lots.set(group, list);
    let i = list.length;
    while (i > 0 && place.get(list[i - 1]!)! > at) i--;
    list.splice(i, 0, key);
    groupOf.set(key, group);
    place.set(key, at);
  };
  for (const e of entries) {
    if (e.kind === OBSERVER_GAP || e.kind === 'dispatch.mode-changed' || e.kind === 'dispatch.config-changed') {
      // the observer missed decisions, or the stand's queues were redrawn: start afresh
      lots.clear();
      groupOf.clear();
      entered.clear();
      place.clear();
      continue;
    }
    if (e.plate === undefined) continue;
    const key = `${e.zoneId}|${e.plate}`;
    const group = e.queue == null || e.vehicleClass === undefined ? undefined : `${e.zoneId}|${e.queue}|${e.vehicleClass}`;
    switch (e.kind) {
      case 'dispatch.taxi-awaiting-region':
        leave(key);
        entered.set(key, ++order);
        break;
      case 'dispatch.taxi-queued': {
        leave(key);
        const since = entered.get(key);
        entered.delete(key);
        if (group !== undefined && e.priority !== true) join(key, group, since);
        break;
      }
      case 'dispatch.taxi-requeued':
        leave(key);
        if (group !== undefined && e.position === 'BACK') join(key, group);
        break;
      case 'dispatch.called': {
        const waiting = groupOf.get(key);
        if (waiting !== undefined) {
          checked++;
          const head = lots.get(waiting)![0]!;
          if (head !== key) violations.push(`${waiting}: ${e.plate} called at ${e.at} ahead of ${head.split('|')[1]}, which waited longer`);
        }
        leave(key);
        break;
      }
      case 'dispatch.taxi-left':
        leave(key);
        entered.delete(key);
        break;
      default:
        break;
    }
  }
  return { checked, violations };
}
