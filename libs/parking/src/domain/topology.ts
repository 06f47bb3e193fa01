/**
 * The parking topology the domain counts over: zones (SPEC §8 `{id, kind, parentId?}`) and bays
 * (`{id, zoneId, cameraId}`). Validated once, then read-only: each bay knows the chain of zones it
 * rolls up into (its own zone first, then each parent up to the root).
 */

export const ZONE_KINDS = ['CAR_PARK', 'LEVEL', 'TAXI_STAND', 'AREA'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

/** Zone kinds a bay may belong to directly. */
export const BAY_ZONE_KINDS: readonly ZoneKind[] = ['LEVEL', 'CAR_PARK'];

export interface ZoneDef {
  readonly id: string;
  readonly kind: ZoneKind;
  readonly parentId?: string;
}

export interface BayDef {
  readonly id: string;
  /** A LEVEL, or a CAR_PARK without levels. */
  readonly zoneId: string;
  /** The GUIDANCE_CAMERA that reports this bay. */
  readonly cameraId: string;
}

export interface ParkingTopology {
  readonly zones: readonly ZoneDef[];
  readonly bays: readonly BayDef[];
}

export type ParkingErrorCode = 'invalid' | 'not-found';

/** A refusal from the parking domain; `code` matches the project's domain error codes (400 / 404). */
export class ParkingError extends Error {
  constructor(
    readonly code: ParkingErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ParkingError';
  }
}

export interface ZoneNode {
  readonly def: ZoneDef;
  /** Position in the topology's zone list: the order change lists are emitted in. */
  readonly index: number;
  /** Indices of this zone and its ancestors, self first. */
  readonly chain: readonly number[];
}

export interface BayNode {
  readonly def: BayDef;
  /** Indices of the bay's zone and that zone's ancestors, own zone first. */
  readonly chain: readonly number[];
}

export class ZoneTree {
  readonly zones: readonly ZoneNode[];
  private readonly zoneIndex = new Map<string, number>();
  private readonly bayNodes = new Map<string, BayNode>();
  private readonly cameraBays = new Map<string, string[]>();

  constructor(topology: ParkingTopology) {
    const defs = topology.zones;
    defs.forEach((z, i) => {
      if (z.id === '') throw new ParkingError('invalid', 'zone id must not be empty');
      if (this.zoneIndex.has(z.id)) throw new ParkingError('invalid', `duplicate zone ${z.id}`, { zoneId: z.id });
      this.zoneIndex.set(z.id, i);
    });
    const chains: number[][] = defs.map((z, i) => {
      const chain = [i];
      let parent = z.parentId;
      while (parent !== undefined) {
        const p = this.zoneIndex.get(parent);
        if (p === undefined) throw new ParkingError('invalid', `zone ${z.id}: unknown parent ${parent}`, { zoneId: z.id, parentId: parent });
        if (chain.includes(p)) throw new ParkingError('invalid', `zone ${z.id}: parent cycle`, { zoneId: z.id });
        chain.push(p);
        parent = defs[p].parentId;
      }
      return chain;
    });
    this.zones = defs.map((def, index) => ({ def, index, chain: chains[index] }));

    for (const b of topology.bays) {
      if (b.id === '') throw new ParkingError('invalid', 'bay id must not be empty');
      if (this.bayNodes.has(b.id)) throw new ParkingError('invalid', `duplicate bay ${b.id}`, { bayId: b.id });
      const zi = this.zoneIndex.get(b.zoneId);
      if (zi === undefined) throw new ParkingError('invalid', `bay ${b.id}: unknown zone ${b.zoneId}`, { bayId: b.id, zoneId: b.zoneId });
      if (!BAY_ZONE_KINDS.includes(defs[zi].kind)) {
        throw new ParkingError('invalid', `bay ${b.id}: zone ${b.zoneId} is a ${defs[zi].kind}, not a LEVEL or CAR_PARK`, { bayId: b.id, zoneId: b.zoneId });
      }
      if (b.cameraId === '') throw new ParkingError('invalid', `bay ${b.id}: cameraId must not be empty`, { bayId: b.id });
      this.bayNodes.set(b.id, { def: b, chain: chains[zi] });
      const list = this.cameraBays.get(b.cameraId);
      if (list) list.push(b.id);
      else this.cameraBays.set(b.cameraId, [b.id]);
    }
  }

  indexOf(zoneId: string): number | undefined {
    return this.zoneIndex.get(zoneId);
  }

  bay(bayId: string): BayNode | undefined {
    return this.bayNodes.get(bayId);
  }

  bays(): IterableIterator<BayNode> {
    return this.bayNodes.values();
  }

  baysOfCamera(cameraId: string): readonly string[] {
    return this.cameraBays.get(cameraId) ?? [];
  }

  /** The nearest zone of `kind` among `zoneId` and its ancestors. */
  nearest(zoneId: string, kind: ZoneKind): string | undefined {
    const i = this.zoneIndex.get(zoneId);
    if (i === undefined) return undefined;
    for (const j of this.zones[i].chain) if (this.zones[j].def.kind === kind) return this.zones[j].def.id;
    return undefined;
  }
}
