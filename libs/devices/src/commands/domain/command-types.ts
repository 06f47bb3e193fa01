/**
 * Which device types accept which command, how long a command may wait for delivery, and what
 * its params must hold (SPEC §6). Pure data and functions: no Nest, no database.
 *
 * The validity table, decided here and documented in ../README.md:
 *
 * | command                                   | accepted by                                          |
 * |-------------------------------------------|------------------------------------------------------|
 * | OPEN_GATE, CLOSE_GATE, LOCK_OPEN,          | GATE                                                 |
 * | LOCK_CLOSED, TICKET_MODE                  |                                                      |
 * | DISPLAY_MESSAGE                           | GUIDANCE_SIGN, PAYMENT_KIOSK, DISPATCH_KIOSK, GATE   |
 * | REBOOT, RESYNC, SET_OUT_OF_SERVICE,        | every device type                                    |
 * | ACTIVATE, DEACTIVATE                      |                                                      |
 *
 * - DISPLAY_MESSAGE goes to everything with a screen a driver or passenger reads: signs, both
 *   kiosks, and gates (their lane display: "ticket please", "lane closed"). Cameras and detectors
 *   have no display.
 * - ACTIVATE/DEACTIVATE/SET_OUT_OF_SERVICE go to every type because failover groups may hold any
 *   type (a standby LPR camera, a standby sign), and REBOOT/RESYNC are maintenance for everything.
 */
import { COMMAND_TYPES, DEVICE_TYPES, type CommandType, type DeviceType } from '@landside/contracts';

export const GATE_COMMANDS: readonly CommandType[] = Object.freeze(['OPEN_GATE', 'CLOSE_GATE', 'LOCK_OPEN', 'LOCK_CLOSED', 'TICKET_MODE']);

const DISPLAY_TYPES: readonly DeviceType[] = Object.freeze(['GUIDANCE_SIGN', 'PAYMENT_KIOSK', 'DISPATCH_KIOSK', 'GATE']);

export const COMMAND_VALIDITY: Readonly<Record<CommandType, readonly DeviceType[]>> = Object.freeze({
  OPEN_GATE: ['GATE'],
  CLOSE_GATE: ['GATE'],
  LOCK_OPEN: ['GATE'],
  LOCK_CLOSED: ['GATE'],
  TICKET_MODE: ['GATE'],
  DISPLAY_MESSAGE: DISPLAY_TYPES,
  REBOOT: DEVICE_TYPES,
  RESYNC: DEVICE_TYPES,
  SET_OUT_OF_SERVICE: DEVICE_TYPES,
  ACTIVATE: DEVICE_TYPES,
  DEACTIVATE: DEVICE_TYPES,
});

export function isCommandType(value: string): value is CommandType {
  return (COMMAND_TYPES as readonly string[]).includes(value);
}

/** Whether a device of `deviceType` accepts `type` (false for unknown device types). */
export function isValidForDevice(type: CommandType, deviceType: string): boolean {
  return (COMMAND_VALIDITY[type] as readonly string[]).includes(deviceType);
}

// ---- time to live ------------------------------------------------------------------------------

export const DEFAULT_TTL_S = 60;
/** Gate commands wait at most this long by default: a gate never opens minutes late. */
export const GATE_TTL_S = 15;
/** The longest any command may wait for delivery (the request DTO's bound). */
export const MAX_TTL_S = 86_400;

/**
 * Commands that move the barrier: a request may shorten their TTL but never lengthen it past
 * GATE_TTL_S. TICKET_MODE is a gate command (default 15 s) but a mode, not a motion, so a longer
 * TTL may be asked for (e.g. a failover fallback to a gate that is reconnecting).
 */
export const BARRIER_COMMANDS: readonly CommandType[] = Object.freeze(['OPEN_GATE', 'CLOSE_GATE', 'LOCK_OPEN', 'LOCK_CLOSED']);

export interface TtlPolicy {
  readonly defaultS: number;
  readonly maxS: number;
}

export function ttlPolicy(type: CommandType): TtlPolicy {
  if (BARRIER_COMMANDS.includes(type)) return { defaultS: GATE_TTL_S, maxS: GATE_TTL_S };
  if (GATE_COMMANDS.includes(type)) return { defaultS: GATE_TTL_S, maxS: MAX_TTL_S };
  return { defaultS: DEFAULT_TTL_S, maxS: MAX_TTL_S };
}

/** Field errors keyed by the request field (`ttlS`, `params.text`), as the 400 answer lists them. */
export type FieldErrors = Record<string, string[]>;

export type TtlDecision = { readonly ok: true; readonly ttlS: number } | { readonly ok: false; readonly errors: FieldErrors };

/** The TTL a command gets: the request's when given and allowed, else the type's default. */
export function resolveTtl(type: CommandType, requestedS: number | undefined): TtlDecision {
  const policy = ttlPolicy(type);
  if (requestedS === undefined) return { ok: true, ttlS: policy.defaultS };
  if (!Number.isInteger(requestedS) || requestedS < 1) return { ok: false, errors: { ttlS: ['ttlS must be a positive integer'] } };
  if (requestedS > policy.maxS) {
    return { ok: false, errors: { ttlS: [`ttlS must not exceed ${policy.maxS} for ${type}`] } };
  }
  return { ok: true, ttlS: requestedS };
}

// ---- params ------------------------------------------------------------------------------------

export const MAX_PARAMS_BYTES = 4096;
export const MAX_DISPLAY_TEXT = 256;

/**
 * What a command's params must hold. Only DISPLAY_MESSAGE has required params (`text`, optional
 * display `ttlS` — how long the sign shows it, unrelated to the command's TTL); other keys pass
 * through to the device untouched (vendor options). Every command's params stay small.
 */
export function validateParams(type: CommandType, params: Readonly<Record<string, unknown>>): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string): void => {
    (errors[field] ??= []).push(message);
  };
  if (Buffer.byteLength(JSON.stringify(params), 'utf8') > MAX_PARAMS_BYTES) add('params', `params must not exceed ${MAX_PARAMS_BYTES} bytes as JSON`);
  if (type === 'DISPLAY_MESSAGE') {
    const text = params['text'];
    if (typeof text !== 'string' || text.trim() === '') add('params.text', 'DISPLAY_MESSAGE needs params.text, a non-empty string');
    else if (text.length > MAX_DISPLAY_TEXT) add('params.text', `params.text must not exceed ${MAX_DISPLAY_TEXT} characters`);
    const displayTtl = params['ttlS'];
    if (displayTtl !== undefined && (typeof displayTtl !== 'number' || !Number.isInteger(displayTtl) || displayTtl < 1 || displayTtl > MAX_TTL_S)) {
      add('params.ttlS', `params.ttlS must be an integer from 1 to ${MAX_TTL_S}`);
    }
  }
  return errors;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}
