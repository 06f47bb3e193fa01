import 'reflect-metadata';
import fc from 'fast-check';
import type { DeviceType, Principal, Role } from '@landside/contracts';
import {
  authorizeDestination,
  mayIssueCommand,
  principalSeesZone,
  zoneOfDestination,
  type DestinationAction,
} from './destination-policy';

const exp = Date.now() + 60_000;
const gate: Principal = { sub: 'gate-1', role: 'DEVICE', deviceType: 'GATE', zones: ['P1'], expiresAt: exp };
const kiosk: Principal = { sub: 'kiosk-1', role: 'DEVICE', deviceType: 'DISPATCH_KIOSK', expiresAt: exp };
const driver: Principal = { sub: '12가3456', role: 'DRIVER', expiresAt: exp };
const operator: Principal = { sub: 'op', role: 'OPERATOR', expiresAt: exp };
const scopedOperator: Principal = { sub: 'op-t1', role: 'OPERATOR', zones: ['T1', 'T1-P2'], expiresAt: exp };
const admin: Principal = { sub: 'admin', role: 'ADMIN', expiresAt: exp };
const scopedAdmin: Principal = { sub: 'admin-t2', role: 'ADMIN', zones: ['T2'], expiresAt: exp };

type Case = [string, Principal, DestinationAction, string, boolean];

const cases: Case[] = [
  // devices: their own streams only
  ['device heartbeat', gate, 'SEND', '/app/heartbeat', true],
  ['device events', gate, 'SEND', '/app/events', true],
  ['device command results', gate, 'SEND', '/app/command-results', true],
  ['device commands queue', gate, 'SUBSCRIBE', '/user/queue/commands', true],
  ['device errors queue', gate, 'SUBSCRIBE', '/user/queue/errors', true],
  ['device replies queue', gate, 'SUBSCRIBE', '/user/queue/replies', true],
  ['device sends to another device queue', gate, 'SEND', '/user/gate-2/queue/commands', false],
  ['device sends to another device (app path)', gate, 'SEND', '/app/devices/gate-2/heartbeat', false],
  ['device subscribes to another device queue', gate, 'SUBSCRIBE', '/user/gate-2/queue/commands', false],
  ['device subscribes to /topic/alerts', gate, 'SUBSCRIBE', '/topic/alerts', false],
  ['device subscribes to its zone topic', gate, 'SUBSCRIBE', '/topic/zones/P1/devices', false],
  ['device sends a command', gate, 'SEND', '/app/commands', false],
  ['device sends to a topic', gate, 'SEND', '/topic/devices', false],
  ['device sends to a queue', gate, 'SEND', '/queue/commands', false],
  ['device sends into its own user queue', gate, 'SEND', '/user/queue/commands', false],
  ['non-kiosk device dispatch request', gate, 'SEND', '/app/dispatch/requests', false],
  ['non-kiosk device dispatch queue', gate, 'SUBSCRIBE', '/user/queue/dispatch', false],
  ['kiosk dispatch request', kiosk, 'SEND', '/app/dispatch/requests', true],
  ['kiosk dispatch queue', kiosk, 'SUBSCRIBE', '/user/queue/dispatch', true],
  ['kiosk heartbeat', kiosk, 'SEND', '/app/heartbeat', true],
  ['kiosk region choice', kiosk, 'SEND', '/app/dispatch/region', false],
  // drivers
  ['driver region', driver, 'SEND', '/app/dispatch/region', true],
  ['driver dispatch queue', driver, 'SUBSCRIBE', '/user/queue/dispatch', true],
  ['driver errors', driver, 'SUBSCRIBE', '/user/queue/errors', true],
  ['driver replies', driver, 'SUBSCRIBE', '/user/queue/replies', true],
  ['driver heartbeat', driver, 'SEND', '/app/heartbeat', false],
  ['driver dispatch topic', driver, 'SUBSCRIBE', '/topic/dispatch/T1', false],
  ['driver commands queue', driver, 'SUBSCRIBE', '/user/queue/commands', false],
  // operators
  ...['/topic/devices', '/topic/alerts', '/topic/commands', '/topic/failovers', '/topic/occupancy', '/user/queue/errors', '/user/queue/replies'].map(
    (d): Case => [`operator ${d}`, operator, 'SUBSCRIBE', d, true],
  ),
  ['operator zone devices', operator, 'SUBSCRIBE', '/topic/zones/T1/devices', true],
  ['operator zone dispatch', operator, 'SUBSCRIBE', '/topic/dispatch/T1', true],
  ['operator commands', operator, 'SEND', '/app/commands', true],
  ['operator heartbeat', operator, 'SEND', '/app/heartbeat', false],
  ['operator sends to a topic', operator, 'SEND', '/topic/alerts', false],
  ['operator commands queue', operator, 'SUBSCRIBE', '/user/queue/commands', false],
  ['operator unknown topic', operator, 'SUBSCRIBE', '/topic/secrets', false],
  ['operator zone topic, unknown leaf', operator, 'SUBSCRIBE', '/topic/zones/T1/secrets', false],
  ['operator zone topic without leaf', operator, 'SUBSCRIBE', '/topic/zones/T1', false],
  ['operator dispatch topic, extra segment', operator, 'SUBSCRIBE', '/topic/dispatch/T1/x', false],
  ['operator bare dispatch topic', operator, 'SUBSCRIBE', '/topic/dispatch', false],
  ['operator someone else queue', operator, 'SUBSCRIBE', '/user/admin/queue/replies', false],
  // zone-scoped operator
  ['scoped operator own zone', scopedOperator, 'SUBSCRIBE', '/topic/zones/T1/devices', true],
  ['scoped operator own second zone', scopedOperator, 'SUBSCRIBE', '/topic/zones/T1-P2/devices', true],
  ['scoped operator own dispatch', scopedOperator, 'SUBSCRIBE', '/topic/dispatch/T1', true],
  ['scoped operator other zone', scopedOperator, 'SUBSCRIBE', '/topic/zones/T2/devices', false],
  ['scoped operator other dispatch', scopedOperator, 'SUBSCRIBE', '/topic/dispatch/T2', false],
  ['scoped operator zone prefix is not the zone', scopedOperator, 'SUBSCRIBE', '/topic/zones/T1-P/devices', false],
  ['scoped operator global topic', scopedOperator, 'SUBSCRIBE', '/topic/alerts', true],
  // admins: all of operator
  ['admin alerts', admin, 'SUBSCRIBE', '/topic/alerts', true],
  ['admin zone', admin, 'SUBSCRIBE', '/topic/zones/ANY/devices', true],
  ['admin commands', admin, 'SEND', '/app/commands', true],
  ['admin sends to a topic', admin, 'SEND', '/topic/alerts', false],
  ['admin device stream', admin, 'SEND', '/app/heartbeat', false],
  ['scoped admin other zone', scopedAdmin, 'SUBSCRIBE', '/topic/dispatch/T1', false],
  ['scoped admin own zone', scopedAdmin, 'SUBSCRIBE', '/topic/dispatch/T2', true],
  // path tricks, for everyone
  ['dot-dot', admin, 'SUBSCRIBE', '/topic/zones/../alerts', false],
  ['dot-dot escaping a zone', scopedOperator, 'SUBSCRIBE', '/topic/zones/T1/../../zones/T2/devices', false],
  ['single dot', admin, 'SUBSCRIBE', '/topic/./alerts', false],
  ['double slash', admin, 'SUBSCRIBE', '/topic//alerts', false],
  ['leading double slash', gate, 'SEND', '//app/heartbeat', false],
  ['trailing slash', gate, 'SEND', '/app/heartbeat/', false],
  ['trailing junk', gate, 'SEND', '/app/heartbeat/x', false],
  ['query string', gate, 'SEND', '/app/heartbeat?x=1', false],
  ['star wildcard', admin, 'SUBSCRIBE', '/topic/*', false],
  ['zone star wildcard', scopedOperator, 'SUBSCRIBE', '/topic/zones/*/devices', false],
  ['hash wildcard', admin, 'SUBSCRIBE', '/topic/#', false],
  ['greater-than wildcard', admin, 'SUBSCRIBE', '/topic/zones/>', false],
  ['percent encoding', admin, 'SUBSCRIBE', '/topic/%2e%2e/alerts', false],
  ['backslash', gate, 'SEND', '/app\\heartbeat', false],
  ['space', gate, 'SEND', '/app/heartbeat ', false],
  ['newline', gate, 'SEND', '/app/heartbeat\n', false],
  ['NUL', gate, 'SEND', '/app/heartbeat\u0000', false],
  ['no leading slash', gate, 'SEND', 'app/heartbeat', false],
  ['empty', gate, 'SEND', '', false],
  ['upper case', gate, 'SEND', '/APP/HEARTBEAT', false],
  ['too long', admin, 'SUBSCRIBE', `/topic/zones/${'a'.repeat(300)}/devices`, false],
];

describe('authorizeDestination', () => {
  it.each(cases)('%s', (_name, principal, action, destination, allowed) => {
    const decision = authorizeDestination(principal, action, destination);
    expect(decision.ok).toBe(allowed);
    if (!decision.ok) expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('never allows a destination outside the allow-lists (property)', () => {
    const roles: Role[] = ['DEVICE', 'DRIVER', 'OPERATOR', 'ADMIN'];
    const types: DeviceType[] = ['GATE', 'DISPATCH_KIOSK'];
    const allowedShapes = [
      /^\/app\/(heartbeat|events|command-results|commands|dispatch\/region|dispatch\/requests)$/,
      /^\/user\/queue\/(commands|errors|replies|dispatch)$/,
      /^\/topic\/(devices|alerts|commands|failovers|occupancy)$/,
      /^\/topic\/zones\/[A-Za-z0-9][A-Za-z0-9_.:-]*\/devices$/,
      /^\/topic\/dispatch\/[A-Za-z0-9][A-Za-z0-9_.:-]*$/,
    ];
    const segment = fc.oneof(
      fc.constantFrom('app', 'topic', 'user', 'queue', 'zones', 'dispatch', 'devices', 'alerts', '..', '.', '', '*', '#', 'T1', 'heartbeat', 'commands'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...roles),
        fc.constantFrom(...types),
        fc.constantFrom<DestinationAction>('SEND', 'SUBSCRIBE'),
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        (role, deviceType, action, segments) => {
          const destination = `/${segments.join('/')}`;
          const decision = authorizeDestination({ sub: 's', role, deviceType, expiresAt: exp }, action, destination);
          if (decision.ok) expect(allowedShapes.some((r) => r.test(destination))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('zoneOfDestination', () => {
  it.each([
    ['/topic/zones/T1/devices', 'T1'],
    ['/topic/dispatch/T1-STAND', 'T1-STAND'],
    ['/topic/alerts', undefined],
    ['/topic/dispatch/T1/x', undefined],
    ['/topic/zones/../devices', undefined],
    ['/app/heartbeat', undefined],
  ])('%s -> %s', (destination, zone) => {
    expect(zoneOfDestination(destination)).toBe(zone);
  });
});

describe('principalSeesZone', () => {
  it('lets unscoped principals see everything and scoped ones only their zones', () => {
    expect(principalSeesZone(operator, 'T9')).toBe(true);
    expect(principalSeesZone(operator, undefined)).toBe(true);
    expect(principalSeesZone(scopedOperator, 'T1')).toBe(true);
    expect(principalSeesZone(scopedOperator, 'T2')).toBe(false);
    // Zone-less entities are outside every zone scope.
    expect(principalSeesZone(scopedOperator, undefined)).toBe(false);
    expect(principalSeesZone({ ...operator, zones: [] }, 'T1')).toBe(false);
  });
});

describe('mayIssueCommand', () => {
  it('gives operators the safe commands and admins all', () => {
    expect(mayIssueCommand(operator, 'OPEN_GATE')).toBe(true);
    expect(mayIssueCommand(operator, 'DISPLAY_MESSAGE')).toBe(true);
    expect(mayIssueCommand(operator, 'REBOOT')).toBe(false);
    expect(mayIssueCommand(operator, 'LOCK_OPEN')).toBe(false);
    expect(mayIssueCommand(admin, 'REBOOT')).toBe(true);
    expect(mayIssueCommand(gate, 'OPEN_GATE')).toBe(false);
    expect(mayIssueCommand(driver, 'OPEN_GATE')).toBe(false);
  });
});
