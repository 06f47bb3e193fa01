/**
 * Scoring: the ground truth against what the server recorded (GET /api/devices/{id}/history for
 * transitions, GET /api/alerts for alerts, GET /api/commands/{id} for commands).
 *
 * Definitions (README.md has the long form):
 *  - a fault is *detected* when the device has a transition to the expected state (OFFLINE,
 *    FAULT, DEGRADED; OFFLINE for SUPPRESSED) or a transition marked `flapping` (FLAPPING) whose
 *    `at` lies in the fault's window: [fault at − 1 s, recovery (or run end) + grace];
 *  - recall = detected / faults that expect something (NONE expects nothing), leaving out faults
 *    lifted before their deadline (the run stopped under them: the device was never overdue);
 *  - latency = transition `at` − fault `at`; lateness = transition `at` − deadline (last
 *    heartbeat + interval × tolerance for silence); a detection is in time when lateness ≤ 1 s
 *    (SPEC §5's extra second) + slack;
 *  - a false alert is an alert opened during the run that no fault explains: same device, opened
 *    in the fault's window, of a kind the fault explains. Alerts during faults that expect NONE
 *    (reconnect storm, slow consumer) are counted apart;
 *  - suppressed correctly: a SUPPRESSED child's OFFLINE alert is recorded with `suppressed` and
 *    was opened no earlier than its parent's OFFLINE transition (so it was never notified);
 *  - commands: SUCCEEDED / commands in a final state (those still QUEUED/SENT/DELIVERED when
 *    scored are counted apart), latency = completedAt − issuedAt;
 *  - dispatch: no taxi or ticket matched twice, FIFO per (stand, queue, class) for passengers and
 *    taxis (score-dispatch.ts), from GET /api/audit and the stand topics.
 */
import { Api, collectPages, HttpError, mapLimit } from './http';
import { checkMatches, checkTaxiFifo, matchRecordsFromTruth, ticketIssuesFromTruth, type DispatchInvariants, type MatchRecord } from './score-dispatch';
import type { DispatchEntry, Expectation, FaultEntry, TruthEntry } from './truth';

/** One entry of GET /api/devices/{id}/history. */
export interface TransitionView {
  readonly deviceId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly flapping: boolean;
  readonly at: string;
}

/** The fields of GET /api/alerts entries the scorer reads. */
export interface AlertView {
  readonly id: string;
  readonly deviceId: string;
  readonly kind: string;
  readonly state: string;
  readonly suppressed: boolean;
  readonly suppressedBy?: string;
  readonly reason?: string;
  readonly openedAt: string;
}

interface CommandView {
  readonly id: string;
  readonly status: string;
  readonly issuedAt: string;
  readonly completedAt: string | null;
}

export interface Figures {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly max: number | null;
}

export interface Detection {
  readonly faultId: string;
  readonly deviceId: string;
  readonly fault: string;
  readonly expect: Expectation;
  readonly detected: boolean;
  /** The server's `at` of the detecting transition (or FLAPPING alert). */
  readonly at?: string;
  readonly reason?: string;
  readonly latencyMs?: number;
  readonly latenessMs?: number;
  readonly inTime?: boolean;
}

export interface ScoreReport {
  readonly run: { readonly start: string; readonly end: string; readonly devices: number };
  readonly faults: {
    readonly injected: number;
    readonly expectingDetection: number;
    readonly detected: number;
    readonly recall: number;
    /** Lifted before their deadline (e.g. the run stopped): nothing could be expected of the server. */
    readonly endedBeforeDeadline: number;
  };
  readonly detections: readonly Detection[];
  readonly missed: readonly Detection[];
  readonly late: readonly Detection[];
  /** Transition `at` − fault time. */
  readonly latencyMs: Figures;
  /** Transition `at` − expected deadline. */
  readonly latenessMs: Figures;
  readonly alerts: {
    readonly duringRun: number;
    readonly explained: number;
    readonly duringNoAlertFaults: number;
    readonly falseAlerts: readonly AlertView[];
  };
  readonly suppression: {
    readonly expected: number;
    readonly correct: number;
    readonly notified: readonly string[];
    readonly missing: readonly string[];
  };
  readonly commands: {
    readonly issued: number;
    readonly succeeded: number;
    /** Still QUEUED, SENT or DELIVERED when scored: left out of the rate. */
    readonly unfinished: number;
    /** SUCCEEDED / commands in a final state. */
    readonly successRate: number | null;
    readonly byStatus: Readonly<Record<string, number>>;
    readonly latencyMs: Figures;
  };
  readonly dispatch: DispatchScore;
  /**
   * When OFFLINE transitions were committed and published, after their deadline: the server's
   * `landside_detection_latency_seconds` histogram (since the server started; undefined when
   * /metrics is out of reach). Transitions are stamped with the instant they became true, so the
   * lateness above is ~0 by construction; this is the delay before anyone could see them.
   */
  readonly publishDelay?: PublishDelay;
}

export interface PublishDelay {
  readonly count: number;
  /** Published within SPEC §5's second of the deadline. */
  readonly withinOneSecond: number;
  /** The histogram bucket holding the median / the 99th percentile: "at most this many seconds". */
  readonly p50AtMostS: number | null;
  readonly p99AtMostS: number | null;
}

/**
 * `ok` when every invariant held, `violated` when one did not, `n/a` when the run drove no
 * dispatch. `source`: where the match records came from (the audit log needs an ADMIN token).
 */
export type DispatchScore =
  | { readonly status: 'n/a'; readonly reason: string }
  | ({ readonly status: 'ok' | 'violated'; readonly source: 'audit log' | 'stand topics' } & DispatchInvariants);

export interface ScoreOptions {
  readonly url: string;
  /** An OPERATOR or ADMIN token. */
  readonly token: string;
  readonly truth: readonly TruthEntry[];
  /** After a recovery, how long an alert may still open and be explained by it; default 5 s. */
  readonly graceMs?: number;
  /** Added to SPEC's one second when judging a detection in time; default 0. */
  readonly slackMs?: number;
  readonly concurrency?: number;
}

export interface Thresholds {
  readonly minRecall?: number;
  readonly maxFalseAlerts?: number;
  /** Max detection latency from the fault's time. */
  readonly maxLatencyMs?: number;
  /** Max lateness past the deadline. */
  readonly maxLatenessMs?: number;
  readonly minCommandSuccess?: number;
  /** Max taxis or tickets matched twice (0 is the only right answer). */
  readonly maxDoubleMatches?: number;
  /** Fail on any passenger or taxi FIFO violation. */
  readonly requireFifo?: boolean;
}

/** Which alert kinds a fault explains. */
const EXPLAINS: Record<Expectation, readonly string[]> = {
  OFFLINE: ['OFFLINE'],
  FAULT: ['FAULT'],
  DEGRADED: ['DEGRADED'],
  FLAPPING: ['FLAPPING', 'FAULT', 'DEGRADED', 'OFFLINE'],
  SUPPRESSED: ['OFFLINE'],
  NONE: ['OFFLINE', 'FAULT', 'DEGRADED', 'FLAPPING'],
};

const EARLY_MS = 1000;
/** Command statuses that are not final yet (SPEC §6). */
const UNFINISHED = ['QUEUED', 'SENT', 'DELIVERED'];

export function figures(values: readonly number[]): Figures {
  if (values.length === 0) return { count: 0, p50: null, p95: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1]! };
}

const ms = (iso: string): number => Date.parse(iso);

export async function score(options: ScoreOptions): Promise<ScoreReport> {
  const api = new Api(options.url, options.token);
  const graceMs = options.graceMs ?? 5000;
  const slackMs = options.slackMs ?? 0;
  const concurrency = options.concurrency ?? 4;
  const truth = options.truth;

  const starts = truth.filter((e) => e.event === 'run-start');
  const start = starts[0];
  if (!start) throw new Error('the ground truth has no run-start entry');
  const endEntry = [...truth].reverse().find((e) => e.event === 'run-end');
  const runStart = ms(start.at);
  const runEnd = endEntry ? ms(endEntry.at) : Date.now();
  const faults = truth.filter((e): e is FaultEntry => e.event === 'fault');
  const recoveries = new Map<string, number>();
  for (const e of truth) if (e.event === 'recovery') recoveries.set(e.id, ms(e.at));
  const windowOf = (f: FaultEntry): [number, number] => [ms(f.at) - EARLY_MS, (recoveries.get(f.id) ?? runEnd) + graceMs];
  /** A fault lifted before its deadline + SPEC's second (the run stopped under it): nothing was due yet. */
  const endedEarly = (f: FaultEntry): boolean => f.deadline !== undefined && (recoveries.get(f.id) ?? runEnd) < ms(f.deadline) + 1000;
  const judged = faults.filter((f) => f.deviceId !== '*' && f.expect !== 'NONE' && !endedEarly(f));

  // what the server recorded
  const watched = new Set<string>();
  for (const f of judged) {
    watched.add(f.deviceId);
    if (f.parentId !== undefined) watched.add(f.parentId);
  }
  const ids = [...watched];
  const histories = new Map<string, TransitionView[]>();
  await mapLimit(ids, concurrency, async (id) => {
    const items = await collectPages<TransitionView>(api, `/api/devices/${encodeURIComponent(id)}/history`, (t) => ms(t.at) < runStart - EARLY_MS);
    histories.set(id, items.reverse());
  });
  const alerts = await collectPages<AlertView>(api, '/api/alerts', (a) => ms(a.openedAt) < runStart - EARLY_MS);
  const alertsOf = new Map<string, AlertView[]>();
  for (const a of alerts) alertsOf.set(a.deviceId, [...(alertsOf.get(a.deviceId) ?? []), a]);

  // detections
  const detections: Detection[] = [];
  const firstIn = (id: string, from: number, to: number, match: (t: TransitionView) => boolean): TransitionView | undefined =>
    (histories.get(id) ?? []).find((t) => ms(t.at) >= from && ms(t.at) <= to && match(t));
  const suppression = { expected: 0, correct: 0, notified: [] as string[], missing: [] as string[] };
  for (const f of judged) {
    const [from, to] = windowOf(f);
    let hit: { at: string; reason: string } | undefined;
    switch (f.expect) {
      case 'OFFLINE':
      case 'SUPPRESSED':
      case 'FAULT':
      case 'DEGRADED': {
        const state = f.expect === 'SUPPRESSED' ? 'OFFLINE' : f.expect;
        const t = firstIn(f.deviceId, from, to, (x) => x.to === state);
        if (t) hit = { at: t.at, reason: t.reason };
        break;
      }
      case 'FLAPPING': {
        const t = firstIn(f.deviceId, from, to, (x) => x.flapping);
        const alert = (alertsOf.get(f.deviceId) ?? []).find((a) => a.kind === 'FLAPPING' && ms(a.openedAt) >= from && ms(a.openedAt) <= to);
        if (t) hit = { at: t.at, reason: 'flapping transition' };
        else if (alert) hit = { at: alert.openedAt, reason: 'FLAPPING alert' };
        break;
      }
      case 'NONE':
        break; // not judged (filtered out above)
    }
    const base = { faultId: f.id, deviceId: f.deviceId, fault: f.fault, expect: f.expect };
    if (!hit) {
      detections.push({ ...base, detected: false });
    } else {
      const at = ms(hit.at);
      const deadline = f.deadline === undefined ? undefined : ms(f.deadline);
      const latenessMs = deadline === undefined ? undefined : at - deadline;
      detections.push({
        ...base,
        detected: true,
        at: hit.at,
        reason: hit.reason,
        latencyMs: at - ms(f.at),
        ...(latenessMs !== undefined ? { latenessMs, inTime: latenessMs <= 1000 + slackMs } : {}),
      });
    }
    if (f.expect === 'SUPPRESSED') {
      suppression.expected++;
      const alert = (alertsOf.get(f.deviceId) ?? []).find((a) => a.kind === 'OFFLINE' && ms(a.openedAt) >= from && ms(a.openedAt) <= to);
      const parentDown = f.parentId === undefined ? undefined : firstIn(f.parentId, from, to, (x) => x.to === 'OFFLINE');
      if (!alert) suppression.missing.push(f.deviceId);
      else if (alert.suppressed && parentDown !== undefined && ms(alert.openedAt) >= ms(parentDown.at)) suppression.correct++;
      else suppression.notified.push(f.deviceId);
    }
  }

  // alerts
  let explained = 0;
  let duringNoAlertFaults = 0;
  const falseAlerts: AlertView[] = [];
  const duringRun = alerts.filter((a) => ms(a.openedAt) >= runStart && ms(a.openedAt) <= runEnd);
  for (const a of duringRun) {
    const t = ms(a.openedAt);
    const explainers = faults.filter((f) => {
      if (f.deviceId !== a.deviceId && f.deviceId !== '*') return false;
      const [from, to] = windowOf(f);
      return t >= from && t <= to && EXPLAINS[f.expect].includes(a.kind);
    });
    if (explainers.some((f) => f.expect !== 'NONE')) explained++;
    else if (explainers.length > 0) duringNoAlertFaults++;
    else falseAlerts.push(a);
  }

  // commands
  const commandEntries = truth.filter((e) => e.event === 'command');
  const views = await mapLimit(commandEntries, concurrency, async (c) => {
    try {
      return await api.get<CommandView>(`/api/commands/${encodeURIComponent(c.commandId)}`);
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined;
      throw e;
    }
  });
  const byStatus: Record<string, number> = {};
  const commandLatency: number[] = [];
  for (const v of views) {
    const status = v?.status ?? 'MISSING';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (v?.status === 'SUCCEEDED' && v.completedAt !== null) commandLatency.push(ms(v.completedAt) - ms(v.issuedAt));
  }
  const succeeded = byStatus['SUCCEEDED'] ?? 0;
  const unfinished = UNFINISHED.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
  const finished = commandEntries.length - unfinished;

  const publishDelay = await readPublishDelay(options.url);
  const dispatch = await scoreDispatch(api, truth, start.at, new Date(runEnd + graceMs).toISOString(), start.stands);

  const expecting = detections.length;
  const detected = detections.filter((d) => d.detected);
  return {
    run: { start: start.at, end: new Date(runEnd).toISOString(), devices: start.devices },
    faults: {
      injected: faults.length,
      expectingDetection: expecting,
      detected: detected.length,
      recall: expecting === 0 ? 1 : detected.length / expecting,
      endedBeforeDeadline: faults.filter(endedEarly).length,
    },
    detections,
    missed: detections.filter((d) => !d.detected),
    late: detections.filter((d) => d.inTime === false),
    latencyMs: figures(detected.map((d) => d.latencyMs!)),
    latenessMs: figures(detected.filter((d) => d.latenessMs !== undefined).map((d) => d.latenessMs!)),
    alerts: { duringRun: duringRun.length, explained, duringNoAlertFaults, falseAlerts },
    suppression,
    commands: {
      issued: commandEntries.length,
      succeeded,
      unfinished,
      successRate: finished === 0 ? null : succeeded / finished,
      byStatus,
      latencyMs: figures(commandLatency),
    },
    dispatch,
    ...(publishDelay ? { publishDelay } : {}),
  };
}

/** `landside_detection_latency_seconds` from /metrics, over every reason; undefined if unavailable. */
async function readPublishDelay(baseUrl: string): Promise<PublishDelay | undefined> {
  let text: string;
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^landside_detection_latency_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/.exec(line);
    if (!m) continue;
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  const count = buckets.get(Infinity) ?? 0;
  if (count === 0) return { count: 0, withinOneSecond: 0, p50AtMostS: null, p99AtMostS: null };
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const atMost = (q: number): number => bounds.find((le) => (buckets.get(le) ?? 0) >= q * count) ?? Infinity;
  return { count, withinOneSecond: buckets.get(1) ?? 0, p50AtMostS: atMost(0.5), p99AtMostS: atMost(0.99) };
}

interface AuditRow {
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly target: string | null;
  readonly details: Record<string, unknown>;
}

const MATCH_ACTIONS: Record<string, MatchRecord['kind']> = { 'match.created': 'created', 'match.released': 'released', 'match.completed': 'completed' };

/** The run's match records from the audit log; undefined when the token may not read it. */
async function auditMatches(api: Api, from: string, to: string): Promise<MatchRecord[] | undefined> {
  const out: MatchRecord[] = [];
  for (const [action, kind] of Object.entries(MATCH_ACTIONS)) {
    let rows: AuditRow[];
    try {
      rows = await collectPages<AuditRow>(api, `/api/audit?action=${action}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    } catch (e) {
      if (e instanceof HttpError && (e.status === 401 || e.status === 403)) return undefined;
      throw e;
    }
    for (const r of rows) {
      const d = r.details;
      out.push({
        kind,
        at: r.at,
        seq: Number(r.id),
        zoneId: String(d['zoneId']),
        matchId: r.target ?? '',
        plate: String(d['plate']),
        ticket: String(d['ticket']),
        ...(typeof d['queue'] === 'string' ? { queue: d['queue'] } : {}),
        ...(typeof d['vehicleClass'] === 'string' ? { vehicleClass: d['vehicleClass'] } : {}),
      });
    }
  }
  return out;
}

async function scoreDispatch(api: Api, truth: readonly TruthEntry[], from: string, to: string, stands?: readonly string[]): Promise<DispatchScore> {
  if (stands !== undefined && stands.length === 0) return { status: 'n/a', reason: 'the run drove no taxi stand' };
  // only the run's own stands (other airports, the demo, or earlier runs may share the server)
  const ours = (zoneId: string): boolean => stands === undefined || zoneId === '*' || stands.includes(zoneId);
  const seen = truth.filter((e): e is DispatchEntry => e.event === 'dispatch' && ours(e.zoneId));
  const audited = await auditMatches(api, from, to);
  const records = (audited ?? matchRecordsFromTruth(seen)).filter((r) => ours(r.zoneId));
  if (seen.length === 0 && records.length === 0) return { status: 'n/a', reason: 'the run drove no taxi dispatch' };
  // passengers' places by their tickets' issue times when the run saw them issued (right across midnight)
  const issues = seen.some((e) => e.kind === 'dispatch.ticket-issued') ? ticketIssuesFromTruth(seen) : undefined;
  const invariants = { ...checkMatches(records, issues), taxiFifo: checkTaxiFifo(seen) };
  const violated = invariants.doubleMatches.length > 0 || invariants.passengerFifo.violations.length > 0 || invariants.taxiFifo.violations.length > 0;
  return { status: violated ? 'violated' : 'ok', source: audited ? 'audit log' : 'stand topics', ...invariants };
}

/** The thresholds a report misses, as messages (empty: all met). */
export function checkThresholds(report: ScoreReport, t: Thresholds): string[] {
  const out: string[] = [];
  if (t.minRecall !== undefined && report.faults.recall < t.minRecall) out.push(`recall ${report.faults.recall.toFixed(3)} < ${t.minRecall}`);
  if (t.maxFalseAlerts !== undefined && report.alerts.falseAlerts.length > t.maxFalseAlerts) {
    out.push(`false alerts ${report.alerts.falseAlerts.length} > ${t.maxFalseAlerts}`);
  }
  if (t.maxLatencyMs !== undefined && (report.latencyMs.max ?? 0) > t.maxLatencyMs) out.push(`max detection latency ${report.latencyMs.max} ms > ${t.maxLatencyMs} ms`);
  if (t.maxLatenessMs !== undefined && (report.latenessMs.max ?? 0) > t.maxLatenessMs) out.push(`max lateness past deadline ${report.latenessMs.max} ms > ${t.maxLatenessMs} ms`);
  if (t.minCommandSuccess !== undefined && report.commands.successRate !== null && report.commands.successRate < t.minCommandSuccess) {
    out.push(`command success ${report.commands.successRate.toFixed(3)} < ${t.minCommandSuccess}`);
  }
  const d = report.dispatch;
  if (d.status !== 'n/a') {
    if (t.maxDoubleMatches !== undefined && d.doubleMatches.length > t.maxDoubleMatches) out.push(`double matches ${d.doubleMatches.length} > ${t.maxDoubleMatches}`);
    const fifo = d.passengerFifo.violations.length + d.taxiFifo.violations.length;
    if (t.requireFifo === true && fifo > 0) out.push(`FIFO broken ${fifo} times`);
  }
  return out;
}

const f = (v: number | null): string => (v === null ? '-' : `${Math.round(v)}`);
const line = (name: string, x: Figures): string => `${name}: p50 ${f(x.p50)} ms, p95 ${f(x.p95)} ms, max ${f(x.max)} ms (n=${x.count})`;

export function formatReport(r: ScoreReport): string {
  const lines = [
    `run ${r.run.start} .. ${r.run.end}, ${r.run.devices} devices`,
    `faults injected: ${r.faults.injected} (expecting detection: ${r.faults.expectingDetection}; lifted before their deadline, not judged: ${r.faults.endedBeforeDeadline})`,
    `detection recall: ${r.faults.detected}/${r.faults.expectingDetection} = ${r.faults.recall.toFixed(3)}`,
    `  ${line('latency from fault', r.latencyMs)}`,
    `  ${line('lateness vs deadline (last heartbeat + interval x tolerance)', r.latenessMs)}`,
    `  detections later than deadline + 1 s: ${r.late.length}`,
    `false alerts: ${r.alerts.falseAlerts.length} (alerts opened during the run: ${r.alerts.duringRun}, explained by faults: ${r.alerts.explained}, during no-alert faults: ${r.alerts.duringNoAlertFaults})`,
    `alerts suppressed under a down parent: ${r.suppression.correct}/${r.suppression.expected}` +
      (r.suppression.notified.length ? `, notified: ${r.suppression.notified.join(' ')}` : '') +
      (r.suppression.missing.length ? `, no alert recorded: ${r.suppression.missing.join(' ')}` : ''),
    `commands: ${r.commands.succeeded}/${r.commands.issued - r.commands.unfinished} finished ones succeeded` +
      (r.commands.successRate === null ? '' : ` (${r.commands.successRate.toFixed(3)})`) +
      `, ${r.commands.unfinished} still in flight ${JSON.stringify(r.commands.byStatus)}; ${line('latency', r.commands.latencyMs)}`,
    dispatchLine(r.dispatch),
    r.publishDelay === undefined
      ? 'publish delay after deadline: n/a (/metrics out of reach)'
      : `OFFLINE published after its deadline (server histogram since start): ${r.publishDelay.withinOneSecond}/${r.publishDelay.count} within 1 s, ` +
        `median <= ${r.publishDelay.p50AtMostS ?? '-'} s, p99 <= ${r.publishDelay.p99AtMostS ?? '-'} s`,
  ];
  for (const m of r.missed) lines.push(`  missed: ${m.faultId} ${m.fault} on ${m.deviceId} (expected ${m.expect})`);
  for (const d of r.late) lines.push(`  late: ${d.faultId} ${d.fault} on ${d.deviceId}: ${d.latenessMs} ms past deadline`);
  for (const a of r.alerts.falseAlerts) lines.push(`  false alert: ${a.kind} on ${a.deviceId} opened ${a.openedAt} (${a.reason ?? '-'})`);
  if (r.dispatch.status !== 'n/a') {
    for (const v of [...r.dispatch.doubleMatches, ...r.dispatch.passengerFifo.violations, ...r.dispatch.taxiFifo.violations]) lines.push(`  dispatch: ${v}`);
  }
  return lines.join('\n');
}

function dispatchLine(d: DispatchScore): string {
  if (d.status === 'n/a') return `dispatch invariants: n/a (${d.reason})`;
  return (
    `dispatch invariants: ${d.status} (${d.source}): ${d.matches} matches (${d.released} released, ${d.completed} picked up); ` +
    `double matches ${d.doubleMatches.length}; passenger FIFO ${d.passengerFifo.violations.length} broken of ${d.passengerFifo.checked}; ` +
    `taxi FIFO ${d.taxiFifo.violations.length} broken of ${d.taxiFifo.checked}`
  );
}
