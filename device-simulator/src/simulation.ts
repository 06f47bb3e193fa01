/**
 * `startSimulation`: provision the airport, bring every device up, drive traffic and commands,
 * inject faults, log the ground truth; `stop()` ends it. Runs in any Node process: the CLI, a
 * test, or the app itself (the demo of SPEC §9).
 */
import type { CommandOutcome } from '@landside/contracts';
import { buildAirport, countByType, type Airport, type AirportOptions } from './airport';
import { emptyStats, SimDevice, type SimulatorStats } from './device';
import { DispatchFlow, type DispatchStats } from './dispatch-flow';
import { createDriverAccounts, DriverApp, loginDriverTokens, type DriverTokenSource } from './drivers';
import { FaultInjector, type FaultPlan, type FaultRequest } from './faults';
import { AdminSession, Api, type AdminCredentials } from './http';
import { LINK_KINDS, type LinkKind, type SocketTarget } from './links';
import { provisionAirport, restDeviceTokens, type DeviceTokenSource } from './provision';
import { Random } from './random';
import { Traffic } from './traffic';
import { TruthLog, type FaultEntry, type TruthEntry } from './truth';

export type TransportMix = Partial<Record<LinkKind, number>>;

export interface SimulationOptions {
  /** HTTP base of the server, e.g. `http://localhost:3000`. */
  readonly url: string;
  /** Default: the url's host, `ws(s)://…/stomp`. */
  readonly wsUrl?: string;
  /** Default: `…/sockjs`. */
  readonly sockjsUrl?: string;
  /** Default: the url's host name. */
  readonly tcpHost?: string;
  /** Default 61613; 0 moves the TCP share to raw WebSocket. */
  readonly tcpPort?: number;
  /**
   * Needed to provision (PUT /api/topology), to issue commands and to watch dispatch. A password
   * is logged in again (a `mint` function asked again) before each token runs out; a fixed
   * `token` is used until it expires.
   */
  readonly admin?: AdminCredentials;
  /** The airport, or how to build one (default 200 devices). */
  readonly airport?: Airport | AirportOptions;
  /** PUT the topology first (default true). When false, `secrets` or `deviceTokens` must be given. */
  readonly provision?: boolean;
  readonly secrets?: ReadonlyMap<string, string>;
  /** How devices get tokens; default POST /api/auth/device-token with their secret. */
  readonly deviceTokens?: DeviceTokenSource;
  /**
   * How taxi drivers (DRIVER_SELECTED stands) get tokens; default: DRIVER accounts created while
   * provisioning, then POST /api/auth/login. Without either, choices go through the desk (REST).
   */
  readonly driverTokens?: DriverTokenSource;
  /** Shares of the link kinds (any scale). Default: mostly @stomp/stompjs below 2,000 devices, mostly raw WebSocket above. */
  readonly mix?: TransportMix;
  /** Heartbeats every interval × (1 − jitter × U(0,1)); default 0.1. */
  readonly heartbeatJitter?: number;
  /** Event traffic multiplier; 0 = heartbeats only. Default 1. */
  readonly eventScale?: number;
  /** Taxi and passenger rates multiplier; 0 = no dispatch traffic. Default: `eventScale`. */
  readonly dispatchScale?: number;
  /** OPEN_GATE commands issued per minute through the REST API; default 6 (0 = none). */
  readonly commandsPerMin?: number;
  readonly faults?: FaultPlan;
  /** Ground truth: appended to this file (JSON lines) and kept in memory (`truth`). */
  readonly truthFile?: string;
  /** Keep the ground truth in memory (default true); false for a long run nobody scores (the demo). */
  readonly keepTruth?: boolean;
  readonly onTruth?: (entry: TruthEntry) => void;
  readonly seed?: number;
  /** Initial connects are spread over this long; default min(10 s, 5 ms per device). */
  readonly connectRampMs?: number;
  /** Token requests (each an argon2 verification on the server) and provisioning calls in flight at once; default 4. */
  readonly tokenConcurrency?: number;
  /** Called with every device's secret after provisioning (e.g. to save them for a later `provision: false` run). */
  readonly onSecrets?: (secrets: ReadonlyMap<string, string>) => void;
  /** Faults start when every device is online, or after this long anyway; default 5 min. */
  readonly readyTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

export interface CommandStats {
  issued: number;
  issueFailures: number;
  results: Record<CommandOutcome, number>;
}

export interface Simulation {
  readonly airport: Airport;
  readonly devices: ReadonlyMap<string, SimDevice>;
  /** Every ground-truth entry so far. */
  readonly truth: readonly TruthEntry[];
  readonly stats: SimulatorStats;
  readonly commands: CommandStats;
  readonly dispatch: DispatchStats;
  /** Resolves when every device has sent its first heartbeat (faults start then). */
  readonly ready: Promise<void>;
  inject(request: FaultRequest): FaultEntry[];
  /** Faults in progress. */
  activeFaults(): number;
  stop(): Promise<void>;
}

const SMALL_MIX: TransportMix = { 'stompjs-ws': 60, 'raw-ws': 20, 'stompjs-sockjs': 10, 'raw-tcp': 10 };
const LARGE_MIX: TransportMix = { 'raw-ws': 85, 'raw-tcp': 10, 'stompjs-ws': 4, 'stompjs-sockjs': 1 };

function isAirport(a: Airport | AirportOptions): a is Airport {
  return 'zones' in a;
}

export function defaultMix(devices: number): TransportMix {
  return devices > 2000 ? LARGE_MIX : SMALL_MIX;
}

/** Parses `stompjs-ws=60,raw-ws=20,…`. */
export function parseMix(text: string): TransportMix {
  const mix: TransportMix = {};
  for (const part of text.split(',')) {
    const [kind, weight] = part.split('=');
    const k = LINK_KINDS.find((l) => l === kind?.trim());
    const w = Number(weight);
    if (k === undefined || !Number.isFinite(w) || w < 0) throw new Error(`bad mix entry '${part}': use ${LINK_KINDS.join('|')}=weight`);
    mix[k] = w;
  }
  return mix;
}

function targetOf(options: SimulationOptions): { target: SocketTarget; host: string } {
  const url = new URL(options.url);
  const wsProto = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    host: url.hostname,
    target: {
      wsUrl: options.wsUrl ?? `${wsProto}//${url.host}/stomp`,
      sockjsUrl: options.sockjsUrl ?? `${url.protocol}//${url.host}/sockjs`,
      tcpHost: options.tcpHost ?? url.hostname,
      tcpPort: options.tcpPort ?? 61613,
    },
  };
}

export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const random = new Random(seed);
  const airport = options.airport === undefined ? buildAirport({ devices: 200 }) : isAirport(options.airport) ? options.airport : buildAirport(options.airport);
  const { target, host } = targetOf(options);
  const truth = new TruthLog(options.truthFile, options.onTruth, options.keepTruth ?? true);

  // provisioning
  const api = new Api(options.url);
  const admin = options.admin;
  // one admin identity for REST and the dispatch observer, renewed before it runs out
  const session = admin === undefined ? undefined : new AdminSession(options.url, admin);
  if (session !== undefined) {
    await session.current();
    api.setToken(() => session.current());
  }
  let secrets = options.secrets;
  if (options.provision ?? true) {
    if (admin === undefined) throw new Error('provisioning needs admin credentials (admin: {token} or {username, password})');
    const started = Date.now();
    const result = await provisionAirport(api, airport, { concurrency: options.tokenConcurrency ?? 4, needSecrets: options.deviceTokens === undefined });
    secrets = result.secrets;
    const d = result.applied['devices'];
    log(
      `provisioned in ${Date.now() - started} ms: devices ${d ? `${d.created} created, ${d.updated} updated, ${d.unchanged} unchanged` : '?'}` +
        `, ${result.rotated} secrets rotated, ${result.taxis} taxis registered`,
    );
    options.onSecrets?.(secrets);
  }
  let driverTokens = options.driverTokens;
  if (driverTokens === undefined && (options.provision ?? true) && admin !== undefined) {
    const plates = airport.taxiStands.filter((s) => s.config.mode === 'DRIVER_SELECTED').flatMap((s) => s.fleet.map((t) => t.plate));
    if (plates.length > 0) {
      const accounts = await createDriverAccounts(api, plates, options.tokenConcurrency ?? 4);
      log(`driver accounts: ${accounts.passwords.size} created, ${accounts.existing} from an earlier run (their choices go through the desk)`);
      driverTokens = loginDriverTokens(options.url, accounts.passwords);
    }
  }
  const tokens = options.deviceTokens ?? (secrets ? restDeviceTokens(options.url, secrets, options.tokenConcurrency ?? 4) : undefined);
  if (tokens === undefined) throw new Error('devices need a token source: provision, secrets or deviceTokens');

  // devices
  const stats = emptyStats();
  const commands: CommandStats = { issued: 0, issueFailures: 0, results: { SUCCEEDED: 0, FAILED: 0, REJECTED: 0 } };
  /** Command id -> release of the gate's "busy" mark; results that beat the POST's answer are remembered. */
  const waiting = new Map<string, () => void>();
  const answeredEarly = new Set<string>();
  const ctx = {
    target,
    host,
    tokens,
    random,
    heartbeatJitter: options.heartbeatJitter ?? 0.1,
    stats,
    firmware: 'sim-1.0.0',
    log,
    onCommandResult: (_deviceId: string, commandId: string, outcome: CommandOutcome) => {
      commands.results[outcome]++;
      const release = waiting.get(commandId);
      if (release) release();
      else answeredEarly.add(commandId);
      waiting.delete(commandId);
    },
  };
  let mix = options.mix ?? defaultMix(airport.devices.length);
  if (target.tcpPort === 0 && mix['raw-tcp']) mix = { ...mix, 'raw-ws': (mix['raw-ws'] ?? 0) + mix['raw-tcp'], 'raw-tcp': 0 };
  const weights = LINK_KINDS.map((k) => Math.max(0, mix[k] ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new Error('the transport mix is empty');
  const kindFor = (): LinkKind => {
    let x = random.next() * total;
    for (let i = 0; i < LINK_KINDS.length; i++) {
      x -= weights[i]!;
      if (x < 0) return LINK_KINDS[i]!;
    }
    return LINK_KINDS[0];
  };
  const devices = new Map<string, SimDevice>();
  for (const spec of airport.devices) devices.set(spec.id, new SimDevice(spec, kindFor(), ctx));

  const stands = airport.taxiStands.filter((s) => s.fleet.length > 0).map((s) => s.zoneId);
  truth.append({ event: 'run-start', at: new Date().toISOString(), url: options.url, devices: devices.size, seed, stands });
  const byKind: Partial<Record<LinkKind, number>> = {};
  for (const d of devices.values()) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  log(`starting ${devices.size} devices ${JSON.stringify(countByType(airport))} over ${JSON.stringify(byKind)}, seed ${seed}`);
  const ramp = options.connectRampMs ?? Math.min(10_000, devices.size * 5);
  for (const d of devices.values()) d.start(random.next() * ramp);

  const traffic = new Traffic(airport, devices, random, { scale: options.eventScale ?? 1 });
  const injector = new FaultInjector(airport, devices, truth, random, options.faults ?? {}, log);
  const dispatchScale = admin === undefined ? 0 : (options.dispatchScale ?? options.eventScale ?? 1);
  const dispatch = new DispatchFlow(airport, devices, api, truth, random, {
    scale: dispatchScale,
    wsUrl: target.wsUrl,
    // a password login is repeated at every reconnect (tokens expire); a given token is reused
    token: () => (session === undefined ? Promise.reject(new Error('no admin credentials')) : session.current()),
    log,
    ...(driverTokens ? { drivers: new DriverApp(target.wsUrl, driverTokens, log) } : {}),
  });
  let stopped = false;

  // OPEN_GATE commands through the REST API, to healthy gates
  let commandTimer: NodeJS.Timeout | undefined;
  const gates = [...devices.values()].filter((d) => d.type === 'GATE');
  const startCommands = (): void => {
    const perMin = options.commandsPerMin ?? 6;
    if (perMin <= 0 || gates.length === 0 || options.admin === undefined) return;
    const next = (): void => {
      const gapMs = (-Math.log(1 - random.next()) * 60_000) / perMin;
      commandTimer = setTimeout(() => {
        if (stopped) return;
        void issueCommand();
        next();
      }, gapMs);
    };
    next();
  };
  const issueCommand = async (): Promise<void> => {
    const healthy = gates.filter((g) => g.online && !g.faulted && !g.busy && !injector.isActive(g.id));
    if (healthy.length === 0) return;
    const gate = random.pick(healthy);
    const release = gate.expectCommand();
    const giveUp = setTimeout(release, 30_000);
    giveUp.unref();
    try {
      const created = await api.post<{ id: string }>(`/api/devices/${encodeURIComponent(gate.id)}/commands`, { type: 'OPEN_GATE', ttlS: 15 });
      commands.issued++;
      const done = (): void => {
        clearTimeout(giveUp);
        release();
      };
      if (answeredEarly.delete(created.id)) done();
      else waiting.set(created.id, done);
      truth.append({ event: 'command', at: new Date().toISOString(), deviceId: gate.id, commandId: created.id, type: 'OPEN_GATE' });
    } catch (e) {
      commands.issueFailures++;
      clearTimeout(giveUp);
      release();
      log(`command to ${gate.id} failed: ${(e as Error).message}`);
    }
  };

  // ready: every device online once
  const ready = new Promise<void>((resolve) => {
    const started = Date.now();
    const check = (): void => {
      if (stopped) return resolve();
      const online = [...devices.values()].filter((d) => d.online).length;
      const timedOut = Date.now() - started > (options.readyTimeoutMs ?? 300_000);
      if (online === devices.size || timedOut) {
        log(timedOut ? `only ${online}/${devices.size} devices online; starting anyway` : `all ${online} devices online after ${Date.now() - started} ms`);
        resolve();
        return;
      }
      setTimeout(check, 200);
    };
    check();
  });
  void ready.then(async () => {
    if (stopped) return;
    // decisions are watched before the first taxi arrives, so the ground truth misses none
    await dispatch.start().catch((e: unknown) => log(`dispatch traffic not started: ${(e as Error).message}`));
    if (stopped) return;
    traffic.start();
    injector.start();
    startCommands();
  });

  return {
    airport,
    devices,
    truth: truth.entries,
    stats,
    commands,
    dispatch: dispatch.stats,
    ready,
    inject: (request) => injector.inject(request),
    activeFaults: () => injector.activeCount,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (commandTimer) clearTimeout(commandTimer);
      traffic.stop();
      injector.stop();
      await dispatch.stop();
      truth.append({ event: 'run-end', at: new Date().toISOString() });
      for (const d of devices.values()) d.stop();
      const until = Date.now() + 5000;
      while (stats.connected > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      log(`stopped: ${JSON.stringify(stats)}`);
    },
  };
}
