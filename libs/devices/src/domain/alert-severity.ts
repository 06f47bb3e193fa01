import type { DeviceType } from '../../../contracts/src/roles';
import type { AlertKind, Severity } from './alert';

/**
 * What losing a device costs the airport, which is the severity of its OFFLINE and FAULT alerts:
 *  - CRITICAL: traffic or money stops. A gate holds vehicles; a payment kiosk is the only way to
 *    pay on foot; the vehicle detector is the gate's safety loop (no automatic closing without it).
 *  - MAJOR: a fallback exists but operators must act. LPR falls back to tickets; a dispatch kiosk
 *    or taxi-lot camera down means staff dispatch by hand.
 *  - MINOR: guidance is a convenience; drivers still park.
 */
export const DEVICE_IMPACT: Readonly<Record<DeviceType, Severity>> = {
  GATE: 'CRITICAL',
  PAYMENT_KIOSK: 'CRITICAL',
  VEHICLE_DETECTOR: 'CRITICAL',
  LPR_CAMERA: 'MAJOR',
  DISPATCH_KIOSK: 'MAJOR',
  TAXI_LOT_CAMERA: 'MAJOR',
  GUIDANCE_CAMERA: 'MINOR',
  GUIDANCE_SIGN: 'MINOR',
};

/**
 * Severity of an alert:
 *  - OFFLINE, FAULT: the device's impact (above); MAJOR when the type is not known.
 *  - DEGRADED: MINOR (the device still works, a component needs attention).
 *  - FLAPPING: MAJOR, MINOR for MINOR-impact devices (unstable, but not known down).
 *  - FAILOVER: MAJOR (service continues on a standby, the failed member needs repair).
 *  - NO_STANDBY: CRITICAL (the function is down; only the fallback command is left).
 */
export function severityOf(kind: AlertKind, type: DeviceType | undefined): Severity {
  const impact: Severity = type === undefined ? 'MAJOR' : DEVICE_IMPACT[type];
  switch (kind) {
    case 'OFFLINE':
    case 'FAULT':
      return impact;
    case 'DEGRADED':
      return 'MINOR';
    case 'FLAPPING':
      return impact === 'MINOR' ? 'MINOR' : 'MAJOR';
    case 'FAILOVER':
      return 'MAJOR';
    case 'NO_STANDBY':
      return 'CRITICAL';
  }
}
