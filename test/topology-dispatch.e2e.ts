import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Dispatch's sections of PUT/GET /topology (SPEC §8) end to end: `stands` and `destinations`
 * applied in the registry's transaction (the stand's zone may come in the same document), shown
 * by /api/dispatch; re-applied with nothing changed; an invalid section reported by JSON path with
 * the registry's errors and nothing applied; exported by GET /topology.
 */
interface InvalidBody {
  error: string;
  errors: Array<{ path: string; message: string }>;
}

let server: TestServer;
const http = () => request(server.httpUrl);
const auth = (): string => `Bearer ${server.token({ sub: 'admin', role: 'ADMIN' })}`;
const put = (doc: object) => http().put('/api/topology').set('Authorization', auth()).send(doc);
const zoneCount = async (): Promise<number> => {
  const rows: Array<{ n: number }> = await server.app.get(DataSource).query(`SELECT count(*)::int AS n FROM zones`);
  return rows[0]!.n;
};

const STAND = { zoneId: 'TX', mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON'], curbTarget: 2, nearQueue: true, nearDistanceKm: 10 };
const DESTINATIONS = [
  { name: 'Gangnam', region: 'SEOUL' },
  { name: 'Yeongjong', region: 'INCHEON', near: true },
];
const DOC = {
  zones: [
    { id: 'TX', name: 'Taxi stand', kind: 'TAXI_STAND' },
    { id: 'PK', name: 'Car park', kind: 'CAR_PARK' },
  ],
  lanes: [{ id: 'TX-in', zoneId: 'TX', kind: 'LOT_ENTRY' }],
  stands: [STAND],
  destinations: DESTINATIONS,
};

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('PUT /topology with stands and destinations', () => {
  it('creates the zone, the stand and the destination table in one apply', async () => {
    const res = await put(DOC);
    expect(res.status).toBe(200);
    expect(res.body.applied).toMatchObject({ zones: { created: 2 }, stands: { created: 1, updated: 0 }, destinations: { created: 2, updated: 0 } });

    const stands = await http().get('/api/dispatch/stands').set('Authorization', auth());
    expect(stands.status).toBe(200);
    expect(stands.body.items).toEqual([
      expect.objectContaining({ zoneId: 'TX', mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON'], curbTarget: 2, nearQueue: true, priorityWindowMin: 90, nearDistanceKm: 10, version: 1 }),
    ]);
    const destinations = await http().get('/api/dispatch/destinations').set('Authorization', auth());
    expect(destinations.status).toBe(200);
    expect(destinations.body).toEqual({
      count: 2,
      destinations: [
        { name: 'Gangnam', region: 'SEOUL', near: false },
        { name: 'Yeongjong', region: 'INCHEON', near: true },
      ],
    });
  });

  it('re-applying the same document changes nothing', async () => {
    const res = await put(DOC);
    expect(res.status).toBe(200);
    expect(res.body.applied).toMatchObject({ zones: { created: 0, updated: 0 }, stands: { created: 0, updated: 0 }, destinations: { created: 0, updated: 0 } });
    const stand = await http().get('/api/dispatch/stands/TX').set('Authorization', auth());
    expect(stand.body).toMatchObject({ version: 1 });
  });

  it('updates an existing stand like PATCH, absent optional fields at their defaults', async () => {
    const res = await put({ stands: [{ zoneId: 'TX', mode: 'SINGLE_QUEUE', regions: [], curbTarget: 3 }] });
    expect(res.status).toBe(200);
    expect(res.body.applied).toMatchObject({ stands: { created: 0, updated: 1 } });
    const stand = await http().get('/api/dispatch/stands/TX').set('Authorization', auth());
    expect(stand.body).toMatchObject({ zoneId: 'TX', mode: 'SINGLE_QUEUE', curbTarget: 3, nearQueue: false, version: 2 });
    expect(stand.body.nearDistanceKm).toBeUndefined();
    expect((await put(DOC)).body.applied).toMatchObject({ stands: { updated: 1 } });
  });

  it('reports a stand on a CAR_PARK and a destination without region by path, and applies nothing', async () => {
    const before = await zoneCount();
    const res = await put({
      zones: [{ id: 'NEW', name: 'New zone', kind: 'AREA' }],
      stands: [STAND, { zoneId: 'PK', mode: 'SINGLE_QUEUE', regions: [], curbTarget: 1 }],
      destinations: [{ name: 'Songdo', region: 'INCHEON' }, { name: 'Suwon' }],
    });
    expect(res.status).toBe(400);
    const body = res.body as InvalidBody;
    expect(body.error).toBe('invalid-topology');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: 'stands[1].zoneId', message: expect.stringContaining('CAR_PARK') },
        { path: 'destinations[1].region', message: expect.stringContaining('required') },
      ]),
    );
    expect(body.errors).toHaveLength(2);
    expect(await zoneCount()).toBe(before);
    const destinations = await http().get('/api/dispatch/destinations').set('Authorization', auth());
    expect(destinations.body.count).toBe(2);
  });

  it('GET /topology exports stands and destinations, and PUT of the export changes nothing', async () => {
    const res = await http().get('/api/topology').set('Authorization', auth());
    expect(res.status).toBe(200);
    expect(res.body.stands).toEqual([{ zoneId: 'TX', mode: 'REGIONAL', regions: ['SEOUL', 'INCHEON'], curbTarget: 2, nearQueue: true, priorityWindowMin: 90, nearDistanceKm: 10 }]);
    expect(res.body.destinations).toEqual(DESTINATIONS);
    const again = await put(res.body as object);
    expect(again.status).toBe(200);
    expect(again.body.applied).toMatchObject({ stands: { created: 0, updated: 0 }, destinations: { created: 0, updated: 0 } });
  });
});
