import { DispatchError } from './errors';
import { isVehicleClass, normalizePlate, normalizeRegion, type TaxiProfile, type VehicleClass } from './types';

/** Read-only taxi lookup (by normalised plate) the stand consults at lot entry and region choice. */
export interface TaxiDirectory {
  taxi(plate: string): TaxiProfile | undefined;
}

/** An in-memory registry (tests, and the adapter's cache of `dispatch_taxis`). */
export class TaxiRegistry implements TaxiDirectory {
  private readonly byPlate = new Map<string, TaxiProfile>();

  constructor(taxis: ReadonlyArray<{ plate: string; licenceRegion: string; vehicleClass: VehicleClass; banned?: boolean }> = []) {
    for (const t of taxis) this.register(t);
  }

  /** Registers or replaces a taxi. @throws DispatchError `invalid` */
  register(taxi: { plate: string; licenceRegion: string; vehicleClass: VehicleClass; banned?: boolean }): TaxiProfile {
    const plate = normalizePlate(taxi.plate);
    const licenceRegion = normalizeRegion(taxi.licenceRegion);
    if (plate === '' || licenceRegion === '') throw new DispatchError('invalid', 'a taxi needs a plate and a licence region');
    if (!isVehicleClass(taxi.vehicleClass)) throw new DispatchError('invalid', `unknown vehicle class '${String(taxi.vehicleClass)}'`);
    const profile: TaxiProfile = { plate, licenceRegion, vehicleClass: taxi.vehicleClass, banned: taxi.banned === true };
    this.byPlate.set(plate, profile);
    return profile;
  }

  /** @throws DispatchError `unknown-taxi` */
  setBanned(plate: string, banned: boolean): TaxiProfile {
    const current = this.taxi(plate);
    if (current === undefined) throw new DispatchError('unknown-taxi', `unknown taxi '${plate}'`, { plate });
    const next = { ...current, banned };
    this.byPlate.set(current.plate, next);
    return next;
  }

  taxi(plate: string): TaxiProfile | undefined {
    return this.byPlate.get(normalizePlate(plate));
  }
}
