import { randomBytes } from 'node:crypto';
import type { DeviceType } from '@landside/contracts';

/** An id for a device created without one, e.g. `lpr-camera-3f9c2a1b7d04`. */
export function generateDeviceId(type: DeviceType): string {
  return `${type.toLowerCase().replace(/_/g, '-')}-${randomBytes(6).toString('hex')}`;
}
