/**
 * Taxi dispatch, driven from the outside the way a stand lives (SPEC §7): taxis of each stand's
 * fleet arrive at the holding lot (a TAXI_LOT_CAMERA reads them at a LOT_ENTRY lane), passengers
 * ask at the dispatch kiosks (`SEND /app/dispatch/requests`), a called taxi drives to the curb
 * (read there by the curb camera), a matched passenger boards (`POST /dispatch/matches/{id}/pickup`,
 * as the stand's staff would) and the trip ends later (`…/complete` with its distance; short trips
 * earn a near-trip claim, and the taxi comes back). At a DRIVER_SELECTED stand the driver picks
 * the region in the driver app (drivers.ts) when the taxi waits in the lot for it. Now and then a
 * driver gives up and leaves the lot, and a passenger does not show.
 *
 * The simulator does not guess what the server decided: one admin session watches
 * `/topic/dispatch/{zoneId}` of every stand and each taxi moves on the decisions it sees (CALLED,
 * MATCHED, COMPLETED, …). Those decisions go to the ground truth too (`dispatch` entries), in the
 * order they arrived, for the scorer's FIFO check.
 */
import { Client, type IMessage, type StompSubscription } from '@stomp/stompjs';
import WebSocket from 'ws';
import { CLASS_WEIGHTS, DESTINATIONS, weighted, type Airport, type TaxiModel, type TaxiStandModel, type VehicleClass } from './airport';
import type { SimDevice } from './device';
import type { DriverApp } from './drivers';
import { type Api, HttpError } from './http';
import type { Random } from './random';
import { OBSERVER_GAP, type DispatchEntry, type TruthLog } from './truth';

export interface DispatchFlowOptions {
  /** Multiplies arrival and request rates; 0 turns dispatch traffic off. */
  readonly scale: number;
  /** WebSocket STOMP endpoint for the observer. */
  readonly wsUrl: string;
  /** An ADMIN (or zone-wide OPERATOR) token for the observer; asked again at every (re)connect. */
  readonly token: () => Promise<string>;
  readonly log: (message: string) => void;
  /** The driver app; without it, region choices are entered at the desk (REST, as admin). */
  readonly drivers?: DriverApp;
}

export interface DispatchStats {
  arrivals: number;
  requests: number;
  leaves: number;
  pickups: number;
  tripsEnded: number;
  /** Passengers who were matched and then (on purpose) never boarded. */
  noShowsPlanned: number;
  /** Decisions seen on the stand topics. */
  decisions: number;
  /** DRIVER_SELECTED region choices sent from the driver app, and entered at the desk for drivers without one. */
  regionsByApp: number;
  regionsAtDesk: number;
  /** Pickups and trip ends the server refused, by HTTP status. */
  refused: Record<string, number>;
}

/** Mean seconds between taxi arrivals per LOT_ENTRY lane at scale 1. */
const TAXI_ARRIVAL_MEAN_S = 15;
/** Passenger requests per taxi arrival: a little under one, so the lot slowly fills, as it does. */
const REQUESTS_PER_ARRIVAL = 0.9;
/** Share of lot arrivals whose driver later gives up and leaves unmatched. */
const GIVE_UP_SHARE = 0.03;
const NO_SHOW_SHARE = 0.03;
const SHORT_TRIP_SHARE = 0.15;
const TICK_MS = 250;
/** Reads within SPEC §7's de-duplication window would be ignored: a taxi stays away longer. */
const MIN_RETURN_MS = 90_000;
/** A taxi whose read got no decision back (camera down, observer reconnecting) is free again after this. */
const UNANSWERED_MS = 30_000;

type TaxiState = 'AWAY' | 'ENTERING' | 'LOT' | 'CALLED' | 'CURB' | 'MATCHED' | 'ON_TRIP';

interface Taxi {
  readonly model: TaxiModel;
  state: TaxiState;
  since: number;
  /** AWAY: back at the lot no earlier than this. */
  availableAt: number;
  matchId?: string;
  /** MATCHED: the passenger boards once the taxi is at the curb. */
  boardWhenAtCurb?: boolean;
}

/** The topic body of a decision: `{kind: 'dispatch.<type>', zoneId, ...fields, at}` (the fields read here). */
type DecisionBody = Omit<DispatchEntry, 'event'> & { readonly reason?: string };

/** Decisions the ground truth keeps (what the FIFO and double-match checks read). */
const RECORDED = new Set([
  'dispatch.taxi-queued',
  'dispatch.taxi-awaiting-region',
  'dispatch.taxi-requeued',
  'dispatch.called',
  'dispatch.taxi-left',
  'dispatch.ticket-issued',
  'dispatch.passenger-requeued',
  'dispatch.matched',
  'dispatch.released',
  'dispatch.completed',
  'dispatch.mode-changed',
  'dispatch.config-changed',
]);

class StandFlow {
  readonly taxis = new Map<string, Taxi>();

  constructor(readonly model: TaxiStandModel) {
    for (const t of model.fleet) this.taxis.set(t.plate, { model: t, state: 'AWAY', since: 0, availableAt: 0 });
  }

  inState(state: TaxiState): Taxi[] {
    return [...this.taxis.values()].filter((t) => t.state === state);
  }
}

export class DispatchFlow {
  readonly stats: DispatchStats = {
    arrivals: 0,
    requests: 0,
    leaves: 0,
    pickups: 0,
    tripsEnded: 0,
    noShowsPlanned: 0,
    decisions: 0,
    regionsByApp: 0,
    regionsAtDesk: 0,
    refused: {},
  };
  private readonly stands = new Map<string, StandFlow>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private tickTimer: NodeJS.Timeout | undefined;
  private observer: Client | undefined;
  /** The token of the observer's session (renewed in-band), and the timer that renews it. */
  private observerToken: string | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private last = Date.now();
  private stopped = false;

  constructor(
    airport: Airport,
    private readonly devices: ReadonlyMap<string, SimDevice>,
    private readonly api: Api,
    private readonly truth: TruthLog,
    private readonly random: Random,
    private readonly options: DispatchFlowOptions,
  ) {
    for (const s of airport.taxiStands) if (s.fleet.length > 0) this.stands.set(s.zoneId, new StandFlow(s));
  }

  /** Resolves once the observer is subscribed to every stand (so no decision is missed). */
  async start(): Promise<void> {
    if (this.stands.size === 0 || this.options.scale <= 0) return;
    await this.observe();
    if (this.stopped) return;
    this.last = Date.now();
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.tickTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.observer?.deactivate();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  // ---- the observer ---------------------------------------------------------------------------

  /**
   * Connects the observer; resolves when it is subscribed, or after 15 s anyway (it keeps trying).
   * Its token is renewed in-band (SPEC §3) before it runs out, so a long run keeps one session.
   */
  private observe(): Promise<void> {
    return new Promise((resolve) => {
      let gaveUp = false;
      const giveUp = setTimeout(() => {
        gaveUp = true;
        this.options.log('dispatch observer: not subscribed after 15 s; dispatch traffic starts anyway');
        resolve();
      }, 15_000);
      giveUp.unref();
      const client = new Client({
        webSocketFactory: () => new WebSocket(this.options.wsUrl, ['v12.stomp']) as unknown as globalThis.WebSocket,
        reconnectDelay: 1000,
        heartbeatIncoming: 10_000,
        heartbeatOutgoing: 10_000,
        // stompjs does not catch here: a failed login must not end the process; the CONNECT then
        // goes with the last token (or none), is refused, and stompjs tries again
        beforeConnect: async () => {
          try {
            this.observerToken = await this.options.token();
          } catch (e) {
            this.options.log(`dispatch observer: no token: ${(e as Error).message}`);
          }
          client.connectHeaders = this.observerToken === undefined ? {} : { Authorization: `Bearer ${this.observerToken}` };
        },
      });
      let connects = 0;
      let errorsSub: StompSubscription | undefined;
      client.onConnect = () => {
        // decisions published while the observer was away are not in the ground truth: say so, so
        // the taxi FIFO check starts afresh instead of judging against a queue it lost track of
        if (connects > 0 || gaveUp) this.truth.append({ event: 'dispatch', at: new Date().toISOString(), zoneId: '*', kind: OBSERVER_GAP });
        errorsSub = client.subscribe('/user/queue/errors', (m) => this.options.log(`dispatch observer: ${m.body}`));
        // the subscriptions are in place once the server answers the last one's receipt
        const receipt = `dispatch-subscribed-${++connects}`;
        client.watchForReceipt(receipt, () => {
          clearTimeout(giveUp);
          resolve();
        });
        const zones = [...this.stands.keys()];
        zones.forEach((zoneId, i) =>
          client.subscribe(`/topic/dispatch/${zoneId}`, (m) => this.onDecision(m), i === zones.length - 1 ? { receipt } : {}),
        );
      };
      client.onStompError = (frame) => this.options.log(`dispatch observer: ERROR ${frame.headers['error-code'] ?? ''} ${frame.headers['message'] ?? ''}`);
      client.onWebSocketClose = () => {
        if (!this.stopped) this.options.log('dispatch observer: connection closed; reconnecting');
      };
      // in-band renewal: a SUBSCRIBE carrying the new token (the observer sends nothing else), the
      // old subscription of the errors queue dropped after it
      this.renewTimer = setInterval(() => {
        void this.options
          .token()
          .then((token) => {
            if (token === this.observerToken || !client.connected || errorsSub === undefined) return;
            const previous = errorsSub;
            errorsSub = client.subscribe('/user/queue/errors', (m) => this.options.log(`dispatch observer: ${m.body}`), { Authorization: `Bearer ${token}` });
            previous.unsubscribe();
            this.observerToken = token;
          })
          .catch((e: unknown) => this.options.log(`dispatch observer: token not renewed: ${(e as Error).message}`));
      }, 30_000);
      this.renewTimer.unref();
      this.observer = client;
      client.activate();
    });
  }

  private onDecision(message: IMessage): void {
    let d: DecisionBody;
    try {
      d = JSON.parse(message.body) as DecisionBody;
    } catch {
      return;
    }
    this.stats.decisions++;
    if (RECORDED.has(d.kind)) this.record(d);
    const stand = this.stands.get(d.zoneId);
    const taxi = d.plate === undefined ? undefined : stand?.taxis.get(d.plate);
    if (!stand || !taxi) return;
    const now = Date.now();
    const move = (state: TaxiState): void => {
      taxi.state = state;
      taxi.since = now;
    };
    switch (d.kind) {
      case 'dispatch.taxi-queued':
        move('LOT');
        break;
      case 'dispatch.taxi-requeued':
        move(d.position === 'FRONT' ? 'CURB' : 'LOT');
        break;
      case 'dispatch.taxi-awaiting-region':
        move('LOT');
        this.later(this.random.between(1000, 4000), () => void this.chooseRegion(stand, taxi));
        break;
      case 'dispatch.read-ignored':
        // already in the lot (a decision this simulator missed, or an earlier run's taxi): it waits
        if (taxi.state === 'ENTERING' && d.reason === 'ALREADY_PRESENT') move('LOT');
        else if (taxi.state === 'ENTERING') this.goAway(taxi, MIN_RETURN_MS);
        break;
      case 'dispatch.taxi-refused':
        if (taxi.state === 'ENTERING') this.goAway(taxi, MIN_RETURN_MS);
        break;
      case 'dispatch.called':
        move('CALLED');
        this.later(this.random.between(2000, 6000), () => this.arriveAtCurb(stand, taxi));
        break;
      case 'dispatch.taxi-at-curb':
        if (taxi.state === 'CALLED') move('CURB');
        else if (taxi.state === 'MATCHED' && taxi.boardWhenAtCurb) this.board(taxi);
        break;
      case 'dispatch.matched': {
        const wasAtCurb = taxi.state === 'CURB';
        move('MATCHED');
        taxi.matchId = d.matchId;
        if (this.random.chance(NO_SHOW_SHARE)) {
          // the passenger never comes: the server releases the match after NO_SHOW_S
          this.stats.noShowsPlanned++;
          taxi.boardWhenAtCurb = false;
        } else if (wasAtCurb) {
          this.board(taxi);
        } else {
          taxi.boardWhenAtCurb = true;
        }
        break;
      }
      case 'dispatch.completed':
        move('ON_TRIP');
        taxi.matchId = d.matchId ?? taxi.matchId;
        this.later(this.random.between(20_000, 90_000), () => void this.endTrip(taxi));
        break;
      case 'dispatch.taxi-left':
        this.goAway(taxi, MIN_RETURN_MS);
        break;
      default:
        break;
    }
  }

  private record(d: DecisionBody): void {
    const entry: DispatchEntry = {
      event: 'dispatch',
      at: d.at,
      zoneId: d.zoneId,
      kind: d.kind,
      ...(d.plate !== undefined ? { plate: d.plate } : {}),
      ...(d.ticket !== undefined ? { ticket: d.ticket } : {}),
      ...(d.queue !== undefined ? { queue: d.queue } : {}),
      ...(d.vehicleClass !== undefined ? { vehicleClass: d.vehicleClass } : {}),
      ...(d.priority !== undefined ? { priority: d.priority } : {}),
      ...(d.position !== undefined ? { position: d.position } : {}),
      ...(d.matchId !== undefined ? { matchId: d.matchId } : {}),
      ...(d.side !== undefined ? { side: d.side } : {}),
    };
    this.truth.append(entry);
  }

  // ---- what the simulator does ----------------------------------------------------------------

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    const dtS = (now - this.last) / 1000;
    this.last = now;
    const scale = this.options.scale;
    for (const stand of this.stands.values()) {
      const lanes = stand.model.lotEntries.length;
      const arrivalsMean = (lanes * dtS * scale) / TAXI_ARRIVAL_MEAN_S;
      for (let i = this.random.poisson(arrivalsMean); i > 0; i--) this.arrive(stand, now);
      for (let i = this.random.poisson(arrivalsMean * REQUESTS_PER_ARRIVAL); i > 0; i--) this.request(stand);
      for (let i = this.random.poisson(arrivalsMean * GIVE_UP_SHARE); i > 0; i--) this.giveUp(stand);
      // reads the server never answered (camera down, observer away): the taxi is free again
      for (const t of stand.inState('ENTERING')) if (now - t.since > UNANSWERED_MS) this.goAway(t, 0);
    }
  }

  private goAway(taxi: Taxi, forMs: number): void {
    taxi.state = 'AWAY';
    taxi.since = Date.now();
    taxi.availableAt = taxi.since + forMs;
    taxi.matchId = undefined;
    taxi.boardWhenAtCurb = undefined;
  }

  /** A taxi of the fleet that is away arrives and is read at a lot entry. */
  private arrive(stand: StandFlow, now: number): void {
    const away = stand.inState('AWAY').filter((t) => t.availableAt <= now);
    if (away.length === 0) return;
    const taxi = this.random.pick(away);
    const lane = this.random.pick(stand.model.lotEntries);
    if (!this.read(lane.cameraId, lane.lane.id, taxi.model.plate)) return;
    taxi.state = 'ENTERING';
    taxi.since = now;
    this.stats.arrivals++;
  }

  private request(stand: StandFlow): void {
    const kiosks = stand.model.kiosks.map((id) => this.devices.get(id)).filter((d): d is SimDevice => d?.canSend === true);
    if (kiosks.length === 0) return;
    const vehicleClass: VehicleClass = weighted(this.random, CLASS_WEIGHTS);
    const destination = this.destination();
    const partySize = vehicleClass === 'LARGE' ? this.random.int(3, 7) : this.random.int(1, 4);
    if (this.random.pick(kiosks).sendDispatchRequest({ destination, partySize, vehicleClass })) this.stats.requests++;
  }

  private destination(): string {
    const weights: Record<string, number> = {};
    for (const d of DESTINATIONS) weights[d.name] = d.weight;
    return weighted(this.random, weights);
  }

  /** A driver tired of waiting leaves the lot unmatched (LOT_EXIT read). */
  private giveUp(stand: StandFlow): void {
    const waiting = stand.inState('LOT');
    if (waiting.length === 0 || stand.model.lotExits.length === 0) return;
    const taxi = this.random.pick(waiting);
    const lane = this.random.pick(stand.model.lotExits);
    if (this.read(lane.cameraId, lane.lane.id, taxi.model.plate)) this.stats.leaves++;
  }

  private arriveAtCurb(stand: StandFlow, taxi: Taxi): void {
    if (taxi.state !== 'CALLED' && taxi.state !== 'MATCHED') return;
    // a curb camera that is down misses the taxi; it is seen once the camera is back (tried every 10 s)
    if (this.read(stand.model.curb.cameraId, stand.model.curb.lane.id, taxi.model.plate)) return;
    if (taxi.state === 'CALLED' || taxi.boardWhenAtCurb === true) this.later(10_000, () => this.arriveAtCurb(stand, taxi));
  }

  private read(cameraId: string, laneId: string, plate: string): boolean {
    const confidence = Math.round(this.random.between(0.88, 0.995) * 1000) / 1000;
    return this.devices.get(cameraId)?.sendEvent({ type: 'PLATE_READ', plate, confidence, laneId, at: new Date().toISOString() }) ?? false;
  }

  /** DRIVER_SELECTED: mostly the licence's region, sometimes another (SPEC §7: whatever its licence). */
  private async chooseRegion(stand: StandFlow, taxi: Taxi): Promise<void> {
    if (taxi.state !== 'LOT') return;
    const regions = stand.model.config.regions;
    const region = this.random.chance(0.7) && regions.includes(taxi.model.licenceRegion) ? taxi.model.licenceRegion : this.random.pick(regions);
    const zoneId = stand.model.zoneId;
    const outcome = this.options.drivers ? await this.options.drivers.selectRegion(taxi.model.plate, region, zoneId) : 'no-app';
    if (outcome === 'sent') this.stats.regionsByApp++;
    else if (outcome === 'no-app') {
      const path = `/api/dispatch/drivers/${encodeURIComponent(taxi.model.plate)}/region`;
      if (await this.call('region choice', path, { region, zoneId })) this.stats.regionsAtDesk++;
    } else {
      this.stats.refused['region'] = (this.stats.refused['region'] ?? 0) + 1;
    }
  }

  /** The passenger gets in, a few seconds after the taxi pulls up. */
  private board(taxi: Taxi): void {
    const matchId = taxi.matchId;
    taxi.boardWhenAtCurb = false;
    if (matchId === undefined) return;
    this.later(this.random.between(1500, 5000), () => {
      if (taxi.matchId !== matchId || taxi.state !== 'MATCHED') return;
      void this.call('pickup', `/api/dispatch/matches/${encodeURIComponent(matchId)}/pickup`, {}).then((ok) => {
        if (ok) this.stats.pickups++;
      });
    });
  }

  private async endTrip(taxi: Taxi): Promise<void> {
    const matchId = taxi.matchId;
    if (matchId === undefined || taxi.state !== 'ON_TRIP') return;
    const short = this.random.chance(SHORT_TRIP_SHARE);
    const distanceKm = Math.round((short ? this.random.between(2, 9.5) : this.random.between(15, 75)) * 10) / 10;
    if (await this.call('trip end', `/api/dispatch/matches/${encodeURIComponent(matchId)}/complete`, { distanceKm })) this.stats.tripsEnded++;
    // the driver heads back: a short trip comes back soon (and jumps the queue once with its claim)
    this.goAway(taxi, short ? MIN_RETURN_MS : MIN_RETURN_MS + this.random.between(30_000, 150_000));
  }

  private async call(what: string, path: string, body: unknown): Promise<boolean> {
    try {
      await this.api.post(path, body);
      return true;
    } catch (e) {
      const key = e instanceof HttpError ? String(e.status) : 'network';
      this.stats.refused[key] = (this.stats.refused[key] ?? 0) + 1;
      this.options.log(`dispatch ${what} refused: ${(e as Error).message}`);
      return false;
    }
  }
}
