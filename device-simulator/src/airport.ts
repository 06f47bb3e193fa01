/**
 * The simulated airport: two terminals' car parks (levels, bays, entry/exit lanes), their taxi
 * stands, and every device the SPEC names, sized to a target device count. The model is the
 * topology document of PUT /api/topology (SPEC §8) plus what the simulator needs to make the
 * devices behave (which bays a camera watches, which lane a camera reads).
 *
 * Layout per terminal `T1`, `T2` (ids get the optional prefix):
 *   zone `T1` (CAR_PARK, under `AIRPORT`), levels `T1-L01`… (LEVEL), stand `T1-TAXI` (TAXI_STAND)
 *   lanes `T1-IN01`… (PARK_ENTRY), `T1-OUT01`… (PARK_EXIT): each a GATE `…-GATE` with its
 *     LPR_CAMERA `…-LPR` and VEHICLE_DETECTOR `…-VD` as children (parentId: the gate)
 *   per level: a GUIDANCE_SIGN `T1-L01-SIGN`, GUIDANCE_CAMERAs `T1-L01-GC001`… each watching
 *     `baysPerCamera` bays `T1-L01-B0001`…
 *   PAYMENT_KIOSKs `T1-PK01`…; at the stand: TAXI_LOT_CAMERAs on lanes `T1-TAXI-IN01` (LOT_ENTRY),
 *     `T1-TAXI-OUT01` (LOT_EXIT) and `T1-TAXI-CURB` (CURB), DISPATCH_KIOSKs `T1-TAXI-DK01`…
 *   the stand dispatches over SEOUL / INCHEON / GYEONGGI (`stands` and `destinations` of the
 *     document) — REGIONAL at T1, T3…, DRIVER_SELECTED at T2, T4… — served by a fleet of
 *     registered taxis (POST /api/dispatch/taxis)
 */
import type { DeviceType } from '@landside/contracts';
import { Random } from './random';

/** Registry vocabularies (SPEC §8); not in `contracts`, so spelled here. */
export type ZoneKind = 'CAR_PARK' | 'LEVEL' | 'TAXI_STAND' | 'AREA';
export type LaneKind = 'PARK_ENTRY' | 'PARK_EXIT' | 'LOT_ENTRY' | 'LOT_EXIT' | 'CURB' | 'THROUGH';

/** SPEC §5: every device type defaults to a 5 s heartbeat and a miss tolerance of 3. */
export const DEFAULT_HEARTBEAT_INTERVAL_S = 5;
export const DEFAULT_MISS_TOLERANCE = 3;

export interface AirportZone {
  readonly id: string;
  readonly name: string;
  readonly kind: ZoneKind;
  readonly parentId?: string;
}

export interface AirportLane {
  readonly id: string;
  readonly zoneId: string;
  readonly kind: LaneKind;
  readonly name: string;
}

export interface AirportBay {
  readonly id: string;
  readonly zoneId: string;
  readonly cameraId: string;
}

export interface AirportDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly name: string;
  readonly zoneId: string;
  readonly laneId?: string;
  readonly parentId?: string;
  /** Per-device overrides written to the topology; unset means the type's default. */
  readonly heartbeatIntervalS?: number;
  readonly missTolerance?: number;
}

/** A lane with its devices, for traffic. */
export interface LaneModel {
  readonly lane: AirportLane;
  readonly gateId?: string;
  readonly cameraId: string;
  readonly detectorId?: string;
}

export interface CarParkModel {
  readonly zoneId: string;
  readonly entries: readonly LaneModel[];
  readonly exits: readonly LaneModel[];
  readonly kiosks: readonly string[];
  /** Guidance camera id -> the bays it watches. */
  readonly cameras: ReadonlyMap<string, readonly string[]>;
  readonly signs: readonly string[];
}

/** SPEC §7's vehicle classes, kept apart in every queue. */
export const VEHICLE_CLASSES = ['STANDARD', 'LARGE', 'PREMIUM', 'ACCESSIBLE'] as const;
export type VehicleClass = (typeof VEHICLE_CLASSES)[number];

/** A registered taxi (POST /api/dispatch/taxis). */
export interface TaxiModel {
  readonly plate: string;
  readonly licenceRegion: string;
  readonly vehicleClass: VehicleClass;
}

/** A stand's dispatch configuration (`stands` of the topology document, SPEC §8). */
export interface StandConfigModel {
  readonly zoneId: string;
  readonly mode: 'REGIONAL' | 'DRIVER_SELECTED';
  readonly regions: readonly string[];
  readonly curbTarget: number;
  readonly nearDistanceKm: number;
}

export interface TaxiStandModel {
  readonly zoneId: string;
  readonly lotEntries: readonly LaneModel[];
  readonly lotExits: readonly LaneModel[];
  /** The camera at the curb: a called taxi read there has arrived (TAXI_AT_CURB). */
  readonly curb: LaneModel;
  readonly kiosks: readonly string[];
  readonly config: StandConfigModel;
  /** The taxis that work this stand (each plate at one stand). */
  readonly fleet: readonly TaxiModel[];
}

/** A destination passengers ask for, and the region that serves it. */
export interface DestinationModel {
  readonly name: string;
  readonly region: string;
}

export const REGIONS = ['SEOUL', 'INCHEON', 'GYEONGGI'] as const;

/** Where passengers from Incheon airport go, with rough shares (weights) of the demand. */
export const DESTINATIONS: ReadonlyArray<DestinationModel & { readonly weight: number }> = [
  { name: 'Seoul Station', region: 'SEOUL', weight: 8 },
  { name: 'Gangnam', region: 'SEOUL', weight: 12 },
  { name: 'Myeongdong', region: 'SEOUL', weight: 9 },
  { name: 'Hongdae', region: 'SEOUL', weight: 6 },
  { name: 'Jamsil', region: 'SEOUL', weight: 5 },
  { name: 'Yeouido', region: 'SEOUL', weight: 5 },
  { name: 'Songdo', region: 'INCHEON', weight: 8 },
  { name: 'Bupyeong', region: 'INCHEON', weight: 4 },
  { name: 'Yeongjongdo', region: 'INCHEON', weight: 4 },
  { name: 'Incheon Port', region: 'INCHEON', weight: 3 },
  { name: 'Bucheon', region: 'GYEONGGI', weight: 5 },
  { name: 'Ilsan', region: 'GYEONGGI', weight: 6 },
  { name: 'Bundang', region: 'GYEONGGI', weight: 6 },
  { name: 'Suwon', region: 'GYEONGGI', weight: 5 },
  { name: 'Gimpo', region: 'GYEONGGI', weight: 4 },
];

/** Licence regions of the fleet and classes of taxis and passengers, as weights. */
const REGION_WEIGHTS: Readonly<Record<string, number>> = { SEOUL: 55, INCHEON: 20, GYEONGGI: 25 };
export const CLASS_WEIGHTS: Readonly<Record<VehicleClass, number>> = { STANDARD: 76, LARGE: 10, PREMIUM: 8, ACCESSIBLE: 6 };
const REGION_HANGUL: Readonly<Record<string, string>> = { SEOUL: '서울', INCHEON: '인천', GYEONGGI: '경기' };
const TAXI_HANGUL = ['바', '사', '아', '자'];

export interface Airport {
  readonly zones: readonly AirportZone[];
  readonly lanes: readonly AirportLane[];
  readonly bays: readonly AirportBay[];
  readonly devices: readonly AirportDevice[];
  readonly carParks: readonly CarParkModel[];
  readonly taxiStands: readonly TaxiStandModel[];
  /** The destination -> region table; empty when the airport has no dispatch. */
  readonly destinations: readonly DestinationModel[];
}

export interface AirportOptions {
  /** Target number of devices (at least 13 per terminal; the model hits the target exactly above that). */
  readonly devices: number;
  /** Number of terminals (T1, T2, …); default 2. */
  readonly terminals?: number;
  /** Prefix of every id, to keep several simulated airports apart on one server. */
  readonly prefix?: string;
  /** Per-device health overrides written to the topology (e.g. 1 s / 2 for fast tests). */
  readonly heartbeatIntervalS?: number;
  readonly missTolerance?: number;
  readonly baysPerCamera?: number;
  /**
   * Taxis registered per stand; default 80 (a share of Incheon T1's ~2,000 taxis a day, ~300 in
   * its lot, enough to keep every (region, class) queue supplied). 0: no dispatch at all (no
   * `stands`/`destinations` in the document, for a server without the dispatch module).
   */
  readonly taxisPerStand?: number;
  /** Taxis kept at the curb per (queue, class); default 2. */
  readonly curbTarget?: number;
}

/** The smallest terminal: one entry and one exit lane (6), a sign and a camera, a kiosk, three lot cameras, a dispatch kiosk. */
export const MIN_DEVICES_PER_TERMINAL = 13;

interface TerminalCounts {
  lanePairs: number;
  payKiosks: number;
  taxiLanePairs: number;
  dispatchKiosks: number;
  levels: number;
  cameras: number;
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));

/** How a terminal's device budget is spent: lanes ~15 %, kiosks ~5 %, the rest levels of guidance. */
export function terminalCounts(budget: number): TerminalCounts {
  const b = Math.max(budget, MIN_DEVICES_PER_TERMINAL);
  const lanePairs = clamp(Math.round(b * 0.025), 1, 24);
  const payKiosks = clamp(Math.round(b * 0.03), 1, 60);
  const taxiLanePairs = clamp(Math.round(b * 0.004), 1, 4);
  const dispatchKiosks = clamp(Math.round(b * 0.015), 1, 20);
  const rest = b - 6 * lanePairs - payKiosks - 2 * taxiLanePairs - 1 - dispatchKiosks;
  const levels = clamp(Math.round(rest / 40), 1, Math.min(12, Math.floor(rest / 2)));
  return { lanePairs, payKiosks, taxiLanePairs, dispatchKiosks, levels, cameras: rest - levels };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function buildAirport(options: AirportOptions): Airport {
  const terminals = options.terminals ?? 2;
  if (!Number.isInteger(terminals) || terminals < 1 || terminals > 9) throw new Error('terminals must be 1 to 9');
  if (!Number.isInteger(options.devices) || options.devices < 1) throw new Error('devices must be a positive integer');
  const p = options.prefix ?? '';
  const baysPerCamera = options.baysPerCamera ?? 4;
  const taxisPerStand = options.taxisPerStand ?? 80;
  if (!Number.isInteger(taxisPerStand) || taxisPerStand < 0 || taxisPerStand > 5000) throw new Error('taxisPerStand must be 0 to 5000');
  const health = {
    ...(options.heartbeatIntervalS !== undefined ? { heartbeatIntervalS: options.heartbeatIntervalS } : {}),
    ...(options.missTolerance !== undefined ? { missTolerance: options.missTolerance } : {}),
  };

  const zones: AirportZone[] = [{ id: `${p}AIRPORT`, name: 'Airport landside', kind: 'AREA' }];
  const lanes: AirportLane[] = [];
  const bays: AirportBay[] = [];
  const devices: AirportDevice[] = [];
  const carParks: CarParkModel[] = [];
  const taxiStands: TaxiStandModel[] = [];
  /** Taxi plates of every stand: one plate, one taxi, one stand. */
  const plates = new Set<string>();
  const device = (d: Omit<AirportDevice, 'heartbeatIntervalS' | 'missTolerance'>): string => {
    devices.push({ ...d, ...health });
    return d.id;
  };

  for (let t = 1; t <= terminals; t++) {
    const budget = Math.floor(options.devices / terminals) + (t <= options.devices % terminals ? 1 : 0);
    const c = terminalCounts(budget);
    const T = `${p}T${t}`;
    zones.push({ id: T, name: `Terminal ${t} car park`, kind: 'CAR_PARK', parentId: `${p}AIRPORT` });

    const laneModel = (kind: 'PARK_ENTRY' | 'PARK_EXIT', n: number): LaneModel => {
      const id = `${T}-${kind === 'PARK_ENTRY' ? 'IN' : 'OUT'}${pad(n, 2)}`;
      const lane: AirportLane = { id, zoneId: T, kind, name: `T${t} ${kind === 'PARK_ENTRY' ? 'entry' : 'exit'} ${n}` };
      lanes.push(lane);
      const gateId = device({ id: `${id}-GATE`, type: 'GATE', name: `${lane.name} gate`, zoneId: T, laneId: id });
      const cameraId = device({ id: `${id}-LPR`, type: 'LPR_CAMERA', name: `${lane.name} plate camera`, zoneId: T, laneId: id, parentId: gateId });
      const detectorId = device({ id: `${id}-VD`, type: 'VEHICLE_DETECTOR', name: `${lane.name} loop detector`, zoneId: T, laneId: id, parentId: gateId });
      return { lane, gateId, cameraId, detectorId };
    };
    const entries = Array.from({ length: c.lanePairs }, (_, i) => laneModel('PARK_ENTRY', i + 1));
    const exits = Array.from({ length: c.lanePairs }, (_, i) => laneModel('PARK_EXIT', i + 1));

    const cameras = new Map<string, string[]>();
    const signs: string[] = [];
    for (let l = 1; l <= c.levels; l++) {
      const L = `${T}-L${pad(l, 2)}`;
      zones.push({ id: L, name: `Terminal ${t} level ${l}`, kind: 'LEVEL', parentId: T });
      signs.push(device({ id: `${L}-SIGN`, type: 'GUIDANCE_SIGN', name: `T${t} level ${l} guidance sign`, zoneId: L }));
      const onLevel = Math.floor(c.cameras / c.levels) + (l <= c.cameras % c.levels ? 1 : 0);
      let bay = 0;
      for (let k = 1; k <= onLevel; k++) {
        const cameraId = device({ id: `${L}-GC${pad(k, 3)}`, type: 'GUIDANCE_CAMERA', name: `T${t} L${l} bay camera ${k}`, zoneId: L });
        const watched: string[] = [];
        for (let b = 0; b < baysPerCamera; b++) {
          const id = `${L}-B${pad(++bay, 4)}`;
          bays.push({ id, zoneId: L, cameraId });
          watched.push(id);
        }
        cameras.set(cameraId, watched);
      }
    }
    const kiosks = Array.from({ length: c.payKiosks }, (_, i) =>
      device({ id: `${T}-PK${pad(i + 1, 2)}`, type: 'PAYMENT_KIOSK', name: `T${t} pay station ${i + 1}`, zoneId: T }),
    );
    carParks.push({ zoneId: T, entries, exits, kiosks, cameras, signs });

    const S = `${T}-TAXI`;
    zones.push({ id: S, name: `Terminal ${t} taxi stand`, kind: 'TAXI_STAND', parentId: `${p}AIRPORT` });
    const lotLane = (kind: 'LOT_ENTRY' | 'LOT_EXIT', n: number): LaneModel => {
      const id = `${S}-${kind === 'LOT_ENTRY' ? 'IN' : 'OUT'}${pad(n, 2)}`;
      const lane: AirportLane = { id, zoneId: S, kind, name: `T${t} taxi lot ${kind === 'LOT_ENTRY' ? 'entry' : 'exit'} ${n}` };
      lanes.push(lane);
      const cameraId = device({ id: `${id}-CAM`, type: 'TAXI_LOT_CAMERA', name: `${lane.name} camera`, zoneId: S, laneId: id });
      return { lane, cameraId };
    };
    const lotEntries = Array.from({ length: c.taxiLanePairs }, (_, i) => lotLane('LOT_ENTRY', i + 1));
    const lotExits = Array.from({ length: c.taxiLanePairs }, (_, i) => lotLane('LOT_EXIT', i + 1));
    const curbLane: AirportLane = { id: `${S}-CURB`, zoneId: S, kind: 'CURB', name: `T${t} taxi stand curb` };
    lanes.push(curbLane);
    const curb = { lane: curbLane, cameraId: device({ id: `${S}-CURB-CAM`, type: 'TAXI_LOT_CAMERA', name: `${curbLane.name} camera`, zoneId: S, laneId: curbLane.id }) };
    const dispatch = Array.from({ length: c.dispatchKiosks }, (_, i) =>
      device({ id: `${S}-DK${pad(i + 1, 2)}`, type: 'DISPATCH_KIOSK', name: `T${t} taxi dispatch kiosk ${i + 1}`, zoneId: S }),
    );
    // odd terminals dispatch by licence region, even ones let the driver choose (SPEC §7's modes)
    const mode = t % 2 === 1 ? 'REGIONAL' : 'DRIVER_SELECTED';
    const config: StandConfigModel = { zoneId: S, mode, regions: [...REGIONS], curbTarget: options.curbTarget ?? 2, nearDistanceKm: 10 };
    const fleet = buildFleet(S, taxisPerStand, plates);
    taxiStands.push({ zoneId: S, lotEntries, lotExits, curb, kiosks: dispatch, config, fleet });
  }
  const destinations = taxisPerStand > 0 ? DESTINATIONS.map(({ name, region }) => ({ name, region })) : [];
  return { zones, lanes, bays, devices, carParks, taxiStands, destinations };
}

/** Picks a key by weight. */
export function weighted<K extends string>(random: Random, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  let x = random.next() * entries.reduce((n, [, w]) => n + w, 0);
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/** A stable 31-bit seed from a string (FNV-1a), so a stand gets the same fleet on every run. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 2 ** 31;
}

/**
 * The stand's taxis, the same for the same stand id (the server keeps them registered between
 * runs): every (region, class) pair first gets two, so no queue is without supply, then the rest
 * follow the weights. Plates look like Korean taxi plates: `서울32바1234`; `plates` holds those
 * other stands of the airport already use (a plate works one stand).
 */
export function buildFleet(standKey: string, size: number, plates: Set<string> = new Set()): TaxiModel[] {
  const random = new Random(seedOf(standKey));
  const fleet: TaxiModel[] = [];
  const add = (licenceRegion: string, vehicleClass: VehicleClass): void => {
    let plate: string;
    do plate = `${REGION_HANGUL[licenceRegion]}${random.int(10, 99)}${random.pick(TAXI_HANGUL)}${random.int(1000, 9999)}`;
    while (plates.has(plate));
    plates.add(plate);
    fleet.push({ plate, licenceRegion, vehicleClass });
  };
  for (const region of REGIONS) for (const vehicleClass of VEHICLE_CLASSES) for (let k = 0; k < 2 && fleet.length < size; k++) add(region, vehicleClass);
  while (fleet.length < size) add(weighted(random, REGION_WEIGHTS), weighted(random, CLASS_WEIGHTS));
  return fleet;
}

/** The effective heartbeat interval and tolerance of a device (its override, else SPEC §5's default). */
export function healthOf(d: AirportDevice): { intervalMs: number; missTolerance: number; windowMs: number } {
  const intervalMs = (d.heartbeatIntervalS ?? DEFAULT_HEARTBEAT_INTERVAL_S) * 1000;
  const missTolerance = d.missTolerance ?? DEFAULT_MISS_TOLERANCE;
  return { intervalMs, missTolerance, windowMs: intervalMs * missTolerance };
}

/** The airport runs taxi dispatch (stands, destinations, a fleet). */
export function hasDispatch(airport: Airport): boolean {
  return airport.destinations.length > 0;
}

/**
 * The PUT /api/topology document of the airport. Devices carry no secret: the server generates
 * one for each new device and answers it once (cheap to hash, SPEC §8); `secrets` sets chosen
 * ones instead (hashed at the password cost: slow for thousands). With dispatch, the document
 * also holds the stands and the destination table (which it replaces: one table per server).
 */
export function topologyDocument(airport: Airport, secrets: ReadonlyMap<string, string> = new Map()): Record<string, unknown> {
  return {
    zones: airport.zones,
    lanes: airport.lanes,
    bays: airport.bays,
    devices: airport.devices.map((d) => {
      const secret = secrets.get(d.id);
      return secret === undefined ? d : { ...d, secret };
    }),
    failoverGroups: [],
    ...(hasDispatch(airport) ? { stands: airport.taxiStands.map((s) => s.config), destinations: airport.destinations } : {}),
  };
}

/** Device count per type, for logs and the README. */
export function countByType(airport: Airport): Partial<Record<DeviceType, number>> {
  const counts: Partial<Record<DeviceType, number>> = {};
  for (const d of airport.devices) counts[d.type] = (counts[d.type] ?? 0) + 1;
  return counts;
}
