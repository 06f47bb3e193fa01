import type { DeviceType } from '../../../contracts/src/roles';

/** The static facts about a device the alert engine needs: severity comes from the type, suppression from the topology. */
export interface DeviceInfo {
  readonly type: DeviceType;
  readonly parentId?: string;
}

/**
 * Read-only device lookup. {@link HealthTracker} implements it, so the alert engine reads the
 * same configuration the tracker uses, with no second registry to keep in sync.
 */
export interface DeviceDirectory {
  describe(deviceId: string): DeviceInfo | undefined;
}
