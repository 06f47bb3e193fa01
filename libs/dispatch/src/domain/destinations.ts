import { DispatchError } from './errors';
import { normalizeRegion } from './types';

/** One row of the destination → region table (`PUT /api/dispatch/destinations`). */
export interface DestinationEntry {
  readonly destination: string;
  readonly region: string;
  /** A short trip: with a stand's `nearQueue`, its passengers wait in the NEAR queue. */
  readonly near?: boolean;
}

/** A destination as the table knows it: canonical name, region, near flag. */
export interface ResolvedDestination {
  readonly destination: string;
  readonly region: string;
  readonly near: boolean;
}

/** Read-only lookup the stand uses; {@link DestinationTable} implements it. */
export interface DestinationDirectory {
  /** @throws DispatchError `unknown-destination` */
  resolve(destination: string): ResolvedDestination;
}

/** Exact names, compared trimmed, Unicode-normalised (NFC), case-insensitively. */
export function destinationKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export class DestinationTable implements DestinationDirectory {
  private readonly byKey = new Map<string, ResolvedDestination>();

  /** @throws DispatchError `invalid` for an empty name or region, or one name mapped twice. */
  constructor(entries: readonly DestinationEntry[]) {
    for (const e of entries) {
      const key = destinationKey(e.destination);
      const region = normalizeRegion(e.region);
      if (key === '' || region === '') throw new DispatchError('invalid', 'a destination needs a name and a region', { destination: e.destination });
      if (this.byKey.has(key)) throw new DispatchError('invalid', `destination '${e.destination}' is listed twice`, { destination: e.destination });
      this.byKey.set(key, { destination: e.destination.trim(), region, near: e.near === true });
    }
  }

  resolve(destination: string): ResolvedDestination {
    const found = this.byKey.get(destinationKey(destination));
    if (found === undefined) throw new DispatchError('unknown-destination', `unknown destination '${destination}'`, { destination });
    return found;
  }

  entries(): ResolvedDestination[] {
    return [...this.byKey.values()];
  }
}
