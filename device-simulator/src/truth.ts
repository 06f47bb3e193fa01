/**
 * The ground-truth log: one JSON object per line, appended as things happen, so the scorer can
 * compare what was done to the devices with what the server recorded. Times are ISO-8601 from
 * the simulator's clock (run it on the server's host, or with synchronised clocks).
 *
 *   {"event":"run-start","at":…,"url":…,"devices":240}
 *   {"event":"fault","at":…,"id":"f7","deviceId":"T1-IN01-GATE","fault":"CRASH","expect":"OFFLINE",
 *    "lastHeartbeatAt":…,"deadline":…,"windowMs":2000,"plannedMs":6000}
 *   {"event":"recovery","at":…,"id":"f7","deviceId":"T1-IN01-GATE","fault":"CRASH"}
 *   {"event":"command","at":…,"deviceId":"T1-IN01-GATE","commandId":"…","type":"OPEN_GATE"}
 *   {"event":"dispatch","at":…,"zoneId":"T1-TAXI","kind":"dispatch.called","plate":"서울32바1234",…}
 *   {"event":"run-end","at":…}
 */
import { appendFileSync, readFileSync } from 'node:fs';

export const FAULT_KINDS = [
  'CRASH',
  'HANG',
  'NETWORK_CUT',
  'COMPONENT_DEGRADED',
  'COMPONENT_FAULT',
  'FLAPPING',
  'SLOW_CONSUMER',
  'RECONNECT_STORM',
  'TOKEN_EXPIRY',
  'PARENT_DOWN',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * What the server should record for the device: a transition to that state (OFFLINE, FAULT,
 * DEGRADED), a flapping episode (FLAPPING), an OFFLINE whose alert is suppressed because its
 * parent is down (SUPPRESSED), or nothing at all (NONE: the device must ride it out).
 */
export const EXPECTATIONS = ['OFFLINE', 'FAULT', 'DEGRADED', 'FLAPPING', 'SUPPRESSED', 'NONE'] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

export interface RunStartEntry {
  readonly event: 'run-start';
  readonly at: string;
  readonly url: string;
  readonly devices: number;
  readonly seed: number;
  /** The taxi stands the run drives: the dispatch score looks at these only. */
  readonly stands?: readonly string[];
}

export interface RunEndEntry {
  readonly event: 'run-end';
  readonly at: string;
}

export interface FaultEntry {
  readonly event: 'fault';
  /** When the fault took hold (for TOKEN_EXPIRY: when the server closed the expired session). */
  readonly at: string;
  /** Pairs the fault with its recovery. */
  readonly id: string;
  /** `*` for a fault of every device at once (RECONNECT_STORM). */
  readonly deviceId: string;
  readonly fault: FaultKind;
  readonly expect: Expectation;
  /** For SUPPRESSED: the parent whose outage explains the device's. */
  readonly parentId?: string;
  /** The device's last heartbeat before the fault (sent), if any. */
  readonly lastHeartbeatAt?: string;
  /**
   * When the server should have seen it at the latest, before SPEC §5's extra second: last
   * heartbeat + interval × tolerance for silence, the first reporting heartbeat for FAULT and
   * DEGRADED, the fifth state change for FLAPPING.
   */
  readonly deadline?: string;
  readonly windowMs: number;
  /** How long the fault is meant to last. */
  readonly plannedMs: number;
  /** RECONNECT_STORM: how many devices. */
  readonly devices?: number;
}

export interface RecoveryEntry {
  readonly event: 'recovery';
  readonly at: string;
  readonly id: string;
  readonly deviceId: string;
  readonly fault: FaultKind;
}

export interface CommandEntry {
  readonly event: 'command';
  readonly at: string;
  readonly deviceId: string;
  readonly commandId: string;
  readonly type: string;
}

/**
 * A dispatch decision as the server published it on `/topic/dispatch/{zoneId}` (SPEC §7), in the
 * order the simulator received it: `kind` is the topic's (`dispatch.called`, …), `at` the server's.
 */
export interface DispatchEntry {
  readonly event: 'dispatch';
  readonly at: string;
  readonly zoneId: string;
  readonly kind: string;
  readonly plate?: string;
  readonly ticket?: string;
  readonly queue?: string | null;
  readonly vehicleClass?: string;
  readonly priority?: boolean;
  readonly position?: string;
  readonly matchId?: string;
  readonly side?: string;
}

/** A `dispatch` entry's kind when the observer reconnected: decisions may be missing before it. */
export const OBSERVER_GAP = 'observer-reconnected';

export type TruthEntry = RunStartEntry | RunEndEntry | FaultEntry | RecoveryEntry | CommandEntry | DispatchEntry;

/**
 * Where entries go: kept in memory for the library caller (unless `keep` is false: a demo that
 * runs for days scores nothing and must not grow), appended to a file if given.
 */
export class TruthLog {
  readonly entries: TruthEntry[] = [];

  constructor(
    private readonly file?: string,
    private readonly listener?: (entry: TruthEntry) => void,
    private readonly keep = true,
  ) {}

  append(entry: TruthEntry): void {
    if (this.keep) this.entries.push(entry);
    // synchronous append: a crash of the simulator keeps every line written so far
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.listener?.(entry);
  }
}

export function readTruthFile(path: string): TruthEntry[] {
  return parseTruth(readFileSync(path, 'utf8'));
}

export function parseTruth(text: string): TruthEntry[] {
  const out: TruthEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || typeof (value as { event?: unknown }).event !== 'string') {
      throw new Error(`truth line ${i + 1}: not a ground-truth entry`);
    }
    out.push(value as TruthEntry);
  });
  return out;
}
