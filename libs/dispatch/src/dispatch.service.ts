import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MessageBus, type Unsubscribe, KeyedSerial } from '@landside/bus';
import {
  DISPATCH_CHANNELS,
  DomainError,
  GATEWAY_CHANNELS,
  INGRESS_CHANNELS,
  type DeviceEventReceived,
  type DispatchRequestReceived,
  type DriverRegionReceived,
  type UserEnvelope,
} from '@landside/contracts';
import { recordAudit } from '@landside/persistence';
import {
  DEFAULT_PRIORITY_WINDOW_MIN,
  DestinationTable,
  DispatchError,
  Stand,
  TaxiRegistry,
  matchesPerMinute,
  normalizePlate,
  normalizeRegion,
  waitStats,
  type DestinationDirectory,
  type DestinationEntry,
  type DispatchDecision,
  type MatchRecord,
  type NearTripClaim,
  type PassengerRequest,
  type QueueLength,
  type ResolvedDestination,
  type StandConfigInput,
  type StandConfigPatch,
  type StandCounts,
  type StandDeps,
  type StandOptions,
  type StandState,
  type TaxiDirectory,
  type TaxiProfile,
  type VehicleClass,
} from './domain';
import { DispatchMetrics } from './dispatch.metrics';
import { DISPATCH_OPTIONS, resolveDispatchOptions, type DispatchModuleOptions, type ResolvedDispatchOptions } from './dispatch.options';
import { DispatchRepository, uniqueViolation, type StandCounters, type TaxiRow } from './dispatch.repository';
import { ERRORS_QUEUE, REGION_DESTINATION, REPLIES_QUEUE, REQUEST_DESTINATION, envelopesFor, eventKind, requesterTicketOf } from './dispatch.events';
import {
  passengerPlaceView,
  standView,
  taxiPlaceView,
  type CancelledTicketView,
  type DestinationsView,
  type MatchView,
  type RegionView,
  type StandView,
  type TaxiBanView,
  type TaxiRegistrationView,
  type TaxiUnbanView,
  type TicketView,
  type TripView,
  type ZoneDispatchView,
} from './dispatch.views';

/** Who caused an input: a principal (REST, STOMP), a device (camera), or dispatch itself (timers). */
export interface DispatchActor {
  readonly sub: string;
  readonly role: string;
  /** Zone scope of an OPERATOR or ADMIN; undefined = every zone. */
  readonly zones?: readonly string[];
  readonly deviceType?: string;
  readonly sourceAddress?: string | null;
}

/** Dispatch's own principal: no-show timers, and audit rows of what nobody asked for. */
export const DISPATCH_SYSTEM: DispatchActor = { sub: 'system:dispatch', role: 'SYSTEM' };

/** Statistics window of the zone view and the wait metrics. */
export const STATS_WINDOW_MIN = 15;

/** A committed stand as this process last saw it: for reads, metrics and timers. */
export interface CommittedStand {
  readonly zoneId: string;
  readonly version: number;
  readonly state: StandState;
  readonly queues: readonly QueueLength[];
  readonly counts: StandCounts;
  readonly noShows: { readonly TAXI: number; readonly PASSENGER: number };
  readonly updatedAt: number;
}

interface Working {
  readonly version: number;
  readonly stand: Stand;
  readonly deps: InputDirectories;
}

interface InputSpec<R> {
  readonly zoneId: string;
  readonly actor: DispatchActor;
  /** A bus input: applied once whichever (and however many) dispatch processes receive it. */
  readonly inputKey?: string;
  /** The registered taxi and/or destination the input looks up (read in the input's transaction). */
  readonly needs?: { readonly plate?: string; readonly destination?: string };
  /** The audit row of the action itself (admin actions), in the input's transaction. */
  readonly audit?: { readonly action: string; readonly target: string; readonly details?: Record<string, unknown> };
  /** Nothing to write when the stand decides nothing (timers); `apply` must then have changed nothing. */
  readonly skipIfNothingDecided?: boolean;
  apply(stand: Stand, at: number): { decisions: DispatchDecision[]; result: R };
}

interface Applied<R> {
  readonly decisions: readonly DispatchDecision[];
  readonly result: R;
  readonly version: number;
}

/** Per-input directories: the one taxi / destination an input needs, read under the stand's lock. */
class InputDirectories implements StandDeps {
  taxis: TaxiDirectory = NO_TAXIS;
  destinations: DestinationDirectory = NO_DESTINATIONS;
}

const NO_TAXIS: TaxiDirectory = { taxi: () => undefined };
const NO_DESTINATIONS: DestinationDirectory = {
  resolve: (destination) => {
    throw new DispatchError('unknown-destination', `unknown destination '${destination}'`, { destination });
  },
};

class OneDestination implements DestinationDirectory {
  constructor(private readonly found: ResolvedDestination | undefined) {}
  resolve(destination: string): ResolvedDestination {
    if (this.found === undefined) throw new DispatchError('unknown-destination', `unknown destination '${destination}'`, { destination });
    return this.found;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const iso = (ms: number): string => new Date(ms).toISOString();
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/**
 * The adapter around the pure dispatch domain (`./domain`, SPEC §7). Every input of a stand —
 * camera read, kiosk request, driver choice, REST action, no-show timer — runs as one
 * transaction: lock the stand's row, restore the Stand, apply the input, write the new snapshot,
 * the match/ticket rows and the audit rows, commit; then publish the decisions. The row lock
 * serializes a stand's inputs across every dispatch process; the partial unique indexes on
 * `dispatch_matches` refuse a double assignment even if that failed. See ../README.md.
 */
@Injectable()
export class DispatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Dispatch');
  private readonly options: ResolvedDispatchOptions;
  private readonly standOptions: StandOptions;
  private readonly clock: () => number;
  private readonly serial = new KeyedSerial();
  /** Bus inputs are looked up (lane, kiosk zone) one at a time, in arrival order, then queued on their stand. */
  private readonly ingressSerial = new KeyedSerial();
  private readonly working = new Map<string, Working>();
  private readonly committed = new Map<string, CommittedStand>();
  private readonly viewStands = new Map<string, { readonly version: number; readonly stand: Stand }>();
  private readonly timers = new Map<string, { readonly at: number; readonly timer: NodeJS.Timeout }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly unsubscribes: Unsubscribe[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly repo: DispatchRepository,
    private readonly bus: MessageBus,
    private readonly metrics: DispatchMetrics,
    @Optional() @Inject(DISPATCH_OPTIONS) options?: DispatchModuleOptions,
  ) {
    this.options = resolveDispatchOptions(options);
    this.standOptions = this.options.standOptions;
    this.clock = this.options.clock;
    this.metrics.bindStands(() => [...this.committed.values()], this.clock);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribes.push(
      await this.bus.subscribe<DeviceEventReceived>(INGRESS_CHANNELS.event, (e) =>
        this.ingest(async () => {
          const queued = await this.queueDeviceEvent(e);
          if (queued !== undefined) this.track(queued.applied);
        }),
      ),
      await this.bus.subscribe<DispatchRequestReceived>(DISPATCH_CHANNELS.requestReceived, (e) => this.ingest(() => this.onStompRequest(e))),
      await this.bus.subscribe<DriverRegionReceived>(DISPATCH_CHANNELS.regionSelected, (e) => this.ingest(() => this.onStompRegion(e))),
    );
    // Timers and figures of every stand, from the stored snapshots (a restart loses no deadline).
    const rows = await this.repo.loadStands();
    for (const r of rows) {
      this.remember(r.zoneId, r.version, r.state, { noShowsTaxi: r.noShowsTaxi, noShowsPassenger: r.noShowsPassenger, updatedAt: r.updatedAt });
      this.armTimer(r.zoneId, r.nextDeadline ?? undefined);
    }
    if (this.options.refreshIntervalMs > 0) {
      this.refreshTimer = setInterval(() => {
        this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      }, this.options.refreshIntervalMs);
      this.refreshTimer.unref();
    }
    this.logger.log(`dispatching ${rows.length} stands`);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    await Promise.all(this.unsubscribes.splice(0).map((u) => u()));
    await this.refreshing;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.serial.idle();
  }

  /** Resolves when every input received so far has been applied (tests, read-your-writes). */
  async settled(): Promise<void> {
    await this.ingressSerial.idle();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.serial.idle();
  }

  /** The stands as this process last committed or read them. */
  stands(): CommittedStand[] {
    return [...this.committed.values()];
  }

  // ---- admin: stands, taxis, destinations -----------------------------------------------------

  async listStands(actor: DispatchActor, limit: number, after: string | undefined): Promise<{ items: StandView[]; nextCursor: string | null }> {
    const rows = await this.repo.standConfigs(limit + 1, after, actor.zones);
    const items = rows.slice(0, limit).map((r) => standView(r.config, r.version, r.updatedAt));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.zoneId : null };
  }

  async getStand(actor: DispatchActor, zoneId: string): Promise<StandView> {
    this.requireScope(actor, zoneId);
    const row = (await this.repo.loadStands([zoneId]))[0];
    if (row === undefined) throw noStand(zoneId);
    this.remember(row.zoneId, row.version, row.state, { noShowsTaxi: row.noShowsTaxi, noShowsPassenger: row.noShowsPassenger, updatedAt: row.updatedAt });
    return standView(row.state.config, row.version, row.updatedAt);
  }

  /** `POST /dispatch/stands`: the zone must exist and be a TAXI_STAND; one stand per zone (409). */
  async createStand(actor: DispatchActor, input: StandConfigInput): Promise<StandView> {
    if (!seesZone(actor, input.zoneId)) {
      const refusal = new DomainError('forbidden', `zone '${input.zoneId}' is outside your zones`, { zoneId: input.zoneId });
      await this.audited(actor, 'stand.created', input.zoneId, { zoneId: input.zoneId }, () => Promise.reject(refusal));
    }
    const stand = new Stand(input, new InputDirectories(), this.standOptions);
    const state = stand.snapshot();
    const at = this.clock();
    const zoneId = state.config.zoneId;
    await this.audited(actor, 'stand.created', zoneId, { zoneId, config: state.config }, async (em) => {
      const kind = await this.repo.zoneKind(em, zoneId);
      if (kind === undefined) throw new DispatchError('invalid', `zone '${zoneId}' does not exist`, { fields: { zoneId: ['no such zone'] } });
      if (kind !== 'TAXI_STAND') throw new DispatchError('invalid', `zone '${zoneId}' is a ${kind}, not a TAXI_STAND`, { fields: { zoneId: ['must be a zone of kind TAXI_STAND'] } });
      if (!(await this.repo.insertStand(em, state, at))) throw new DispatchError('conflict', `zone '${zoneId}' already has a stand`, { zoneId });
    });
    this.remember(zoneId, 1, state, { noShowsTaxi: 0, noShowsPassenger: 0, updatedAt: at });
    return standView(state.config, 1, at);
  }

  /** `PATCH /dispatch/stands/{zoneId}`: a mode switch keeps everyone's place (domain README). */
  async updateStand(actor: DispatchActor, zoneId: string, patch: StandConfigPatch): Promise<StandView> {
    this.requireScope(actor, zoneId);
    const onlyMode = patch.mode !== undefined && Object.entries(patch).every(([k, v]) => k === 'mode' || v === undefined);
    const applied = await this.runInput({
      zoneId,
      actor,
      audit: { action: 'stand.updated', target: zoneId, details: { patch } },
      apply: (stand, at) => ({ decisions: onlyMode && patch.mode !== undefined ? stand.setMode(patch.mode, at) : stand.reconfigure(patch, at), result: stand.config }),
    });
    return standView(applied.result, applied.version, this.clock());
  }

  /**
   * A stand of a topology document (`PUT /api/topology`), in the caller's transaction (the zone is
   * checked by the caller): created as `POST /stands` does, or its configuration replaced as
   * `PATCH` does (everyone keeps their place; absent optional fields take their defaults). An
   * unchanged configuration writes nothing. Decisions are not published: a reconfiguration only
   * changes queues' names and order of service, and the next input publishes as usual.
   */
  async configureStandIn(em: EntityManager, input: StandConfigInput): Promise<'created' | 'updated' | 'unchanged'> {
    const zoneId = input.zoneId;
    const locked = await this.repo.lockStand(em, zoneId, undefined);
    const at = Math.max(this.clock(), locked?.lastInputAt ?? -Infinity);
    if (locked === undefined) {
      const state = new Stand(input, new InputDirectories(), this.standOptions).snapshot();
      if (!(await this.repo.insertStand(em, state, at))) throw new DispatchError('conflict', `zone '${zoneId}' already has a stand`, { zoneId });
      return 'created';
    }
    if (locked.state === null) throw new Error(`stand ${zoneId}: no state under the lock`);
    const stand = Stand.restore(locked.state, new InputDirectories(), this.standOptions);
    const decisions = stand.reconfigure(
      {
        mode: input.mode,
        regions: input.regions,
        curbTarget: input.curbTarget,
        nearQueue: input.nearQueue ?? false,
        priorityWindowMin: input.priorityWindowMin ?? DEFAULT_PRIORITY_WINDOW_MIN,
        nearDistanceKm: input.nearDistanceKm ?? null,
      },
      at,
    );
    if (!decisions.some((d) => d.type === 'CONFIG_CHANGED')) return 'unchanged';
    await this.repo.writeDecisions(em, zoneId, decisions, { sub: DISPATCH_SYSTEM.sub, role: DISPATCH_SYSTEM.role }, null);
    await this.repo.writeStand(em, { zoneId, state: stand.snapshot(), at, nextDeadline: stand.nextDeadline(), noShowsTaxi: 0, noShowsPassenger: 0 });
    return 'updated';
  }

  /** `POST /dispatch/taxis`: registers or updates a taxi (a taxi at a stand keeps its profile until it leaves). */
  async registerTaxi(actor: DispatchActor, input: { plate: string; licenceRegion: string; vehicleClass: VehicleClass }): Promise<TaxiRegistrationView & { created: boolean }> {
    const profile = new TaxiRegistry().register(input);
    const { row, created } = await this.audited(actor, 'taxi.registered', profile.plate, { plate: profile.plate, licenceRegion: profile.licenceRegion, vehicleClass: profile.vehicleClass }, (em) =>
      this.repo.upsertTaxi(em, profile),
    );
    return { ...taxiView(row), created };
  }

  /** `POST /dispatch/taxis/{plate}/ban`: the registry refuses the plate from now on; every stand holding it lets it go. */
  async banTaxi(actor: DispatchActor, plateIn: string): Promise<TaxiBanView> {
    const plate = normalizePlate(plateIn);
    if (plate === '') throw new DispatchError('invalid', 'a plate is required', { fields: { plate: ['required'] } });
    const at = this.clock();
    const row = await this.audited(actor, 'taxi.banned', plate, { plate }, async (em) => {
      const banned = await this.repo.banTaxi(em, plate, actor.sub, at);
      if (banned === undefined) throw new DispatchError('unknown-taxi', `unknown taxi '${plate}'`, { plate });
      return banned;
    });
    const stands = await this.repo.standsHolding(plate, true);
    for (const zoneId of stands) {
      await this.runInput({ zoneId, actor, apply: (stand, now) => ({ decisions: stand.taxiBanned(plate, now), result: undefined }) });
    }
    return { ...taxiView(row), stands };
  }

  /**
   * `POST /dispatch/taxis/{plate}/unban`: the registry accepts the plate again (idempotent). Stands
   * keep no ban of their own (a ban removed the waiting taxi and superseded its claims; neither
   * comes back): the next LOT_ENTRY read is judged against the registry, within the de-dup window
   * of a refused read too (the domain README), so no stand input is needed.
   */
  async unbanTaxi(actor: DispatchActor, plateIn: string): Promise<TaxiUnbanView> {
    const plate = normalizePlate(plateIn);
    if (plate === '') throw new DispatchError('invalid', 'a plate is required', { fields: { plate: ['required'] } });
    // audited() writes `details` with the row after the work: the lifted ban is noted there.
    const details: Record<string, unknown> = { plate };
    const lifted = await this.audited(actor, 'taxi.unbanned', plate, details, async (em) => {
      const rows = await this.repo.unbanTaxi(em, plate);
      if (rows === undefined) throw new DispatchError('unknown-taxi', `unknown taxi '${plate}'`, { plate });
      Object.assign(details, {
        wasBanned: rows.before.banned,
        bannedAt: rows.before.bannedAt === null ? null : iso(rows.before.bannedAt),
        bannedBy: rows.before.bannedBy,
      });
      return rows;
    });
    return { ...taxiView(lifted.after), wasBanned: lifted.before.banned };
  }

  /** `PUT /dispatch/destinations`: replaces the destination -> region table. */
  async replaceDestinations(actor: DispatchActor, entries: readonly DestinationEntry[]): Promise<DestinationsView> {
    const table = new DestinationTable(entries);
    const resolved = table.entries();
    await this.audited(actor, 'destinations.replaced', 'dispatch_destinations', { count: resolved.length }, (em) => this.repo.replaceDestinations(em, resolved));
    return destinationsView(resolved);
  }

  async destinations(): Promise<DestinationsView> {
    return destinationsView(await this.repo.destinations());
  }

  // ---- passengers, drivers, matches -----------------------------------------------------------

  /** A passenger request (kiosk over REST, operator): a ticket, maybe a taxi at once. */
  async request(actor: DispatchActor, req: PassengerRequest & { zoneId?: string }): Promise<TicketView> {
    const zoneId = await this.requestZone(actor, req.zoneId);
    const applied = await this.requestAt(actor, zoneId, req, undefined);
    if (applied === undefined) throw new Error('a REST request cannot have been applied elsewhere');
    return applied;
  }

  /** Queues the request on its stand at once (call order = application order); undefined: applied by another process. */
  private requestAt(actor: DispatchActor, zoneId: string, req: PassengerRequest, inputKey: string | undefined): Promise<TicketView | undefined> {
    const request: PassengerRequest = { destination: req.destination, partySize: req.partySize, vehicleClass: req.vehicleClass };
    return this.runInput({
      zoneId,
      actor,
      inputKey,
      needs: { destination: req.destination },
      apply: (stand, at) => {
        const decisions = stand.request(request, at);
        const issued = decisions.find((d) => d.type === 'TICKET_ISSUED');
        if (issued?.type !== 'TICKET_ISSUED') throw new Error('the stand issued no ticket');
        const view = stand.passengerView(issued.ticket);
        const matched = decisions.find((d) => d.type === 'MATCHED' && d.ticket === issued.ticket);
        const ticket: TicketView = {
          zoneId,
          ticket: issued.ticket,
          destination: issued.destination,
          region: issued.region,
          near: issued.near,
          queue: view?.queue ?? issued.queue,
          vehicleClass: issued.vehicleClass,
          partySize: issued.partySize,
          stage: view?.stage ?? 'WAITING',
          ...(view?.position === undefined ? {} : { position: view.position }),
          requestedAt: iso(issued.at),
          ...(matched?.type === 'MATCHED' ? { match: { matchId: matched.matchId, plate: matched.plate } } : {}),
        };
        return { decisions, result: ticket };
      },
    }).then((applied) => applied?.result);
  }

  /** A driver's region (DRIVER_SELECTED; remembered in the other modes). */
  async selectRegion(actor: DispatchActor, plateIn: string, region: string, zoneIdIn?: string): Promise<RegionView> {
    const { plate, zoneId } = await this.regionTarget(actor, plateIn, zoneIdIn);
    const applied = await this.regionAt(actor, plate, zoneId, region, undefined);
    if (applied === undefined) throw new Error('a REST region choice cannot have been applied elsewhere');
    return applied;
  }

  /** Whose region, at which stand: a driver chooses for its own plate only. */
  private async regionTarget(actor: DispatchActor, plateIn: string, zoneIdIn: string | undefined): Promise<{ plate: string; zoneId: string }> {
    const plate = normalizePlate(plateIn);
    if (plate === '') throw new DispatchError('invalid', 'a plate is required', { fields: { plate: ['required'] } });
    if (actor.role === 'DRIVER' && normalizePlate(actor.sub) !== plate) throw new DomainError('forbidden', 'a driver may choose the region of its own taxi only', { plate });
    const zoneId = zoneIdIn ?? (await this.zoneOfPlate(plate));
    this.requireScope(actor, zoneId);
    return { plate, zoneId };
  }

  private regionAt(actor: DispatchActor, plate: string, zoneId: string, region: string, inputKey: string | undefined): Promise<RegionView | undefined> {
    return this.runInput({
      zoneId,
      actor,
      inputKey,
      needs: { plate },
      audit: actor.role === 'ADMIN' ? { action: 'region.selected', target: plate, details: { plate, region } } : undefined,
      apply: (stand, at) => {
        const decisions = stand.selectRegion(plate, region, at);
        const taxi = stand.taxiView(plate);
        const view: RegionView = { zoneId, plate, region: normalizeRegion(region), ...(taxi === undefined ? {} : { taxi: taxiPlaceView(taxi) }) };
        return { decisions, result: view };
      },
    }).then((applied) => applied?.result);
  }

  /**
   * A waiting passenger gives up (`POST /dispatch/zones/{zoneId}/tickets/{ticket}/cancel`): the
   * stand's DISPATCH_KIOSK, or an OPERATOR/ADMIN of the zone. One input of the stand, audited
   * `ticket.cancelled` in its transaction; TICKET_CANCELLED goes to the topic and to whoever asked
   * for the ticket. Unknown (or no longer waiting) 404, matched 409; 403/409 audited on their own.
   */
  async cancelTicket(actor: DispatchActor, zoneId: string, ticket: string, reason?: string): Promise<CancelledTicketView> {
    const target = `${zoneId}/${ticket}`;
    const details = { ticket, ...(reason === undefined ? {} : { cancelReason: reason }) };
    try {
      await this.authorizeStand(actor, zoneId, 'cancel a ticket');
      const applied = await this.runInput({
        zoneId,
        actor,
        audit: { action: 'ticket.cancelled', target, details },
        apply: (stand, at) => {
          const passenger = stand.passengerView(ticket);
          const decisions = stand.cancelTicket(ticket, at);
          if (passenger === undefined) throw new Error('the stand cancelled a ticket it did not hold');
          const view: CancelledTicketView = {
            zoneId,
            ticket,
            destination: passenger.destination,
            region: passenger.region,
            vehicleClass: passenger.vehicleClass,
            partySize: passenger.partySize,
            queue: passenger.queue,
            stage: 'CANCELLED',
            requestedAt: iso(passenger.requestedAt),
            cancelledAt: iso(at),
          };
          return { decisions, result: view };
        },
      });
      return applied.result;
    } catch (error) {
      await this.auditRefusal(actor, 'ticket.cancelled', target, { zoneId, ...details }, error);
      throw error;
    }
  }

  /** Both showed: the passenger is in the taxi (kiosk, operator, or the driver). */
  async pickup(actor: DispatchActor, matchId: string): Promise<MatchView> {
    const zoneId = await this.authorizeMatch(actor, matchId);
    const applied = await this.runInput({
      zoneId,
      actor,
      apply: (stand, at) => ({ decisions: stand.pickup(matchId, at), result: matchView(zoneId, stand.match(matchId)!) }),
    });
    return applied.result;
  }

  /** The trip of a picked-up match ended; a short one earns a near-trip claim. */
  async completeTrip(actor: DispatchActor, matchId: string, distanceKm: number): Promise<TripView> {
    const zoneId = await this.authorizeMatch(actor, matchId);
    const applied = await this.runInput({
      zoneId,
      actor,
      audit: { action: 'trip.ended', target: matchId, details: { distanceKm } },
      apply: (stand, at) => {
        const decisions = stand.completeTrip(matchId, distanceKm, at);
        const ended = decisions.find((d) => d.type === 'TRIP_ENDED');
        const claim = decisions.find((d) => d.type === 'CLAIM_ISSUED');
        if (ended?.type !== 'TRIP_ENDED') throw new Error('the stand ended no trip');
        const trip: TripView = {
          matchId,
          zoneId,
          plate: ended.plate,
          distanceKm: ended.distanceKm,
          short: ended.short,
          ...(claim?.type === 'CLAIM_ISSUED' ? { claim: claim.claim } : {}),
        };
        return { decisions, result: trip };
      },
    });
    return applied.result;
  }

  /** `GET /dispatch/zones/{id}`: read from the database, so it shows what every process applied. */
  async zoneView(actor: DispatchActor, zoneId: string): Promise<ZoneDispatchView> {
    this.requireScope(actor, zoneId);
    const row = (await this.repo.loadStands([zoneId]))[0];
    if (row === undefined) throw noStand(zoneId);
    const c = this.remember(row.zoneId, row.version, row.state, { noShowsTaxi: row.noShowsTaxi, noShowsPassenger: row.noShowsPassenger, updatedAt: row.updatedAt });
    const stand = this.viewStand(c);
    const now = this.clock();
    const windowMs = STATS_WINDOW_MIN * 60_000;
    const waits = waitStats(c.state.waits, now, windowMs);
    const cfg = c.state.config;
    return {
      zoneId,
      mode: cfg.mode,
      regions: cfg.regions,
      curbTarget: cfg.curbTarget,
      nearQueue: cfg.nearQueue,
      version: c.version,
      at: iso(now),
      queues: c.queues,
      lot: c.counts.lot,
      curb: c.counts.curb,
      counts: c.counts,
      waits: {
        windowMin: STATS_WINDOW_MIN,
        count: waits.count,
        p50S: waits.p50Ms === undefined ? null : waits.p50Ms / 1000,
        p95S: waits.p95Ms === undefined ? null : waits.p95Ms / 1000,
      },
      matchesPerMinute: matchesPerMinute(c.state.matchTimes, now, windowMs),
      matchesTotal: c.state.counters.match,
      noShows: c.noShows,
      taxis: stand.taxiViews().map(taxiPlaceView),
      passengers: stand.waitingPassengers().map(passengerPlaceView),
      activeMatches: stand.activeMatches().map((m) => matchView(zoneId, m)),
    };
  }

  // ---- inputs from the bus --------------------------------------------------------------------

  /** Bus inputs are looked up in arrival order, then applied in their stand's order. */
  private ingest(task: () => Promise<void>): void {
    if (this.stopped) return;
    this.track(this.ingressSerial.run('ingress', task));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.error(`dispatch input failed: ${describe(error)}`));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** A lot-camera read applied now, not through the bus (tests): resolves once applied or ignored. */
  async applyDeviceEvent(e: DeviceEventReceived): Promise<void> {
    const queued = await this.queueDeviceEvent(e);
    if (queued !== undefined) await queued.applied;
  }

  /**
   * PLATE_READ of a TAXI_LOT_CAMERA: LOT_ENTRY joins the lot, LOT_EXIT leaves it, CURB is a curb
   * arrival. Looks the lane up, queues the input on its stand and returns it (`applied` never rejects).
   */
  private async queueDeviceEvent(e: DeviceEventReceived): Promise<{ readonly applied: Promise<void> } | undefined> {
    if (!isRecord(e) || typeof e.deviceId !== 'string' || !isRecord(e.event) || e.event.type !== 'PLATE_READ') return undefined;
    if (e.deviceType !== undefined && e.deviceType !== 'TAXI_LOT_CAMERA') return undefined; // parking's cameras
    const plateRead = e.event.plate;
    if (typeof plateRead !== 'string' || normalizePlate(plateRead) === '') return this.ignore('invalid');
    const plate = normalizePlate(plateRead);
    const lane = await this.repo.cameraLane(e.deviceId, typeof e.event.laneId === 'string' && e.event.laneId !== '' ? e.event.laneId : undefined);
    if (lane === undefined) return this.ignore('unknown-device');
    if (lane.deviceType !== 'TAXI_LOT_CAMERA') return this.ignore('not-lot-camera');
    if (lane.laneKind === null || lane.zoneId === null) return this.ignore('no-lane');
    const zoneId = lane.zoneId;
    const actor: DispatchActor = { sub: e.deviceId, role: 'DEVICE', deviceType: 'TAXI_LOT_CAMERA' };
    const inputKey = keyOf('ev', e.deviceId, e.sessionId, e.receivedAt, plate, lane.laneId);
    const run = (spec: Omit<InputSpec<undefined>, 'zoneId' | 'actor' | 'inputKey'>): { readonly applied: Promise<void> } => ({
      applied: this.runInput({ ...spec, zoneId, actor, inputKey }).then(
        () => undefined,
        (error: unknown) => this.refusedRead(error),
      ),
    });
    switch (lane.laneKind) {
      case 'LOT_ENTRY':
        if (!(await this.leaveOtherStands(plate, zoneId, actor))) return undefined;
        return run({
          needs: { plate },
          apply: (stand, at) => ({ decisions: stand.lotEntryRead(plate, at, latestClaim(stand, plate)), result: undefined }),
        });
      case 'LOT_EXIT':
        return run({ apply: (stand, at) => ({ decisions: stand.lotExitRead(plate, at), result: undefined }) });
      case 'CURB':
        return run({ apply: (stand, at) => ({ decisions: stand.curbArrival(plate, at), result: undefined }) });
      default:
        return undefined; // parking lanes, through lanes: not dispatch's
    }
  }

  /**
   * A taxi read entering this stand's lot while another stand still holds it: waiting in that lot,
   * it has left it (LOT_EXIT there first); called or matched there, it is refused here (one taxi,
   * one stand: the unique index on active matches would refuse the second match anyway).
   */
  private async leaveOtherStands(plate: string, zoneId: string, actor: DispatchActor): Promise<boolean> {
    const elsewhere = (await this.repo.standsHolding(plate, false)).filter((z) => z !== zoneId);
    for (const other of elsewhere) {
      let stillThere = false;
      try {
        await this.runInput({
          zoneId: other,
          actor,
          apply: (stand, at) => {
            const decisions = stand.lotExitRead(plate, at);
            stillThere = stand.taxiView(plate) !== undefined;
            return { decisions, result: undefined };
          },
        });
      } catch (error) {
        this.logger.warn(`could not release ${plate} from stand ${other}: ${describe(error)}`);
        stillThere = true;
      }
      if (stillThere) {
        const at = this.clock();
        const payload = { kind: eventKind('TAXI_REFUSED'), zoneId, plate, reason: 'AT_ANOTHER_STAND', otherZoneId: other, at: iso(at) };
        await this.publish(GATEWAY_CHANNELS.topic, { destination: `/topic/dispatch/${zoneId}`, payload, zoneId });
        await this.publish(GATEWAY_CHANNELS.user, { user: plate, destination: '/user/queue/dispatch', payload } satisfies UserEnvelope);
        this.metrics.ignored.inc({ reason: 'at-another-stand' });
        return false;
      }
    }
    return true;
  }

  private refusedRead(error: unknown): void {
    if (error instanceof DomainError) {
      this.ignore(error instanceof DispatchError ? error.reason : error.code);
      return;
    }
    this.logger.error(`lot camera read failed: ${describe(error)}`);
  }

  private ignore(reason: string): undefined {
    this.metrics.ignored.inc({ reason });
    return undefined;
  }

  /** `SEND /app/dispatch/requests`: ticket on the kiosk's `/user/queue/replies`, refusal on its errors queue. */
  private async onStompRequest(e: DispatchRequestReceived): Promise<void> {
    if (!isRecord(e) || !isRecord(e.request) || !isRecord(e.requestedBy) || !isRecord(e.replyTo) || typeof e.replyTo.user !== 'string') return;
    const by = e.requestedBy;
    const actor: DispatchActor = { sub: by.sub, role: by.role, zones: by.zones, deviceType: by.deviceType };
    const inputKey = keyOf('rq', by.sub, e.replyTo.correlationId ?? '', e.receivedAt, e.request);
    let pending: Promise<TicketView | undefined>;
    try {
      pending = this.requestAt(actor, await this.requestZone(actor, e.request.zoneId), e.request, inputKey);
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.track(this.answer(e.replyTo, REQUEST_DESTINATION, inputKey, pending));
  }

  /** `SEND /app/dispatch/region` (drivers): the plate is the driver's principal. */
  private async onStompRegion(e: DriverRegionReceived): Promise<void> {
    if (!isRecord(e) || typeof e.plate !== 'string' || !isRecord(e.selection) || !isRecord(e.replyTo) || typeof e.replyTo.user !== 'string') return;
    const actor: DispatchActor = { sub: e.plate, role: 'DRIVER' };
    const inputKey = keyOf('rg', e.plate, e.replyTo.correlationId ?? '', e.receivedAt, e.selection);
    let pending: Promise<RegionView | undefined>;
    try {
      const { plate, zoneId } = await this.regionTarget(actor, e.plate, e.selection.zoneId);
      pending = this.regionAt(actor, plate, zoneId, e.selection.region, inputKey);
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.track(this.answer(e.replyTo, REGION_DESTINATION, inputKey, pending));
  }

  /**
   * Answers a STOMP request once across processes: the reply comes from the process that applied
   * it (undefined: another one did); a refusal from the first process to record the refusal.
   */
  private async answer(replyTo: { user: string; correlationId?: string }, destination: string, inputKey: string, pending: Promise<unknown>): Promise<void> {
    const receipt = replyTo.correlationId;
    try {
      const result = await pending;
      if (result === undefined) return;
      await this.publish(GATEWAY_CHANNELS.user, {
        user: replyTo.user,
        destination: REPLIES_QUEUE,
        payload: result,
        headers: receipt === undefined ? [] : [['correlation-id', receipt]],
      } satisfies UserEnvelope);
    } catch (error) {
      if (!(error instanceof DomainError)) this.logger.error(`${destination} from ${replyTo.user} failed: ${describe(error)}`);
      if (!(await this.firstToRefuse(inputKey))) return;
      const refusal =
        error instanceof DomainError
          ? { error: error.code, detail: { message: error.message, ...error.details } }
          : { error: 'server-error', detail: { message: 'the request could not be applied' } };
      await this.publish(GATEWAY_CHANNELS.user, {
        user: replyTo.user,
        destination: ERRORS_QUEUE,
        payload: { ...refusal, destination, receipt: receipt ?? null },
      } satisfies UserEnvelope);
    }
  }

  private async firstToRefuse(inputKey: string): Promise<boolean> {
    try {
      return await this.repo.transaction((em) => this.repo.claimInput(em, `${inputKey}:refused`, null));
    } catch (error) {
      this.logger.error(`could not record a refused input: ${describe(error)}`);
      return true;
    }
  }

  // ---- no-shows -------------------------------------------------------------------------------

  private armTimer(zoneId: string, deadline: number | undefined): void {
    if (!this.options.timers || this.stopped) return;
    const current = this.timers.get(zoneId);
    if (current !== undefined && current.at === deadline) return;
    if (current !== undefined) clearTimeout(current.timer);
    this.timers.delete(zoneId);
    if (deadline === undefined) return;
    const delay = Math.min(2 ** 31 - 1, Math.max(0, deadline - this.clock()) + 5);
    const timer = setTimeout(() => {
      this.timers.delete(zoneId);
      if (!this.stopped) this.track(this.releaseOverdue(zoneId).then(() => undefined));
    }, delay);
    timer.unref();
    this.timers.set(zoneId, { at: deadline, timer });
  }

  /**
   * Releases every match of the stand past its no-show deadline: side TAXI if the taxi never
   * reached the curb (no TAXI_AT_CURB), else PASSENGER. Idempotent across processes: a match
   * another process released is no longer overdue. Returns the decisions (tests drive it by hand).
   */
  async releaseOverdue(zoneId: string): Promise<readonly DispatchDecision[]> {
    const applied = await this.runInput({
      zoneId,
      actor: DISPATCH_SYSTEM,
      skipIfNothingDecided: true,
      apply: (stand, at) => {
        const decisions: DispatchDecision[] = [];
        for (const o of stand.overdue(at)) {
          if (stand.match(o.matchId)?.status !== 'ACTIVE') continue;
          decisions.push(...stand.noShow(o.matchId, o.side, at));
        }
        return { decisions, result: undefined };
      },
    });
    return applied?.decisions ?? [];
  }

  /** Other processes' inputs: newer versions of every stand (figures) and their deadlines (timers). */
  private async refresh(): Promise<void> {
    if (this.stopped) return;
    try {
      const heads = await this.repo.standHeads();
      const stale = heads.filter((h) => (this.committed.get(h.zoneId)?.version ?? 0) < h.version).map((h) => h.zoneId);
      if (stale.length > 0) {
        for (const r of await this.repo.loadStands(stale)) {
          this.remember(r.zoneId, r.version, r.state, { noShowsTaxi: r.noShowsTaxi, noShowsPassenger: r.noShowsPassenger, updatedAt: r.updatedAt });
        }
      }
      for (const h of heads) this.armTimer(h.zoneId, h.nextDeadline ?? undefined);
      await this.repo.pruneInputs(this.options.inputKeyRetentionMs);
    } catch (error) {
      this.logger.error(`dispatch refresh failed: ${describe(error)}`);
    }
  }

  // ---- the one way an input is applied --------------------------------------------------------

  private runInput<R>(spec: InputSpec<R> & { inputKey?: undefined }): Promise<Applied<R>>;
  private runInput<R>(spec: InputSpec<R>): Promise<Applied<R> | undefined>;
  private runInput<R>(spec: InputSpec<R>): Promise<Applied<R> | undefined> {
    return this.serial.run(spec.zoneId, () => this.applyInput(spec));
  }

  private async applyInput<R>(spec: InputSpec<R>): Promise<Applied<R> | undefined> {
    const { zoneId, actor } = spec;
    const cached = this.working.get(zoneId);
    this.working.delete(zoneId); // put back only after a commit: a failed input may have changed it
    type Outcome =
      | { readonly kind: 'skipped'; readonly working: Working }
      | {
          readonly kind: 'committed';
          readonly working: Working;
          readonly decisions: DispatchDecision[];
          readonly result: R;
          readonly state: StandState;
          readonly counters: StandCounters;
          readonly requesters: Map<string, string>;
        };
    let outcome: Outcome;
    try {
      outcome = await this.repo.transaction(async (em): Promise<Outcome> => {
        const locked = await this.repo.lockStand(em, zoneId, cached?.version);
        if (locked === undefined) throw noStand(zoneId);
        let working: Working;
        if (locked.state === null && cached !== undefined) working = cached;
        else {
          if (locked.state === null) throw new Error(`stand ${zoneId}: no state under the lock`);
          const deps = new InputDirectories();
          working = { version: locked.version, deps, stand: Stand.restore(locked.state, deps, this.standOptions) };
        }
        if (spec.inputKey !== undefined && !(await this.repo.claimInput(em, spec.inputKey, zoneId))) return { kind: 'skipped', working };
        await this.loadNeeds(em, working.deps, spec.needs);
        const at = Math.max(this.clock(), locked.lastInputAt ?? -Infinity);
        const { decisions, result } = spec.apply(working.stand, at);
        if (spec.skipIfNothingDecided === true && decisions.length === 0) return { kind: 'skipped', working }; // unchanged: nothing was applied
        const state = working.stand.snapshot();
        const requester = { sub: actor.sub, role: actor.role };
        await this.repo.writeDecisions(em, zoneId, decisions, requester, actor.sourceAddress ?? null);
        if (spec.audit !== undefined) {
          await recordAudit(em, {
            actor: actor.sub,
            role: actor.role,
            action: spec.audit.action,
            target: spec.audit.target,
            sourceAddress: actor.sourceAddress ?? null,
            outcome: 'ok',
            details: { zoneId, ...spec.audit.details, decisions: decisions.map((d) => d.type) },
            at: new Date(at),
          });
        }
        const released = decisions.filter((d) => d.type === 'RELEASED');
        const counters = await this.repo.writeStand(em, {
          zoneId,
          state,
          at,
          nextDeadline: working.stand.nextDeadline(),
          noShowsTaxi: released.filter((d) => d.side === 'TAXI').length,
          noShowsPassenger: released.filter((d) => d.side === 'PASSENGER').length,
        });
        const tickets = decisions.map(requesterTicketOf).filter((t): t is string => t !== undefined);
        const requesters = await this.repo.requesters(em, zoneId, tickets);
        return { kind: 'committed', working: { ...working, version: counters.version }, decisions, result, state, counters, requesters };
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint !== undefined && constraint.startsWith('dispatch_matches_active')) {
        this.metrics.doubleAssignmentsRefused.inc({ zone: zoneId });
        this.logger.error(`stand ${zoneId}: the database refused a double assignment (${constraint}); the input is not applied`);
        throw new DispatchError('conflict', 'the taxi or the ticket already has an active match', { zoneId, constraint });
      }
      throw error;
    }
    if (outcome.kind === 'skipped') {
      this.working.set(zoneId, outcome.working);
      this.armTimer(zoneId, outcome.working.stand.nextDeadline());
      return undefined;
    }
    const { working, decisions, state, counters } = outcome;
    this.working.set(zoneId, working);
    this.remember(zoneId, counters.version, state, counters, working.stand);
    this.armTimer(zoneId, working.stand.nextDeadline());
    for (const d of decisions) this.metrics.decisions.inc({ type: d.type });
    for (const m of envelopesFor(zoneId, decisions, outcome.requesters)) {
      await this.publish(m.channel === 'topic' ? GATEWAY_CHANNELS.topic : GATEWAY_CHANNELS.user, m.envelope);
    }
    return { decisions, result: outcome.result, version: counters.version };
  }

  private async loadNeeds(em: EntityManager, deps: InputDirectories, needs: InputSpec<unknown>['needs']): Promise<void> {
    deps.taxis = NO_TAXIS;
    deps.destinations = NO_DESTINATIONS;
    if (needs?.plate !== undefined) {
      const row = await this.repo.taxi(em, needs.plate);
      const profile: TaxiProfile | undefined =
        row === undefined ? undefined : { plate: row.plate, licenceRegion: row.licenceRegion, vehicleClass: row.vehicleClass, banned: row.banned };
      deps.taxis = { taxi: (plate) => (profile !== undefined && normalizePlate(plate) === profile.plate ? profile : undefined) };
    }
    if (typeof needs?.destination === 'string') deps.destinations = new OneDestination(await this.repo.destination(em, needs.destination));
  }

  /** Records the stand as committed at `version` (newer only) with the figures metrics read. */
  private remember(
    zoneId: string,
    version: number,
    state: StandState,
    counters: { noShowsTaxi: number; noShowsPassenger: number; updatedAt: number },
    stand?: Stand,
  ): CommittedStand {
    const known = this.committed.get(zoneId);
    if (known !== undefined && known.version >= version) return known;
    const s = stand ?? Stand.restore(state, new InputDirectories(), this.standOptions);
    const c: CommittedStand = {
      zoneId,
      version,
      state,
      queues: s.queues(),
      counts: s.counts(),
      noShows: { TAXI: counters.noShowsTaxi, PASSENGER: counters.noShowsPassenger },
      updatedAt: counters.updatedAt,
    };
    this.committed.set(zoneId, c);
    if (stand === undefined) this.viewStands.set(zoneId, { version, stand: s });
    return c;
  }

  /** A read-only Stand of the committed state (restored once per version). */
  private viewStand(c: CommittedStand): Stand {
    const known = this.viewStands.get(c.zoneId);
    if (known !== undefined && known.version === c.version) return known.stand;
    const stand = Stand.restore(c.state, new InputDirectories(), this.standOptions);
    this.viewStands.set(c.zoneId, { version: c.version, stand });
    return stand;
  }

  private async publish(channel: string, payload: unknown): Promise<void> {
    try {
      await this.bus.publish(channel, payload);
    } catch (error) {
      this.logger.error(`publishing on ${channel} failed: ${describe(error)}`);
    }
  }

  /** An admin write and its audit row in one transaction; a 403/409 refusal audited on its own. */
  private async audited<T>(actor: DispatchActor, action: string, target: string, details: Record<string, unknown>, work: (em: EntityManager) => Promise<T>): Promise<T> {
    const entry = { actor: actor.sub, role: actor.role, action, target, sourceAddress: actor.sourceAddress ?? null, details };
    try {
      return await this.repo.transaction(async (em) => {
        const value = await work(em);
        await recordAudit(em, { ...entry, outcome: 'ok' });
        return value;
      });
    } catch (error) {
      await this.auditRefusal(actor, action, target, details, error);
      throw error;
    }
  }

  /** A 403 or 409 refusal of an audited action, recorded on its own (`denied` / `conflict`); other errors are not. */
  private async auditRefusal(actor: DispatchActor, action: string, target: string, details: Record<string, unknown>, error: unknown): Promise<void> {
    if (!(error instanceof DomainError) || (error.code !== 'forbidden' && error.code !== 'conflict')) return;
    try {
      await this.repo.audit({
        actor: actor.sub,
        role: actor.role,
        action,
        target,
        sourceAddress: actor.sourceAddress ?? null,
        outcome: error.code === 'forbidden' ? 'denied' : 'conflict',
        details: { ...details, reason: error.message },
      });
    } catch (auditError) {
      this.logger.error(`could not audit refused ${action}: ${describe(auditError)}`);
    }
  }

  // ---- who may do what, where -----------------------------------------------------------------

  /** Out of an operator's or admin's zones answers like a missing stand. */
  private requireScope(actor: DispatchActor, zoneId: string): void {
    if (!seesZone(actor, zoneId)) throw noStand(zoneId);
  }

  /**
   * The stand of a request: a kiosk's own zone (it may not ask at another stand); an operator's
   * or admin's explicit zoneId, else its one zone, else the only stand there is.
   */
  private async requestZone(actor: DispatchActor, explicit: string | undefined): Promise<string> {
    if (actor.role === 'DEVICE') {
      if (actor.deviceType !== 'DISPATCH_KIOSK') throw new DomainError('forbidden', 'only a DISPATCH_KIOSK device may request a taxi');
      const device = await this.repo.deviceZone(actor.sub);
      const own = device?.zoneId ?? undefined;
      if (explicit !== undefined && own !== undefined && explicit !== own) {
        throw new DomainError('forbidden', `kiosk ${actor.sub} serves stand ${own}, not ${explicit}`, { zoneId: explicit });
      }
      const zoneId = explicit ?? own;
      if (zoneId === undefined) throw new DispatchError('invalid', `kiosk ${actor.sub} has no zone: name the stand`, { fields: { zoneId: ['required'] } });
      return zoneId;
    }
    if (actor.role !== 'OPERATOR' && actor.role !== 'ADMIN') throw new DomainError('forbidden', `a ${actor.role} may not request a taxi`);
    const zoneId = explicit ?? (actor.zones?.length === 1 ? actor.zones[0] : await this.onlyStand());
    this.requireScope(actor, zoneId);
    return zoneId;
  }

  /** The stand a plate is at, else the only stand. */
  private async zoneOfPlate(plate: string): Promise<string> {
    const holding = await this.repo.standsHolding(plate, false);
    if (holding.length === 1) return holding[0]!;
    return this.onlyStand();
  }

  private async onlyStand(): Promise<string> {
    const all = await this.repo.standZoneIds();
    if (all.length === 1) return all[0]!;
    throw new DispatchError('invalid', all.length === 0 ? 'there is no taxi stand' : 'zoneId is required: there are several stands', { fields: { zoneId: ['required'] } });
  }

  /** Acting on a stand's passengers: its own DISPATCH_KIOSK (another stand's: 403), operators and admins of the zone (else 404). */
  private async authorizeStand(actor: DispatchActor, zoneId: string, what: string): Promise<void> {
    switch (actor.role) {
      case 'ADMIN':
      case 'OPERATOR':
        this.requireScope(actor, zoneId);
        return;
      case 'DEVICE': {
        if (actor.deviceType !== 'DISPATCH_KIOSK') throw new DomainError('forbidden', `only a DISPATCH_KIOSK device may ${what}`);
        const device = await this.repo.deviceZone(actor.sub);
        if (device?.zoneId !== zoneId) throw new DomainError('forbidden', `kiosk ${actor.sub} does not serve stand ${zoneId}`, { zoneId });
        return;
      }
      default:
        throw new DomainError('forbidden', `a ${actor.role} may not ${what}`);
    }
  }

  /** Pickup and trip end: admins, operators of the zone, the match's driver, the stand's kiosk. */
  private async authorizeMatch(actor: DispatchActor, matchId: string): Promise<string> {
    const match = await this.repo.match(matchId);
    const notFound = (): DispatchError => new DispatchError('not-found', `unknown match '${matchId}'`, { matchId });
    if (match === undefined) throw notFound();
    switch (actor.role) {
      case 'ADMIN':
      case 'OPERATOR':
        if (!seesZone(actor, match.zoneId)) throw notFound();
        return match.zoneId;
      case 'DRIVER':
        if (normalizePlate(actor.sub) !== match.plate) throw new DomainError('forbidden', 'a driver may act on its own matches only', { matchId });
        return match.zoneId;
      case 'DEVICE': {
        if (actor.deviceType !== 'DISPATCH_KIOSK') throw new DomainError('forbidden', 'only a DISPATCH_KIOSK device may confirm a pickup');
        const device = await this.repo.deviceZone(actor.sub);
        if (device?.zoneId !== match.zoneId) throw new DomainError('forbidden', `kiosk ${actor.sub} does not serve stand ${match.zoneId}`, { matchId });
        return match.zoneId;
      }
      default:
        throw new DomainError('forbidden', `a ${actor.role} may not act on matches`);
    }
  }
}

// ---- helpers ----------------------------------------------------------------------------------

function noStand(zoneId: string): DispatchError {
  return new DispatchError('not-found', `no taxi stand at zone '${zoneId}'`, { zoneId });
}

function seesZone(actor: DispatchActor, zoneId: string): boolean {
  if (actor.role !== 'OPERATOR' && actor.role !== 'ADMIN') return true;
  return actor.zones === undefined || actor.zones.includes(zoneId);
}

/** A bus input's identity: the same message seen by several processes has the same key. */
function keyOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/**
 * The near-trip claim a taxi entering the lot presents: its latest unused one at this stand
 * (claims are stand-local; the stand's record is the authority, so the camera read carries it).
 */
function latestClaim(stand: Stand, plate: string): NearTripClaim | undefined {
  let best: NearTripClaim | undefined;
  for (const c of stand.snapshot().claims) {
    if (c.plate !== plate || c.status !== 'ISSUED') continue;
    if (best === undefined || c.issuedAt > best.issuedAt) best = { plate: c.plate, matchId: c.matchId, issuedAt: c.issuedAt };
  }
  return best;
}

function matchView(zoneId: string, m: MatchRecord): MatchView {
  return {
    matchId: m.matchId,
    zoneId,
    plate: m.plate,
    ticket: m.ticket,
    queue: m.queue,
    taxiQueue: m.taxiQueue,
    vehicleClass: m.vehicleClass,
    status: m.status,
    matchedAt: iso(m.matchedAt),
    ...(m.endedAt === undefined ? {} : { endedAt: iso(m.endedAt) }),
    taxiArrived: m.taxiArrived,
    ...(m.releasedSide === undefined ? {} : { releasedSide: m.releasedSide }),
  };
}

function taxiView(row: TaxiRow): TaxiRegistrationView {
  return {
    plate: row.plate,
    licenceRegion: row.licenceRegion,
    vehicleClass: row.vehicleClass,
    banned: row.banned,
    bannedAt: row.bannedAt === null ? null : iso(row.bannedAt),
    bannedBy: row.bannedBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function destinationsView(list: readonly ResolvedDestination[]): DestinationsView {
  return { count: list.length, destinations: list.map((d) => ({ name: d.destination, region: d.region, near: d.near })) };
}
