/**
 * One simulated device: its STOMP session (any {@link LinkKind}), heartbeats at its interval with
 * jitter, its commands (ACK, then a result a moment later), in-band token refresh before expiry,
 * reconnects with jittered exponential backoff, and the fault switches faults.ts turns.
 *
 * Kept small on purpose (thousands live in one process): a handful of fields, at most three
 * timers (heartbeat, token refresh, reconnect), no per-device event timers (traffic.ts drives
 * events for all devices from one timer).
 */
import type { CommandOutcome, DeviceReportedStatus, DeviceType } from '@landside/contracts';
import { healthOf, type AirportDevice } from './airport';
import { openLink, type InboundMessage, type Link, type LinkKind, type SocketTarget } from './links';
import type { DeviceTokenSource } from './provision';
import { backoffDelay, type Random } from './random';

export interface SimulatorStats {
  connects: number;
  reconnects: number;
  connected: number;
  heartbeats: number;
  events: number;
  eventsDropped: number;
  commandsReceived: number;
  commandResults: number;
  tokenFetches: number;
  tokenRefreshesInBand: number;
  tokenFailures: number;
  /** ERROR frames by error-code. */
  stompErrors: Record<string, number>;
  /** Messages on /user/queue/errors by error. */
  queueErrors: Record<string, number>;
}

export function emptyStats(): SimulatorStats {
  return {
    connects: 0,
    reconnects: 0,
    connected: 0,
    heartbeats: 0,
    events: 0,
    eventsDropped: 0,
    commandsReceived: 0,
    commandResults: 0,
    tokenFetches: 0,
    tokenRefreshesInBand: 0,
    tokenFailures: 0,
    stompErrors: {},
    queueErrors: {},
  };
}

export interface DeviceContext {
  readonly target: SocketTarget;
  readonly host: string;
  readonly tokens: DeviceTokenSource;
  readonly random: Random;
  /** Heartbeats go out every interval × (1 − jitter × U(0,1)): never later than the interval. */
  readonly heartbeatJitter: number;
  readonly stats: SimulatorStats;
  readonly firmware: string;
  /** A command result was sent (for command statistics). */
  readonly onCommandResult?: (deviceId: string, commandId: string, outcome: CommandOutcome) => void;
  /** An event the device raised itself (e.g. a gate's GATE_STATE after OPEN_GATE). */
  readonly log: (message: string) => void;
}

/** A component per type, for DEGRADED/FAULT heartbeats (SPEC §4 `components`). */
const COMPONENT: Record<DeviceType, { name: string; degraded: string; fault: string }> = {
  GATE: { name: 'barrier', degraded: 'ARM_SLOW', fault: 'MOTOR_OVERCURRENT' },
  LPR_CAMERA: { name: 'ir-lamp', degraded: 'IR_WEAK', fault: 'IR_LAMP_FAILED' },
  VEHICLE_DETECTOR: { name: 'loop', degraded: 'LOOP_DRIFT', fault: 'LOOP_OPEN' },
  GUIDANCE_CAMERA: { name: 'lens', degraded: 'LENS_DIRTY', fault: 'SENSOR_FAILED' },
  GUIDANCE_SIGN: { name: 'led-panel', degraded: 'ROW_DARK', fault: 'PANEL_FAILED' },
  PAYMENT_KIOSK: { name: 'printer', degraded: 'PAPER_LOW', fault: 'PAPER_JAM' },
  DISPATCH_KIOSK: { name: 'printer', degraded: 'PAPER_LOW', fault: 'PAPER_JAM' },
  TAXI_LOT_CAMERA: { name: 'ir-lamp', degraded: 'IR_WEAK', fault: 'IR_LAMP_FAILED' },
};

const COMMANDS_SUB = 'commands';
const ERRORS_SUB = 'errors';
const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 30_000;
/** Refresh a token at least this long before it expires. */
const REFRESH_LEAD_MS = 3000;

/** The `exp` claim of a JWT, epoch ms (the token is not verified: the server does that). */
function expiryOf(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class SimDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly intervalMs: number;
  readonly windowMs: number;

  private link: Link | undefined;
  private token: string | undefined;
  private tokenExpiresAt = 0;
  private tokenTtlMs = 0;
  /** A refreshed token to send in-band with the next frame. */
  private pendingAuth: string | undefined;
  /** The token the server holds for the current session. */
  private sessionToken: string | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private flapTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private bootedAt = Date.now();
  private attempts = 0;
  private retryAfterMs = 0;
  private stopped = true;
  private everConnected = false;
  private heardSinceConnect = false;

  /** Sent time of the last heartbeat that left the device (epoch ms). */
  lastHeartbeatAt: number | undefined;
  /** Results not sent yet. */
  private pendingResults = 0;
  /** Commands issued to it by the simulator and not answered yet. */
  private expected = 0;

  // fault switches
  private crashed = false;
  private hung = false;
  private cut = false;
  private paused = false;
  private status: DeviceReportedStatus = 'OK';
  private tokenExpiry: ((closedAt: number) => void) | undefined;
  private tokenHeld = false;

  private gate: 'OPEN' | 'CLOSED' = 'CLOSED';
  private gateCloseTimer: NodeJS.Timeout | undefined;
  /** Last few command ids and their outcome: redelivery reuses the id (at-least-once). */
  private readonly recent = new Map<string, CommandOutcome>();

  constructor(
    readonly spec: AirportDevice,
    readonly kind: LinkKind,
    private readonly ctx: DeviceContext,
  ) {
    this.id = spec.id;
    this.type = spec.type;
    const h = healthOf(spec);
    this.intervalMs = h.intervalMs;
    this.windowMs = h.windowMs;
  }

  /** Connected and heard (a heartbeat sent) since the connect. */
  get online(): boolean {
    return this.link?.connected === true && this.heardSinceConnect;
  }

  /** Commands in flight: the fault picker leaves the device alone. */
  get busy(): boolean {
    return this.pendingResults > 0 || this.expected > 0;
  }

  /** The simulator is about to command this device; call the result when it is answered or given up. */
  expectCommand(): () => void {
    this.expected++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.expected--;
    };
  }

  get faulted(): boolean {
    return this.crashed || this.hung || this.cut || this.paused || this.status !== 'OK' || this.flapTimer !== undefined || this.tokenExpiry !== undefined;
  }

  start(delayMs = 0): void {
    this.stopped = false;
    this.scheduleConnect(delayMs);
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.heartbeatTimer, this.refreshTimer, this.reconnectTimer, this.flapTimer, this.gateCloseTimer]) if (t) clearTimeout(t);
    this.heartbeatTimer = this.refreshTimer = this.reconnectTimer = this.flapTimer = this.gateCloseTimer = undefined;
    const link = this.link;
    this.link = undefined;
    if (link) {
      link.setCut(false);
      link.setPaused(false);
      link.close();
    }
  }

  // ---- connection ---------------------------------------------------------------------------

  private scheduleConnect(delayMs: number): void {
    if (this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delayMs);
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.crashed || this.cut || this.tokenHeld || this.link !== undefined) return;
    if (this.token === undefined || this.tokenExpiresAt - Date.now() < Math.max(REFRESH_LEAD_MS, this.tokenTtlMs / 4)) {
      try {
        await this.fetchToken();
      } catch (e) {
        this.ctx.stats.tokenFailures++;
        this.ctx.log(`${this.id}: device token failed: ${(e as Error).message}`);
        this.scheduleReconnect();
        return;
      }
      if (this.stopped || this.crashed || this.cut || this.tokenHeld || this.link !== undefined) return;
    }
    this.heardSinceConnect = false;
    this.pendingAuth = undefined;
    this.sessionToken = this.token;
    this.link = openLink({
      kind: this.kind,
      target: this.ctx.target,
      host: this.ctx.host,
      token: this.token!,
      handlers: {
        onConnected: () => this.onConnected(),
        onMessage: (m) => this.onMessage(m),
        onError: (code, message, retryAfterS) => this.onError(code, message, retryAfterS),
        onClosed: () => this.onClosed(),
      },
    });
  }

  private async fetchToken(): Promise<void> {
    this.ctx.stats.tokenFetches++;
    const t = await this.ctx.tokens(this.id);
    this.token = t.accessToken;
    this.tokenTtlMs = t.expiresIn * 1000;
    this.tokenExpiresAt = expiryOf(t.accessToken) ?? Date.now() + this.tokenTtlMs - 1000;
    this.scheduleRefresh();
  }

  /**
   * Refresh at 60-80 % of the token's life (spread over devices), and at least
   * {@link REFRESH_LEAD_MS} before it expires, so a slow token endpoint still beats the expiry.
   */
  private scheduleRefresh(delayMs?: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.stopped || this.tokenExpiry !== undefined) return;
    const life = this.tokenExpiresAt - Date.now();
    const delay = delayMs ?? Math.max(0, Math.min(life * this.ctx.random.between(0.6, 0.8), life - Math.max(REFRESH_LEAD_MS, life / 10)));
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, delay);
  }

  private async refresh(): Promise<void> {
    if (this.stopped || this.tokenExpiry !== undefined) return;
    try {
      await this.fetchToken();
    } catch (e) {
      this.ctx.stats.tokenFailures++;
      this.ctx.log(`${this.id}: token refresh failed: ${(e as Error).message}`);
      // try again soon, while the current token still holds
      if (this.tokenExpiresAt - Date.now() > 1000) this.scheduleRefresh(this.ctx.random.between(250, 1000));
      return;
    }
    this.offerToken();
  }

  /** The live (or opening) session runs on an older token: hand it the new one with the next frame. */
  private offerToken(): void {
    if (this.tokenExpiry !== undefined || this.link === undefined || this.token === this.sessionToken) return;
    this.pendingAuth = this.token;
  }

  private onConnected(): void {
    const link = this.link;
    if (!link) return;
    this.ctx.stats.connects++;
    if (this.everConnected) this.ctx.stats.reconnects++;
    this.everConnected = true;
    this.attempts = 0;
    this.retryAfterMs = 0;
    link.subscribe(COMMANDS_SUB, '/user/queue/commands', 'client-individual');
    link.subscribe(ERRORS_SUB, '/user/queue/errors', 'auto');
    if (this.cut) link.setCut(true);
    if (this.paused) link.setPaused(true);
    // a token refreshed while the CONNECT was on its way
    this.offerToken();
    if (!this.hung) this.sendHeartbeat();
    this.scheduleHeartbeat();
  }

  private onError(code: string | undefined, message: string, retryAfterS: number | undefined): void {
    const key = code ?? 'unknown';
    this.ctx.stats.stompErrors[key] = (this.ctx.stats.stompErrors[key] ?? 0) + 1;
    if (code === 'token-expired' || code === 'unauthenticated') {
      this.token = undefined;
      if (code === 'token-expired' && this.tokenExpiry !== undefined) {
        // the injected fault takes hold now: stay away until the fault is lifted
        const report = this.tokenExpiry;
        this.tokenHeld = true;
        report(Date.now());
      }
    }
    if (retryAfterS !== undefined && Number.isFinite(retryAfterS)) this.retryAfterMs = retryAfterS * 1000;
    if (code !== 'token-expired' && code !== 'session-replaced') this.ctx.log(`${this.id}: ERROR ${key}: ${message}`);
  }

  private onClosed(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (this.heardSinceConnect) this.ctx.stats.connected--;
    this.link = undefined;
    this.heardSinceConnect = false;
    if (this.stopped || this.crashed || this.cut || this.tokenHeld) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = Math.max(this.retryAfterMs, backoffDelay(this.ctx.random, this.attempts++, RECONNECT_BASE_MS, RECONNECT_CAP_MS));
    this.retryAfterMs = 0;
    this.scheduleConnect(delay);
  }

  // ---- heartbeats ---------------------------------------------------------------------------

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    const delay = this.intervalMs * (1 - this.ctx.heartbeatJitter * this.ctx.random.next());
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = undefined;
      if (!this.link) return;
      this.link.tick(Date.now());
      if (!this.hung) this.sendHeartbeat();
      this.scheduleHeartbeat();
    }, delay);
  }

  /** Sends a heartbeat now if the session is up; true if it left the device. */
  sendHeartbeat(): boolean {
    const link = this.link;
    if (!link?.connected) return false;
    const status = this.status;
    const body: Record<string, unknown> = { seq: this.seq++, status, uptimeS: Math.round((Date.now() - this.bootedAt) / 1000), firmware: this.ctx.firmware };
    if (status !== 'OK') {
      const c = COMPONENT[this.type];
      body['components'] = { [c.name]: { status, code: status === 'FAULT' ? c.fault : c.degraded } };
    }
    link.send('/app/heartbeat', JSON.stringify(body), this.authHeader());
    if (this.cut) return false;
    this.ctx.stats.heartbeats++;
    if (!this.heardSinceConnect) {
      this.heardSinceConnect = true;
      this.ctx.stats.connected++;
    }
    this.lastHeartbeatAt = Date.now();
    return true;
  }

  /** The in-band refresh: a refreshed token rides on the next frame, once (SPEC §3). */
  private authHeader(): Record<string, string> {
    const token = this.pendingAuth;
    if (token === undefined || this.cut) return {};
    this.pendingAuth = undefined;
    this.sessionToken = token;
    this.ctx.stats.tokenRefreshesInBand++;
    return { Authorization: `Bearer ${token}` };
  }

  // ---- events and commands ------------------------------------------------------------------

  /** Sends a field event (SPEC §4 `/app/events`); false if the device cannot (down, hung, cut). */
  sendEvent(event: Record<string, unknown>): boolean {
    return this.sendApp('/app/events', event);
  }

  /** A dispatch kiosk's passenger request (SPEC §7 `/app/dispatch/requests`); false if it cannot. */
  sendDispatchRequest(request: { destination: string; partySize: number; vehicleClass: string }): boolean {
    return this.type === 'DISPATCH_KIOSK' && this.sendApp('/app/dispatch/requests', request);
  }

  /** Whether application frames would leave the device now (up, not hung, not cut). */
  get canSend(): boolean {
    return this.link?.connected === true && !this.hung && !this.cut && this.heardSinceConnect;
  }

  private sendApp(destination: string, body: Record<string, unknown>): boolean {
    const link = this.link;
    if (!link || !this.canSend) {
      this.ctx.stats.eventsDropped++;
      return false;
    }
    link.send(destination, JSON.stringify(body), this.authHeader());
    this.ctx.stats.events++;
    return true;
  }

  get gateState(): 'OPEN' | 'CLOSED' {
    return this.gate;
  }

  /** A gate's barrier moves (traffic or a command) and it reports GATE_STATE; closes itself after `holdMs`. */
  moveGate(state: 'OPEN' | 'CLOSED', holdMs = 4000): void {
    if (this.type !== 'GATE' || this.stopped) return;
    if (this.gateCloseTimer) clearTimeout(this.gateCloseTimer);
    this.gateCloseTimer = undefined;
    if (this.gate !== state) {
      this.gate = state;
      this.sendEvent({ type: 'GATE_STATE', state, at: new Date().toISOString() });
    }
    if (state === 'OPEN') {
      this.gateCloseTimer = setTimeout(() => {
        this.gateCloseTimer = undefined;
        this.moveGate('CLOSED');
      }, holdMs);
    }
  }

  private onMessage(m: InboundMessage): void {
    if (m.destination === '/user/queue/errors') {
      let error = 'unparsable';
      try {
        error = String((JSON.parse(m.body) as { error?: unknown }).error ?? 'unknown');
      } catch {
        // keep 'unparsable'
      }
      this.ctx.stats.queueErrors[error] = (this.ctx.stats.queueErrors[error] ?? 0) + 1;
      return;
    }
    if (m.destination !== '/user/queue/commands') return;
    // a hung device's firmware reads nothing: no ACK, no result (the server redelivers later)
    if (this.hung) return;
    let command: { commandId?: unknown; type?: unknown; params?: unknown };
    try {
      command = JSON.parse(m.body) as typeof command;
    } catch {
      return;
    }
    const commandId = m.headers['command-id'] ?? (typeof command.commandId === 'string' ? command.commandId : undefined);
    const ackId = m.headers['ack'] ?? m.headers['message-id'];
    if (commandId === undefined) return;
    this.ctx.stats.commandsReceived++;
    if (ackId !== undefined) this.link?.ack(ackId);
    const type = typeof command.type === 'string' ? command.type : '';
    const known = this.recent.get(commandId);
    const outcome = known ?? this.execute(type);
    this.remember(commandId, outcome);
    this.pendingResults++;
    setTimeout(
      () => {
        this.pendingResults--;
        const link = this.link;
        if (!link?.connected || this.hung) return;
        const detail = outcome === 'SUCCEEDED' ? `${type} done` : outcome === 'FAILED' ? `${COMPONENT[this.type].name} fault` : `${type} not supported`;
        link.send('/app/command-results', JSON.stringify({ commandId, outcome, detail }), this.authHeader());
        this.ctx.stats.commandResults++;
        this.ctx.onCommandResult?.(this.id, commandId, outcome);
        // the barrier moves once the result is out (the server sees SUCCEEDED, then GATE_STATE)
        if (outcome === 'SUCCEEDED' && known === undefined) this.afterCommand(type);
      },
      this.ctx.random.int(50, 250),
    );
  }

  private execute(type: string): CommandOutcome {
    switch (type) {
      case 'OPEN_GATE':
      case 'CLOSE_GATE':
      case 'LOCK_OPEN':
      case 'LOCK_CLOSED':
      case 'TICKET_MODE':
        if (this.type !== 'GATE') return 'REJECTED';
        return this.status === 'FAULT' ? 'FAILED' : 'SUCCEEDED';
      case 'DISPLAY_MESSAGE':
        return this.status === 'FAULT' ? 'FAILED' : 'SUCCEEDED';
      case 'REBOOT':
      case 'RESYNC':
      case 'SET_OUT_OF_SERVICE':
      case 'ACTIVATE':
      case 'DEACTIVATE':
        return 'SUCCEEDED';
      default:
        return 'REJECTED';
    }
  }

  private afterCommand(type: string): void {
    switch (type) {
      case 'OPEN_GATE':
        this.moveGate('OPEN');
        break;
      case 'LOCK_OPEN':
        this.moveGate('OPEN', 24 * 3_600_000);
        break;
      case 'CLOSE_GATE':
      case 'LOCK_CLOSED':
        this.moveGate('CLOSED');
        break;
      case 'REBOOT':
        this.bootedAt = Date.now();
        break;
      default:
        break;
    }
  }

  private remember(commandId: string, outcome: CommandOutcome): void {
    this.recent.delete(commandId);
    this.recent.set(commandId, outcome);
    if (this.recent.size > 8) this.recent.delete(this.recent.keys().next().value as string);
  }

  // ---- fault switches (faults.ts) -------------------------------------------------------------

  /** The socket is destroyed; the device stays down until {@link recoverCrash}. */
  crash(): void {
    this.crashed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.link?.crash();
  }

  recoverCrash(): void {
    this.crashed = false;
    this.bootedAt = Date.now();
    this.attempts = 0;
    if (!this.link) this.scheduleConnect(0);
  }

  /** Socket stays open (transport heart-beats go on), application heartbeats and replies stop. */
  hang(on: boolean): void {
    this.hung = on;
    if (!on) this.sendHeartbeat();
  }

  /** Traffic dropped both ways; no reconnect while cut. */
  setCut(on: boolean): void {
    this.cut = on;
    this.link?.setCut(on);
    if (on) {
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      return;
    }
    if (!this.link) this.scheduleConnect(0);
    else this.sendHeartbeat();
  }

  /** Reading paused (a slow consumer); sending goes on. */
  setPaused(on: boolean): void {
    this.paused = on;
    this.link?.setPaused(on);
  }

  /** Reported status, sent at once (a device reports a change without waiting for its interval). */
  setStatus(status: DeviceReportedStatus): boolean {
    this.status = status;
    return this.sendHeartbeat();
  }

  /**
   * Alternates FAULT and OK every `periodMs`, each change reported at once; `onChange` gets the
   * send time of each change. Stop with {@link stopFlapping}.
   */
  startFlapping(periodMs: number, onChange: (at: number) => void): void {
    const toggle = (): void => {
      if (this.setStatus(this.status === 'OK' ? 'FAULT' : 'OK')) onChange(Date.now());
      this.flapTimer = setTimeout(toggle, periodMs);
    };
    toggle();
  }

  stopFlapping(): void {
    if (this.flapTimer) clearTimeout(this.flapTimer);
    this.flapTimer = undefined;
    this.setStatus('OK');
  }

  /**
   * Lets the token expire: no refresh; when the server closes the session for it, `onExpired`
   * gets the instant and the device stays away until {@link recoverTokenExpiry}.
   */
  expireToken(onExpired: (closedAt: number) => void): void {
    this.tokenExpiry = onExpired;
    this.pendingAuth = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /** When the current token expires (epoch ms). */
  get tokenExpiresAtMs(): number {
    return this.tokenExpiresAt;
  }

  recoverTokenExpiry(): void {
    this.tokenExpiry = undefined;
    const held = this.tokenHeld;
    this.tokenHeld = false;
    this.token = undefined;
    if (held && !this.link) this.scheduleConnect(0);
    else if (this.link && !this.stopped) void this.refresh();
  }

  /** Drops the connection and reconnects at once (with the usual jittered backoff). */
  dropAndReconnect(): void {
    this.attempts = 0;
    this.link?.crash();
  }
}
