import type { DeviceState } from '../registry-vocabulary';

/** One entry of GET /devices/{id}/history. */
export interface TransitionView {
  readonly id: string;
  readonly deviceId: string;
  readonly from: DeviceState;
  readonly to: DeviceState;
  readonly reason: string;
  readonly flapping: boolean;
  readonly at: string;
}
