/**
 * Guidance-sign updates (SPEC §5b): each GUIDANCE_SIGN bound to a zone (a car park or a level) is
 * sent a DISPLAY_MESSAGE when its text changes, at most once per `minIntervalMs` per sign, and
 * always ends on the latest text (trailing edge). Pure: the caller passes `now` (epoch ms) and arms
 * one timer for `next()`, calling `due(now)` when it fires.
 */
import type { ZoneOccupancy } from './occupancy';

export const DEFAULT_SIGN_MIN_INTERVAL_MS = 2000;

/** The exact texts a sign shows. */
export const SIGN_TEXTS = {
  /** The zone (or a zone above it) is closed by an admin. */
  CLOSED: 'CLOSED',
  /** No available bay, and at least one bay's state is known. */
  FULL: 'FULL',
  /** Every bay is UNKNOWN (or the zone has no bays): the sign claims neither free nor full. */
  NO_DATA: '---',
} as const;

/** `FREE 123`: the number of available (free, open) bays; UNKNOWN bays are never included. */
export function freeText(available: number): string {
  return `FREE ${available}`;
}

/** What a sign needs from a zone's occupancy (an OccupancyChanged or ZoneOccupancy fits). */
export type SignCounts = Pick<ZoneOccupancy, 'total' | 'unknown' | 'available' | 'closed'>;

/**
 * The text for a zone: CLOSED if closed; `FREE n` if n > 0 bays are available; `---` if nothing
 * is known (every bay UNKNOWN, or no bays); otherwise FULL.
 */
export function signText(c: SignCounts): string {
  if (c.closed) return SIGN_TEXTS.CLOSED;
  if (c.available > 0) return freeText(c.available);
  if (c.unknown >= c.total) return SIGN_TEXTS.NO_DATA;
  return SIGN_TEXTS.FULL;
}

export interface SignBinding {
  readonly signId: string;
  readonly zoneId: string;
}

/** A DISPLAY_MESSAGE to send to a sign. */
export interface SignSend {
  readonly signId: string;
  readonly zoneId: string;
  readonly text: string;
  readonly at: number;
}

export type SignDecision =
  | ({ readonly type: 'SEND' } & SignSend)
  /** The text will be sent by `due()` at `scheduleAt` (unless it changes back first). */
  | { readonly type: 'SCHEDULED'; readonly signId: string; readonly zoneId: string; readonly text: string; readonly scheduleAt: number }
  /** Nothing to send: the sign shows (or was last sent) this text; a pending send, if any, is dropped. */
  | { readonly type: 'UNCHANGED'; readonly signId: string; readonly text: string };

export interface SignDebouncerOptions {
  /** Minimum time between two sends to one sign; default 2000 ms. */
  readonly minIntervalMs?: number;
}

interface SignSlot {
  zoneId: string;
  sentText?: string;
  sentAt?: number;
  pending?: { text: string; at: number };
}

export class SignDebouncer {
  readonly minIntervalMs: number;
  private readonly signs = new Map<string, SignSlot>();

  constructor(options: SignDebouncerOptions = {}) {
    const ms = options.minIntervalMs ?? DEFAULT_SIGN_MIN_INTERVAL_MS;
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`minIntervalMs must be a non-negative number, got ${ms}`);
    this.minIntervalMs = ms;
  }

  /** New counts for the zone a sign is bound to (also how a sign gets its first text). */
  onCounts(binding: SignBinding, counts: SignCounts, now: number): SignDecision {
    checkTime(now);
    const { signId, zoneId } = binding;
    const text = signText(counts);
    let slot = this.signs.get(signId);
    if (!slot) {
      slot = { zoneId };
      this.signs.set(signId, slot);
    }
    slot.zoneId = zoneId;

    if (text === slot.sentText) {
      slot.pending = undefined; // back to what the sign already shows: nothing to send
      return { type: 'UNCHANGED', signId, text };
    }
    if (slot.pending && now < slot.pending.at) {
      slot.pending.text = text;
      return { type: 'SCHEDULED', signId, zoneId, text, scheduleAt: slot.pending.at };
    }
    const earliest = slot.sentAt === undefined ? now : slot.sentAt + this.minIntervalMs;
    if (now >= earliest) {
      slot.pending = undefined; // a due send the timer has not flushed yet: this newer text replaces it
      slot.sentText = text;
      slot.sentAt = now;
      return { type: 'SEND', signId, zoneId, text, at: now };
    }
    slot.pending = { text, at: earliest };
    return { type: 'SCHEDULED', signId, zoneId, text, scheduleAt: earliest };
  }

  /** Pending sends due at `now`, earliest first (then by sign id). Each is marked sent at `now`. */
  due(now: number): SignSend[] {
    checkTime(now);
    const due: Array<{ signId: string; slot: SignSlot; text: string; at: number }> = [];
    for (const [signId, slot] of this.signs) {
      if (slot.pending && slot.pending.at <= now) due.push({ signId, slot, text: slot.pending.text, at: slot.pending.at });
    }
    due.sort((a, b) => a.at - b.at || (a.signId < b.signId ? -1 : a.signId > b.signId ? 1 : 0));
    return due.map(({ signId, slot, text }) => {
      slot.pending = undefined;
      slot.sentText = text;
      slot.sentAt = now;
      return { signId, zoneId: slot.zoneId, text, at: now };
    });
  }

  /** The earliest pending send, for the adapter's single timer; undefined when nothing is pending. */
  next(): number | undefined {
    let min: number | undefined;
    for (const slot of this.signs.values()) if (slot.pending && (min === undefined || slot.pending.at < min)) min = slot.pending.at;
    return min;
  }

  /** The last text sent to a sign, and when. */
  displayed(signId: string): { readonly text: string; readonly at: number } | undefined {
    const s = this.signs.get(signId);
    return s?.sentText !== undefined && s.sentAt !== undefined ? { text: s.sentText, at: s.sentAt } : undefined;
  }

  /** The text waiting for the interval to end, and when it will be sent. */
  pending(signId: string): { readonly text: string; readonly at: number } | undefined {
    const p = this.signs.get(signId)?.pending;
    return p ? { text: p.text, at: p.at } : undefined;
  }

  /** Drops what is known about a sign (unbound, or it lost its display): its next counts are sent at once. */
  forget(signId: string): void {
    this.signs.delete(signId);
  }
}

function checkTime(now: number): void {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite epoch ms, got ${now}`);
}
