import { checkTopology } from './topology-checker';
import { parseTopology } from './topology-parser';
import { planTopology, sameJson, type CurrentRows } from './topology-plan';
import type { TopologySnapshot } from './topology-snapshot';

/** The pure checks of a topology document against what the database holds. */
const db: TopologySnapshot = {
  zones: new Map([
    ['A', { parentId: null }],
    ['A1', { parentId: 'A' }],
    ['B', { parentId: null }],
  ]),
  lanes: new Map([['LA', { zoneId: 'A' }]]),
  devices: new Map([
    ['sw', { zoneId: 'A', parentId: null, laneId: null }],
    ['cam', { zoneId: 'A', parentId: 'sw', laneId: 'LA' }],
    ['g1', { zoneId: 'A', parentId: null, laneId: null }],
  ]),
  failoverGroups: new Map([['fg', { zoneId: 'A', members: ['g1'] }]]),
};

function errorsOf(doc: unknown): Record<string, string> {
  const parsed = parseTopology(doc);
  return Object.fromEntries([...parsed.errors, ...checkTopology(parsed, db)].map((e) => [e.path, e.message]));
}

describe('checkTopology', () => {
  it('accepts a document that only refers to itself and the database', () => {
    expect(
      errorsOf({
        zones: [{ id: 'A2', name: 'a2', kind: 'LEVEL', parentId: 'A' }],
        devices: [{ id: 'sign', type: 'GUIDANCE_SIGN', zoneId: 'A2', parentId: 'cam' }],
        bays: [{ id: 'b1', zoneId: 'A2', cameraId: 'cam' }],
        failoverGroups: [{ id: 'fg2', zoneId: 'A', members: ['sw', 'g1'] }],
      }),
    ).toEqual({});
  });

  it('finds cycles that close through database rows, and self-parents', () => {
    // A's parent becomes A1, whose parent (in the database) is A
    expect(errorsOf({ zones: [{ id: 'A', name: 'a', kind: 'AREA', parentId: 'A1' }] })).toEqual({ 'zones[0].parentId': 'parent cycle: A -> A1 -> A' });
    expect(errorsOf({ devices: [{ id: 'sw', type: 'GATE', zoneId: 'A', parentId: 'cam' }] })).toEqual({
      'devices[0].parentId': 'parent cycle: sw -> cam -> sw',
    });
    expect(errorsOf({ devices: [{ id: 'x', type: 'GATE', zoneId: 'A', parentId: 'x' }] })).toEqual({ 'devices[0].parentId': 'parent cycle: x -> x' });
  });

  it('refuses moving a lane away from the zone of devices the document leaves alone', () => {
    expect(errorsOf({ lanes: [{ id: 'LA', zoneId: 'B', kind: 'CURB' }] })).toEqual({
      'lanes[0].zoneId': "lane would move to zone 'B' but device 'cam' (zone 'A') uses it",
    });
    // moving the device along in the same document is fine
    expect(errorsOf({ lanes: [{ id: 'LA', zoneId: 'B', kind: 'CURB' }], devices: [{ id: 'cam', type: 'LPR_CAMERA', zoneId: 'B', laneId: 'LA' }] })).toEqual({});
  });

  it('reports missing references, bad members, bad fields and unknown keys by path', () => {
    expect(
      errorsOf({
        bays: [{ id: 'b1', zoneId: 'A', cameraId: 'nope' }],
        failoverGroups: [{ id: 'f', zoneId: 'B', members: ['g1', 'g1', 'zz'], fallbackCommand: { type: 'TICKET_MODE', params: 3 } }],
        devices: [{ id: 'd', type: 'GATE', zoneId: 'A', config: [], maintenance: 'no', extra: 1 }],
        destinations: [],
      }),
    ).toEqual({
      destinations: 'unknown top-level key; allowed: zones, lanes, bays, devices, failoverGroups',
      'bays[0].cameraId': "device 'nope' not in document or database",
      'failoverGroups[0].members[1]': "device 'g1' is listed twice",
      'failoverGroups[0].fallbackCommand.params': 'must be a JSON object',
      'failoverGroups[0].members[0]': "device 'g1' is in zone 'A', not 'B'",
      'devices[0].config': 'must be a JSON object',
      'devices[0].maintenance': 'must be true or false',
      'devices[0].extra': 'unknown field',
      'failoverGroups[0].members[2]': "device 'zz' not in document or database",
    });
  });
});

describe('planTopology', () => {
  const empty: CurrentRows = { zones: new Map(), lanes: new Map(), bays: new Map(), devices: new Map(), failoverGroups: new Map() };

  it('writes parents before children and needs a secret hash for every new device', () => {
    const parsed = parseTopology({
      zones: [
        { id: 'c', name: 'c', kind: 'LEVEL', parentId: 'b' },
        { id: 'b', name: 'b', kind: 'CAR_PARK', parentId: 'a' },
        { id: 'a', name: 'a', kind: 'AREA' },
      ],
      devices: [
        { id: 'y', type: 'GATE', zoneId: 'a', parentId: 'x' },
        { id: 'x', type: 'GATE', zoneId: 'a' },
      ],
    });
    const doc = {
      zones: parsed.zones.map((p) => p.value),
      lanes: [],
      bays: [],
      devices: parsed.devices.map((p) => p.value),
      failoverGroups: [],
    };
    const plan = planTopology(doc, empty, new Map([['x', 'hx'], ['y', 'hy']]));
    expect(plan.zones.write.map((z) => z.id)).toEqual(['a', 'b', 'c']);
    expect(plan.devices.write.map((d) => d.id)).toEqual(['x', 'y']);
    expect(plan.devices.created).toEqual(['y', 'x']);
    expect(() => planTopology(doc, empty, new Map([['x', 'hx']]))).toThrow(/no secret hash for new device 'y'/);
  });

  it('compares JSON regardless of key order', () => {
    expect(sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});
