import { COMMAND_TYPES, DEVICE_TYPES, type CommandType, type DeviceType } from '@landside/contracts';
import {
  COMMAND_VALIDITY,
  DEFAULT_TTL_S,
  GATE_TTL_S,
  MAX_PARAMS_BYTES,
  MAX_TTL_S,
  isValidForDevice,
  resolveTtl,
  ttlPolicy,
  validateParams,
} from './command-types';

/** The whole table written out: a change to it must change this test. */
const EXPECTED: Record<CommandType, readonly DeviceType[]> = {
  OPEN_GATE: ['GATE'],
  CLOSE_GATE: ['GATE'],
  LOCK_OPEN: ['GATE'],
  LOCK_CLOSED: ['GATE'],
  TICKET_MODE: ['GATE'],
  DISPLAY_MESSAGE: ['GATE', 'GUIDANCE_SIGN', 'PAYMENT_KIOSK', 'DISPATCH_KIOSK'],
  REBOOT: DEVICE_TYPES,
  RESYNC: DEVICE_TYPES,
  SET_OUT_OF_SERVICE: DEVICE_TYPES,
  ACTIVATE: DEVICE_TYPES,
  DEACTIVATE: DEVICE_TYPES,
};

describe('validity table', () => {
  it('names every command type', () => {
    expect(Object.keys(COMMAND_VALIDITY).sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it.each(COMMAND_TYPES.flatMap((c) => DEVICE_TYPES.map((d) => [c, d] as const)))('%s to a %s', (command, device) => {
    expect(isValidForDevice(command, device)).toBe(EXPECTED[command].includes(device));
  });

  it('rejects a device type it does not know', () => {
    expect(isValidForDevice('REBOOT', 'TOASTER')).toBe(false);
  });

  it('sends barrier commands only to gates and messages only to things with a display', () => {
    expect(isValidForDevice('OPEN_GATE', 'GUIDANCE_SIGN')).toBe(false);
    expect(isValidForDevice('DISPLAY_MESSAGE', 'LPR_CAMERA')).toBe(false);
    expect(isValidForDevice('DISPLAY_MESSAGE', 'VEHICLE_DETECTOR')).toBe(false);
    expect(isValidForDevice('DISPLAY_MESSAGE', 'TAXI_LOT_CAMERA')).toBe(false);
    expect(isValidForDevice('DISPLAY_MESSAGE', 'GUIDANCE_CAMERA')).toBe(false);
  });
});

describe('time to live', () => {
  it('is 15 s for gate commands and 60 s for the rest by default', () => {
    for (const type of COMMAND_TYPES) {
      const gate = EXPECTED[type].length === 1 && EXPECTED[type][0] === 'GATE';
      expect(ttlPolicy(type).defaultS).toBe(gate ? GATE_TTL_S : DEFAULT_TTL_S);
      expect(resolveTtl(type, undefined)).toEqual({ ok: true, ttlS: gate ? 15 : 60 });
    }
  });

  it('takes a shorter requested TTL for every type', () => {
    for (const type of COMMAND_TYPES) expect(resolveTtl(type, 1)).toEqual({ ok: true, ttlS: 1 });
  });

  it('never lets a barrier command wait longer than 15 s', () => {
    for (const type of ['OPEN_GATE', 'CLOSE_GATE', 'LOCK_OPEN', 'LOCK_CLOSED'] as const) {
      expect(resolveTtl(type, 15)).toEqual({ ok: true, ttlS: 15 });
      const decision = resolveTtl(type, 16);
      expect(decision.ok).toBe(false);
      if (!decision.ok) expect(decision.errors['ttlS']![0]).toMatch(/must not exceed 15/);
    }
  });

  it('lets TICKET_MODE and non-gate commands wait up to the maximum', () => {
    expect(resolveTtl('TICKET_MODE', 600)).toEqual({ ok: true, ttlS: 600 });
    expect(resolveTtl('REBOOT', MAX_TTL_S)).toEqual({ ok: true, ttlS: MAX_TTL_S });
    expect(resolveTtl('REBOOT', MAX_TTL_S + 1).ok).toBe(false);
  });

  it('refuses a non-positive or fractional TTL', () => {
    expect(resolveTtl('REBOOT', 0).ok).toBe(false);
    expect(resolveTtl('REBOOT', 1.5).ok).toBe(false);
  });
});

describe('params', () => {
  it('DISPLAY_MESSAGE needs a text', () => {
    expect(validateParams('DISPLAY_MESSAGE', {})).toEqual({ 'params.text': [expect.any(String)] });
    expect(validateParams('DISPLAY_MESSAGE', { text: '  ' })).toHaveProperty(['params.text']);
    expect(validateParams('DISPLAY_MESSAGE', { text: 7 })).toHaveProperty(['params.text']);
    expect(validateParams('DISPLAY_MESSAGE', { text: 'x'.repeat(257) })).toHaveProperty(['params.text']);
    expect(validateParams('DISPLAY_MESSAGE', { text: 'P2 FULL' })).toEqual({});
  });

  it('DISPLAY_MESSAGE display ttlS is optional, a positive integer', () => {
    expect(validateParams('DISPLAY_MESSAGE', { text: 'hi', ttlS: 30 })).toEqual({});
    expect(validateParams('DISPLAY_MESSAGE', { text: 'hi', ttlS: 0 })).toHaveProperty(['params.ttlS']);
    expect(validateParams('DISPLAY_MESSAGE', { text: 'hi', ttlS: '30' })).toHaveProperty(['params.ttlS']);
  });

  it('other types take any small params, vendor keys included', () => {
    expect(validateParams('REBOOT', {})).toEqual({});
    expect(validateParams('OPEN_GATE', { laneId: 'L1', holdS: 5 })).toEqual({});
  });

  it('refuses params larger than the limit', () => {
    expect(validateParams('REBOOT', { blob: 'x'.repeat(MAX_PARAMS_BYTES) })).toHaveProperty('params');
  });
});
