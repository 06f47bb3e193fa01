/** Roles and principals as SPEC §1 and §3 name them. Shared by server, simulator and dashboard. */
export const ROLES = ['DEVICE', 'DRIVER', 'OPERATOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export const DEVICE_TYPES = [
  'GATE',
  'LPR_CAMERA',
  'VEHICLE_DETECTOR',
  'GUIDANCE_CAMERA',
  'GUIDANCE_SIGN',
  'PAYMENT_KIOSK',
  'DISPATCH_KIOSK',
  'TAXI_LOT_CAMERA',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** Who is behind a session or an HTTP request, as read from a verified JWT. */
export interface Principal {
  /** `sub`: a username, a device id, or a driver's plate. */
  readonly sub: string;
  readonly role: Role;
  /** Zone scope; `undefined` means every zone. */
  readonly zones?: readonly string[];
  readonly deviceType?: DeviceType;
  /** Token expiry, epoch milliseconds. */
  readonly expiresAt: number;
}
