import { buildAirport, buildFleet, topologyDocument } from './airport';
import { checkMatches, checkTaxiFifo, matchRecordsFromTruth, ticketIssuesFromTruth, type MatchRecord } from './score-dispatch';
import type { DispatchEntry } from './truth';

const at = (s: number): string => new Date(Date.UTC(2026, 10, 23, 3, 0, s)).toISOString();
let seq = 0;
const created = (s: number, matchId: string, plate: string, ticket: string, queue = 'SEOUL', vehicleClass = 'STANDARD'): MatchRecord => ({
  kind: 'created',
  at: at(s),
  seq: seq++,
  zoneId: 'T1-TAXI',
  matchId,
  plate,
  ticket,
  queue,
  vehicleClass,
});
const ended = (kind: 'released' | 'completed', s: number, matchId: string, plate: string, ticket: string): MatchRecord => ({
  kind,
  at: at(s),
  seq: seq++,
  zoneId: 'T1-TAXI',
  matchId,
  plate,
  ticket,
});

describe('checkMatches: no double match', () => {
  it('accepts a plate and a ticket matched again after their match ended', () => {
    const r = checkMatches([
      created(1, 'm1', 'P1', 'A0001'),
      ended('released', 2, 'm1', 'P1', 'A0001'),
      created(3, 'm2', 'P2', 'A0001'),
      created(4, 'm3', 'P1', 'A0002'),
      ended('completed', 5, 'm2', 'P2', 'A0001'),
    ]);
    expect(r.doubleMatches).toEqual([]);
    expect(r).toMatchObject({ matches: 3, released: 1, completed: 1 });
  });

  it('reports a taxi matched while its match is active', () => {
    const r = checkMatches([created(1, 'm1', 'P1', 'A0001'), created(2, 'm2', 'P1', 'A0002')]);
    expect(r.doubleMatches).toEqual([expect.stringContaining('taxi P1 matched in m2')]);
  });

  it('reports a ticket matched while its match is active, per stand', () => {
    const other: MatchRecord = { ...created(3, 'm3', 'P3', 'A0001'), zoneId: 'T2-TAXI' };
    const r = checkMatches([created(1, 'm1', 'P1', 'A0001'), created(2, 'm2', 'P2', 'A0001'), other]);
    expect(r.doubleMatches).toEqual([expect.stringContaining('ticket A0001 at T1-TAXI matched in m2')]);
  });

  it('orders records by time, then by the order they were written, whatever order they come in', () => {
    const release = ended('released', 2, 'm1', 'P1', 'A0001');
    const rematch = { ...created(2, 'm2', 'P1', 'A0002'), seq: release.seq + 1 };
    expect(checkMatches([rematch, release, created(1, 'm1', 'P1', 'A0001')]).doubleMatches).toEqual([]);
  });
});

describe('checkMatches: passenger FIFO', () => {
  it('accepts tickets matched in issue order per (queue, class), whatever the other groups do', () => {
    const r = checkMatches([
      created(1, 'm1', 'P1', 'A0002', 'SEOUL', 'STANDARD'),
      created(2, 'm2', 'P2', 'A0001', 'INCHEON', 'STANDARD'),
      created(3, 'm3', 'P3', 'A0003', 'SEOUL', 'STANDARD'),
      created(4, 'm4', 'P4', 'A0004', 'SEOUL', 'LARGE'),
    ]);
    expect(r.passengerFifo).toEqual({ checked: 4, violations: [] });
  });

  it('reports a later ticket served before an earlier one of the same queue and class', () => {
    const r = checkMatches([created(1, 'm1', 'P1', 'A0005'), created(2, 'm2', 'P2', 'A0003')]);
    expect(r.passengerFifo.violations).toEqual([expect.stringContaining('ticket A0003 matched')]);
  });

  it('exempts a passenger re-matched first after a taxi no-show', () => {
    const r = checkMatches([
      created(1, 'm1', 'P1', 'A0001'),
      created(2, 'm2', 'P2', 'A0002'),
      ended('released', 3, 'm1', 'P1', 'A0001'),
      created(4, 'm3', 'P3', 'A0001'),
    ]);
    expect(r.passengerFifo.violations).toEqual([]);
    expect(r.passengerFifo.checked).toBe(2);
  });

  it('orders by issue time when the run saw the tickets issued, right across the stand midnight', () => {
    // A0420 issued 23:59:50 KST, matched 00:00:30; then the new day's A0001, A0002 in order
    const issued = [
      d('ticket-issued', 'x', { ticket: 'A0420', at: '2026-11-23T14:59:50.000Z' }),
      d('ticket-issued', 'x', { ticket: 'A0001', at: '2026-11-23T15:00:10.000Z' }),
      d('ticket-issued', 'x', { ticket: 'A0002', at: '2026-11-23T15:00:20.000Z' }),
    ];
    const records = [
      { ...created(0, 'm1', 'P1', 'A0420'), at: '2026-11-23T15:00:30.000Z' },
      { ...created(0, 'm2', 'P2', 'A0001'), at: '2026-11-23T15:00:40.000Z' },
      { ...created(0, 'm3', 'P3', 'A0002'), at: '2026-11-23T15:00:50.000Z' },
    ];
    expect(checkMatches(records, ticketIssuesFromTruth(issued)).passengerFifo).toEqual({ checked: 3, violations: [] });
    // by ticket numbers alone the new day's A0001 would look served after A0420
    expect(checkMatches(records).passengerFifo.violations).toHaveLength(2);
    // and a later-issued ticket served first is caught by issue times too
    const swapped = [records[0]!, { ...records[2]!, at: records[1]!.at }, { ...records[1]!, at: records[2]!.at }];
    expect(checkMatches(swapped, ticketIssuesFromTruth(issued)).passengerFifo.violations).toEqual([expect.stringContaining('ticket A0001 matched')]);
  });

  it('starts afresh after a gap in the decisions it reads (fallback without the audit log)', () => {
    const gap: DispatchEntry = { event: 'dispatch', at: at(2), zoneId: '*', kind: 'observer-reconnected' };
    // m1's COMPLETED fell in the gap: P1 matched again is not a double match
    const records = matchRecordsFromTruth([d('matched', 'P1', { matchId: 'm1', ticket: 'A0001', at: at(1) }), gap, d('matched', 'P1', { matchId: 'm2', ticket: 'A0002', at: at(3) })]);
    expect(checkMatches(records).doubleMatches).toEqual([]);
  });

  it('restarts the order with the stand day (tickets are a daily sequence, UTC+9)', () => {
    const beforeMidnight = { ...created(0, 'm1', 'P1', 'A0420'), at: '2026-11-23T14:59:00.000Z' };
    const afterMidnight = { ...created(0, 'm2', 'P2', 'A0001'), at: '2026-11-23T15:01:00.000Z' };
    expect(checkMatches([beforeMidnight, afterMidnight]).passengerFifo.violations).toEqual([]);
  });
});

const d = (kind: string, plate: string, extra: Partial<DispatchEntry> = {}): DispatchEntry => ({
  event: 'dispatch',
  at: at(0),
  zoneId: 'T1-TAXI',
  kind: `dispatch.${kind}`,
  plate,
  queue: 'SEOUL',
  vehicleClass: 'STANDARD',
  ...extra,
});

describe('checkTaxiFifo', () => {
  it('accepts calls in lot order per (queue, class)', () => {
    const r = checkTaxiFifo([
      d('taxi-queued', 'P1'),
      d('taxi-queued', 'P2', { vehicleClass: 'LARGE' }),
      d('taxi-queued', 'P3'),
      d('called', 'P2', { vehicleClass: 'LARGE' }),
      d('called', 'P1'),
      d('called', 'P3'),
    ]);
    expect(r).toEqual({ checked: 3, violations: [] });
  });

  it('reports a taxi called ahead of one that waited longer', () => {
    const r = checkTaxiFifo([d('taxi-queued', 'P1'), d('taxi-queued', 'P2'), d('called', 'P2')]);
    expect(r.violations).toEqual([expect.stringContaining('P2 called')]);
  });

  it('exempts near-trip priority, forgets taxis that left, and puts a no-show taxi at the back', () => {
    const r = checkTaxiFifo([
      d('taxi-queued', 'P1'),
      d('taxi-queued', 'P2'),
      d('taxi-queued', 'P3'),
      d('taxi-queued', 'P9', { priority: true }),
      d('called', 'P9'),
      d('taxi-left', 'P1'),
      d('called', 'P2'),
      d('taxi-requeued', 'P2', { position: 'BACK' }),
      d('called', 'P3'),
      d('called', 'P2'),
    ]);
    expect(r).toEqual({ checked: 3, violations: [] });
  });

  it('keeps the place from lot entry for a taxi that picked its region later (DRIVER_SELECTED)', () => {
    const r = checkTaxiFifo([
      d('taxi-awaiting-region', 'P1', { queue: undefined }),
      d('taxi-awaiting-region', 'P2', { queue: undefined }),
      d('taxi-queued', 'P2'),
      d('taxi-queued', 'P1'),
      d('called', 'P1'),
      d('called', 'P2'),
    ]);
    expect(r).toEqual({ checked: 2, violations: [] });
    const wrong = checkTaxiFifo([
      d('taxi-awaiting-region', 'P1', { queue: undefined }),
      d('taxi-awaiting-region', 'P2', { queue: undefined }),
      d('taxi-queued', 'P2'),
      d('taxi-queued', 'P1'),
      d('called', 'P2'),
    ]);
    expect(wrong.violations).toEqual([expect.stringContaining('P2 called')]);
  });

  it('starts afresh after the observer reconnected (decisions in between may be missing)', () => {
    const gap: DispatchEntry = { event: 'dispatch', at: at(0), zoneId: '*', kind: 'observer-reconnected' };
    // P1's CALLED was published while the observer was away
    expect(checkTaxiFifo([d('taxi-queued', 'P1'), d('taxi-queued', 'P2'), gap, d('called', 'P2')]).violations).toEqual([]);
  });

  it('starts afresh when a stand changes mode (its queues are redrawn)', () => {
    const modeChanged: DispatchEntry = { event: 'dispatch', at: at(0), zoneId: 'T1-TAXI', kind: 'dispatch.mode-changed' };
    expect(checkTaxiFifo([d('taxi-queued', 'P1'), d('taxi-queued', 'P2'), modeChanged, d('called', 'P2')]).violations).toEqual([]);
  });

  it('reads match records from the decisions when the audit log is out of reach', () => {
    const records = matchRecordsFromTruth([d('matched', 'P1', { matchId: 'm1', ticket: 'A0001' }), d('called', 'P2'), d('completed', 'P1', { matchId: 'm1', ticket: 'A0001' })]);
    expect(records.map((r) => r.kind)).toEqual(['created', 'completed']);
  });
});

describe('the airport dispatch model', () => {
  it('gives a stand the same fleet on every run, every (region, class) supplied, plates unique', () => {
    const a = buildFleet('T1-TAXI', 80);
    expect(buildFleet('T1-TAXI', 80)).toEqual(a);
    expect(new Set(a.map((t) => t.plate)).size).toBe(80);
    expect(new Set(a.map((t) => `${t.licenceRegion}|${t.vehicleClass}`)).size).toBe(12);
    expect(buildFleet('T2-TAXI', 80)[0]!.plate).not.toBe(a[0]!.plate);
  });

  it('puts stands with SEOUL/INCHEON/GYEONGGI queues and the destination table in the topology, and hits the device target', () => {
    const airport = buildAirport({ devices: 300 });
    expect(airport.devices).toHaveLength(300);
    const doc = topologyDocument(airport);
    expect(doc['stands']).toEqual([
      expect.objectContaining({ zoneId: 'T1-TAXI', mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON', 'GYEONGGI'] }),
      expect.objectContaining({ zoneId: 'T2-TAXI' }),
    ]);
    expect((doc['destinations'] as unknown[]).length).toBeGreaterThan(10);
    expect(airport.lanes.filter((l) => l.kind === 'CURB')).toHaveLength(2);
    expect(JSON.stringify(doc)).not.toContain('"secret"');
    const without = topologyDocument(buildAirport({ devices: 300, taxisPerStand: 0 }));
    expect(without['stands']).toBeUndefined();
  });
});
