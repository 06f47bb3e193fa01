/**
 * Parking sessions (SPEC §5b): PLATE_READ at a PARK_ENTRY lane opens a session, at a PARK_EXIT lane
 * closes the open session of that plate (duration kept). Plates are matched only by equality after
 * `normalizePlate`; low-confidence reads are flagged for review and never silently matched.
 * Pure: every input carries its time (epoch ms). The domain holds open sessions only; closed
 * sessions, flags and exceptions are the adapter's to persist from the events returned.
 *
 * Rules (see README.md):
 *  - confident entry, no open session: SESSION_OPENED.
 *  - confident entry, plate already has an open session: the earlier session ends as
 *    EXCEPTION DUPLICATE_ENTRY (no exit, no duration), then SESSION_OPENED for the new entry.
 *  - low-confidence entry, no open session: SESSION_OPENED with `review: true`, then READ_FLAGGED
 *    naming it; a review session can be closed by a confident exit of the same plate (the close
 *    says `review: true`) or by an operator.
 *  - low-confidence entry, plate already has an open session: READ_FLAGGED only (candidate named);
 *    the open session is untouched and no second session is opened.
 *  - confident exit with an open session: SESSION_CLOSED{durationS}.
 *  - confident exit without one: EXCEPTION EXIT_WITHOUT_ENTRY.
 *  - low-confidence exit: READ_FLAGGED only (candidate named); it never closes a session and is
 *    not an exception.
 *  - a plate that normalizes to nothing: READ_FLAGGED UNREADABLE_PLATE, whatever the confidence.
 *  - repeats: a read of a plate at the lane where its open session was entered, within
 *    `repeatWindowMs` of the entry, or at the lane where its last session was closed, within
 *    `repeatWindowMs` of the exit, is the same passage read twice: ignored (no event).
 *  - reads at lanes of any other kind (taxi lot, curb, through) are not parking's: ignored.
 */
import { isReadablePlate, normalizePlate } from './plate';
import { ParkingError } from './topology';

export const LANE_KINDS = ['PARK_ENTRY', 'PARK_EXIT', 'LOT_ENTRY', 'LOT_EXIT', 'CURB', 'THROUGH'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];

export const DEFAULT_MIN_CONFIDENCE = 0.8;
export const DEFAULT_REPEAT_WINDOW_MS = 30_000;

/** A PLATE_READ event (SPEC §4) with its lane resolved by the adapter. */
export interface PlateRead {
  readonly plate: string;
  readonly confidence: number;
  readonly laneId: string;
  readonly laneKind: LaneKind;
  /** Epoch ms. */
  readonly at: number;
  /** The reading device and the stored event's id, carried into flags and exceptions. */
  readonly deviceId?: string;
  readonly readId?: string;
}

export interface ParkingSession {
  readonly id: string;
  /** Normalized. */
  readonly plate: string;
  /** As read at entry. */
  readonly rawPlate: string;
  readonly entryAt: number;
  readonly entryLaneId: string;
  readonly confidence: number;
  /** Opened by a low-confidence read: an operator should check it. */
  readonly review: boolean;
}

export type Direction = 'ENTRY' | 'EXIT';

export interface SessionOpened {
  readonly type: 'SESSION_OPENED';
  readonly session: ParkingSession;
  readonly at: number;
}

export interface SessionClosed {
  readonly type: 'SESSION_CLOSED';
  readonly session: ParkingSession;
  readonly exitAt: number;
  /** Undefined when closed by an operator without naming a lane. */
  readonly exitLaneId?: string;
  /** Whole seconds from entry to exit (never negative). */
  readonly durationS: number;
  /** The session was opened by a low-confidence read (or closed by an operator). */
  readonly review: boolean;
  readonly closedBy: 'EXIT_READ' | 'OPERATOR';
  /** The operator, when closedBy is OPERATOR. */
  readonly by?: string;
  readonly exitConfidence?: number;
  readonly at: number;
}

export type FlagReason = 'LOW_CONFIDENCE' | 'UNREADABLE_PLATE';

export interface ReadFlagged {
  readonly type: 'READ_FLAGGED';
  readonly reason: FlagReason;
  readonly direction: Direction;
  /** Normalized ('' when unreadable). */
  readonly plate: string;
  readonly rawPlate: string;
  readonly confidence: number;
  readonly laneId: string;
  readonly deviceId?: string;
  readonly readId?: string;
  /** The review session this read opened (low-confidence entry). */
  readonly sessionId?: string;
  /** An open session with the same plate that the read was NOT matched to: for the reviewer. */
  readonly candidateSessionId?: string;
  readonly at: number;
}

export type ExceptionKind = 'EXIT_WITHOUT_ENTRY' | 'DUPLICATE_ENTRY';

export interface SessionException {
  readonly type: 'EXCEPTION';
  readonly kind: ExceptionKind;
  readonly plate: string;
  readonly rawPlate: string;
  readonly laneId: string;
  readonly deviceId?: string;
  readonly readId?: string;
  /** DUPLICATE_ENTRY: the earlier session, which ends here without an exit. */
  readonly session?: ParkingSession;
  readonly at: number;
}

export type SessionEvent = SessionOpened | SessionClosed | ReadFlagged | SessionException;

export interface ParkingSessionsOptions {
  /** Reads below this confidence are flagged for review; default 0.8. */
  readonly minConfidence?: number;
  /** Same plate, same lane, within this window: one passage read twice; default 30 s. */
  readonly repeatWindowMs?: number;
  /** Session ids; default `ps-1`, `ps-2`, ... */
  readonly newId?: () => string;
}

interface RecentExit {
  readonly laneId: string;
  readonly at: number;
}

export class ParkingSessions {
  readonly minConfidence: number;
  readonly repeatWindowMs: number;
  private readonly newId: () => string;
  private readonly open = new Map<string, ParkingSession>(); // normalized plate -> session
  private readonly byId = new Map<string, ParkingSession>();
  /** Last close per plate, oldest first (re-inserted on update), pruned past the repeat window. */
  private readonly recentExits = new Map<string, RecentExit>();

  constructor(options: ParkingSessionsOptions = {}) {
    const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    if (!(min >= 0 && min <= 1)) throw new RangeError(`minConfidence must be within [0, 1], got ${min}`);
    const win = options.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS;
    if (!Number.isFinite(win) || win < 0) throw new RangeError(`repeatWindowMs must be a non-negative number, got ${win}`);
    this.minConfidence = min;
    this.repeatWindowMs = win;
    let seq = 0;
    this.newId = options.newId ?? ((): string => `ps-${++seq}`);
  }

  /** True when a read of this confidence may be matched without review. */
  isConfident(confidence: number): boolean {
    return Number.isFinite(confidence) && confidence >= this.minConfidence;
  }

  read(r: PlateRead): SessionEvent[] {
    checkTime(r.at);
    switch (r.laneKind) {
      case 'PARK_ENTRY':
        return this.entry(r);
      case 'PARK_EXIT':
        return this.exit(r);
      case 'LOT_ENTRY':
      case 'LOT_EXIT':
      case 'CURB':
      case 'THROUGH':
        return [];
    }
  }

  /** An operator closes a session (e.g. after reviewing a flagged exit read). */
  closeByOperator(sessionId: string, at: number, by: string, exitLaneId?: string): SessionClosed {
    checkTime(at);
    const s = this.byId.get(sessionId);
    if (!s) throw new ParkingError('not-found', `no open parking session ${sessionId}`, { sessionId });
    this.end(s);
    return {
      type: 'SESSION_CLOSED',
      session: s,
      exitAt: at,
      ...(exitLaneId !== undefined ? { exitLaneId } : {}),
      durationS: durationS(s.entryAt, at),
      review: true,
      closedBy: 'OPERATOR',
      by,
      at,
    };
  }

  /** Open sessions from storage after a restart (one per plate: a later duplicate is refused). */
  restore(sessions: readonly ParkingSession[]): void {
    for (const s of sessions) {
      const plate = normalizePlate(s.plate);
      if (this.open.has(plate) || this.byId.has(s.id)) throw new ParkingError('invalid', `session ${s.id}: plate ${plate} already has an open session`, { sessionId: s.id });
      const restored = { ...s, plate };
      this.open.set(plate, restored);
      this.byId.set(s.id, restored);
    }
  }

  openSessionOf(plate: string): ParkingSession | undefined {
    return this.open.get(normalizePlate(plate));
  }

  session(sessionId: string): ParkingSession | undefined {
    return this.byId.get(sessionId);
  }

  openSessions(): ParkingSession[] {
    return [...this.open.values()];
  }

  private entry(r: PlateRead): SessionEvent[] {
    const plate = normalizePlate(r.plate);
    if (!isReadablePlate(plate)) return [this.flag(r, plate, 'ENTRY', 'UNREADABLE_PLATE')];
    const current = this.open.get(plate);
    if (current && current.entryLaneId === r.laneId && r.at >= current.entryAt && r.at - current.entryAt <= this.repeatWindowMs) return [];

    if (!this.isConfident(r.confidence)) {
      if (current) return [this.flag(r, plate, 'ENTRY', 'LOW_CONFIDENCE', { candidateSessionId: current.id })];
      const s = this.start(r, plate, true);
      return [
        { type: 'SESSION_OPENED', session: s, at: r.at },
        this.flag(r, plate, 'ENTRY', 'LOW_CONFIDENCE', { sessionId: s.id }),
      ];
    }
    const out: SessionEvent[] = [];
    if (current) {
      this.end(current);
      out.push({ type: 'EXCEPTION', kind: 'DUPLICATE_ENTRY', ...this.readFields(r, plate), session: current, at: r.at });
    }
    out.push({ type: 'SESSION_OPENED', session: this.start(r, plate, false), at: r.at });
    return out;
  }

  private exit(r: PlateRead): SessionEvent[] {
    const plate = normalizePlate(r.plate);
    if (!isReadablePlate(plate)) return [this.flag(r, plate, 'EXIT', 'UNREADABLE_PLATE')];
    this.pruneExits(r.at);
    const current = this.open.get(plate);
    const last = this.recentExits.get(plate);
    if (!current && last && last.laneId === r.laneId && r.at >= last.at && r.at - last.at <= this.repeatWindowMs) return [];

    if (!this.isConfident(r.confidence)) {
      return [this.flag(r, plate, 'EXIT', 'LOW_CONFIDENCE', current ? { candidateSessionId: current.id } : {})];
    }
    if (!current) return [{ type: 'EXCEPTION', kind: 'EXIT_WITHOUT_ENTRY', ...this.readFields(r, plate), at: r.at }];
    this.end(current);
    this.recentExits.delete(plate);
    this.recentExits.set(plate, { laneId: r.laneId, at: r.at });
    return [
      {
        type: 'SESSION_CLOSED',
        session: current,
        exitAt: r.at,
        exitLaneId: r.laneId,
        durationS: durationS(current.entryAt, r.at),
        review: current.review,
        closedBy: 'EXIT_READ',
        exitConfidence: r.confidence,
        at: r.at,
      },
    ];
  }

  private start(r: PlateRead, plate: string, review: boolean): ParkingSession {
    const s: ParkingSession = { id: this.newId(), plate, rawPlate: r.plate, entryAt: r.at, entryLaneId: r.laneId, confidence: r.confidence, review };
    this.open.set(plate, s);
    this.byId.set(s.id, s);
    return s;
  }

  private end(s: ParkingSession): void {
    this.open.delete(s.plate);
    this.byId.delete(s.id);
  }

  private flag(
    r: PlateRead,
    plate: string,
    direction: Direction,
    reason: FlagReason,
    extra: { sessionId?: string; candidateSessionId?: string } = {},
  ): ReadFlagged {
    return { type: 'READ_FLAGGED', reason, direction, ...this.readFields(r, plate), confidence: r.confidence, ...extra, at: r.at };
  }

  private readFields(r: PlateRead, plate: string): { plate: string; rawPlate: string; laneId: string; deviceId?: string; readId?: string } {
    return {
      plate,
      rawPlate: r.plate,
      laneId: r.laneId,
      ...(r.deviceId !== undefined ? { deviceId: r.deviceId } : {}),
      ...(r.readId !== undefined ? { readId: r.readId } : {}),
    };
  }

  private pruneExits(now: number): void {
    for (const [plate, e] of this.recentExits) {
      if (now - e.at <= this.repeatWindowMs) break;
      this.recentExits.delete(plate);
    }
  }
}

function durationS(entryAt: number, exitAt: number): number {
  return Math.max(0, Math.floor((exitAt - entryAt) / 1000));
}

function checkTime(at: number): void {
  if (!Number.isFinite(at)) throw new RangeError(`at must be a finite epoch ms, got ${at}`);
}
