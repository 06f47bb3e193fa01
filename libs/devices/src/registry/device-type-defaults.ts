/**
 * Per-type health settings (SPEC §5): every type defaults to a 5 s heartbeat interval and a miss
 * tolerance of 3; a device may override either. Pure, so the health tracker and tests can use it.
 */
import type { DeviceType } from '@landside/contracts';

export interface HealthSettings {
  readonly heartbeatIntervalS: number;
  readonly missTolerance: number;
}

const STANDARD: HealthSettings = Object.freeze({ heartbeatIntervalS: 5, missTolerance: 3 });

export const DEVICE_TYPE_DEFAULTS: Readonly<Record<DeviceType, HealthSettings>> = Object.freeze({
  GATE: STANDARD,
  LPR_CAMERA: STANDARD,
  VEHICLE_DETECTOR: STANDARD,
  GUIDANCE_CAMERA: STANDARD,
  GUIDANCE_SIGN: STANDARD,
  PAYMENT_KIOSK: STANDARD,
  DISPATCH_KIOSK: STANDARD,
  TAXI_LOT_CAMERA: STANDARD,
});

/** The settings in force for a device: its overrides where set, else its type's defaults. */
export function effectiveHealthSettings(
  type: DeviceType,
  overrides: { readonly heartbeatIntervalS: number | null; readonly missTolerance: number | null },
): HealthSettings {
  const defaults = DEVICE_TYPE_DEFAULTS[type];
  return {
    heartbeatIntervalS: overrides.heartbeatIntervalS ?? defaults.heartbeatIntervalS,
    missTolerance: overrides.missTolerance ?? defaults.missTolerance,
  };
}
