import type { DeviceType } from '../roles';

/**
 * Events the control service publishes for other services (bus channel names `noun.verb`).
 * The same bodies go to operators on `/topic/devices` and `/topic/zones/{zoneId}/devices`.
 */
export const DOMAIN_CHANNELS = {
  /** After every committed device state transition. */
  deviceStateChanged: 'device.state-changed',
} as const;

export interface DeviceStateChangedEvent {
  readonly kind: 'device.state-changed';
  readonly deviceId: string;
  readonly deviceType?: DeviceType;
  readonly zoneId?: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly flapping: boolean;
  readonly at: string;
}
