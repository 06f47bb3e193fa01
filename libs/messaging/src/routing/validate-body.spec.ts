/**
 * validateBody's two paths must be indistinguishable: a device DTO's hand-written `check` and
 * class-transformer + class-validator with its decorators (the reference) accept the same bodies
 * into equal instances and refuse the same bodies with the same `detail.fields`, byte for byte.
 */
import 'reflect-metadata';
import fc from 'fast-check';
import {
  COMMAND_OUTCOMES,
  CommandResultDto,
  CreateCommandDto,
  DEVICE_EVENT_TYPES,
  DEVICE_REPORTED_STATUSES,
  DeviceEventDto,
  GATE_STATES,
  HeartbeatDto,
  PAYMENT_METHODS,
  type PlainObject,
} from '@landside/contracts';
import { MessagingError } from './messaging-error';
import { validateBody, validateWithDecorators } from './validate-body';

type Dto = typeof HeartbeatDto | typeof DeviceEventDto | typeof CommandResultDto;

type Outcome =
  | { readonly kind: 'accepted'; readonly value: object }
  | { readonly kind: 'refused'; readonly error: string; readonly detail: unknown }
  | { readonly kind: 'crashed'; readonly message: string };

function outcomeOf(run: () => Promise<object>): Promise<Outcome>;
function outcomeOf(run: () => object): Outcome;
function outcomeOf(run: () => object | Promise<object>): Outcome | Promise<Outcome> {
  const settle = (error: unknown): Outcome =>
    error instanceof MessagingError
      ? { kind: 'refused', error: error.error, detail: error.detail }
      : { kind: 'crashed', message: String(error) };
  try {
    const value = run();
    if (value instanceof Promise) return value.then((v): Outcome => ({ kind: 'accepted', value: v }), settle);
    return { kind: 'accepted', value };
  } catch (error) {
    return settle(error);
  }
}

/** The fast path, which must answer synchronously. */
function fast(dto: Dto, text: string): Outcome {
  return outcomeOf(() => {
    const result = validateBody<object>(dto, Buffer.from(text));
    if (result instanceof Promise) throw new Error(`${dto.name} took the class-validator path`);
    return result;
  });
}

function reference(dto: Dto, text: string): Promise<Outcome> {
  return outcomeOf(() => validateWithDecorators<object>(dto, JSON.parse(text) as PlainObject));
}

/**
 * class-transformer throws a TypeError for a nested object whose `constructor` key holds a truthy
 * value (it takes it for a class to instantiate), which the decorator path refuses as unreadable;
 * the fast path drops that key like every other `constructor` key. Bodies like that are compared
 * on the fast path's own terms only.
 */
function hasNestedTruthyConstructor(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth > 0 && !Array.isArray(value) && Object.hasOwn(value, 'constructor') && Boolean((value as PlainObject)['constructor'])) return true;
  return Object.values(value).some((v) => hasNestedTruthyConstructor(v, depth + 1));
}

async function expectSameVerdict(dto: Dto, text: string): Promise<Outcome> {
  const mine = fast(dto, text);
  const theirs = await reference(dto, text);
  expect(mine.kind).not.toBe('crashed');
  expect(theirs.kind).not.toBe('crashed');
  const unreadable = theirs.kind === 'refused' && typeof theirs.detail === 'string' && theirs.detail.startsWith('body could not be read');
  if (unreadable && hasNestedTruthyConstructor(JSON.parse(text))) return mine;
  expect(mine.kind).toBe(theirs.kind);
  if (mine.kind === 'accepted' && theirs.kind === 'accepted') {
    expect(mine.value).toBeInstanceOf(dto);
    expect(mine.value).toStrictEqual(theirs.value);
    expect(Object.keys(mine.value)).toEqual(Object.keys(theirs.value));
  }
  if (mine.kind === 'refused' && theirs.kind === 'refused') {
    expect(mine.error).toBe(theirs.error);
    // Same fields, same messages, same order: what the device reads on /user/queue/errors.
    expect(JSON.stringify(mine.detail)).toBe(JSON.stringify(theirs.detail));
  }
  return mine;
}

// ---- generators ---------------------------------------------------------------------------

const asciiString = (minLength: number, maxLength: number) => fc.string({ minLength, maxLength });
const isoDate = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

const component = fc.record(
  { status: fc.constantFrom(...DEVICE_REPORTED_STATUSES), code: asciiString(0, 64) },
  { requiredKeys: ['status'] },
);
const validHeartbeat = fc.record(
  {
    seq: fc.nat(),
    status: fc.constantFrom(...DEVICE_REPORTED_STATUSES),
    components: fc.dictionary(asciiString(1, 64), component, { maxKeys: 32 }),
    uptimeS: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
    firmware: asciiString(0, 64),
  },
  { requiredKeys: ['seq', 'status'] },
);

const at = { at: isoDate };
const validEvent = fc.oneof(
  fc.record({ type: fc.constant('PLATE_READ'), plate: asciiString(1, 16), confidence: fc.double({ min: 0, max: 1, noNaN: true }), laneId: asciiString(1, 64), ...at }, { requiredKeys: ['type', 'plate', 'confidence'] }),
  fc.record({ type: fc.constant('VEHICLE_DETECTED'), laneId: asciiString(1, 64), ...at }, { requiredKeys: ['type', 'laneId'] }),
  fc.record({ type: fc.constant('GATE_STATE'), state: fc.constantFrom(...GATE_STATES), ...at }, { requiredKeys: ['type', 'state'] }),
  fc.record({ type: fc.constant('BAY_OCCUPANCY'), bayId: asciiString(1, 64), occupied: fc.boolean(), ...at }, { requiredKeys: ['type', 'bayId', 'occupied'] }),
  fc.record(
    { type: fc.constant('PAYMENT'), amount: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), method: fc.constantFrom(...PAYMENT_METHODS), ok: fc.boolean(), ...at },
    { requiredKeys: ['type', 'amount', 'method', 'ok'] },
  ),
);

const validCommandResult = fc.record(
  { commandId: asciiString(1, 64), outcome: fc.constantFrom(...COMMAND_OUTCOMES), detail: asciiString(0, 1024) },
  { requiredKeys: ['commandId', 'outcome'] },
);

/** Lengths around every bound, counted the way class-validator counts (pairs and VS16 as one). */
const boundaryString = fc.oneof(
  ...[0, 1, 15, 16, 17, 63, 64, 65, 1024, 1025].map((n) => fc.constantFrom('x'.repeat(n), '😀'.repeat(n), '❤\uFE0F'.repeat(n))),
);
const enumValue = fc.constantFrom(...DEVICE_REPORTED_STATUSES, ...DEVICE_EVENT_TYPES, ...GATE_STATES, ...PAYMENT_METHODS, ...COMMAND_OUTCOMES, 'ok', '');
const dateLike = fc.oneof(isoDate, fc.constantFrom('2024-02-30T00:00:00Z', '2024-02-29', '2024-13-01', '20240101T000000Z', '2024-01-01 00:00:00', 'now'));
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1.0000001, -1e-9, 2 ** 53 + 2, 1e308),
);
const specialKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'check', 'prototype', '');
const componentLike = fc.dictionary(
  fc.oneof(asciiString(0, 3), specialKey, boundaryString),
  fc.oneof(component, fc.record({ status: enumValue, code: fc.oneof(boundaryString, number), extra: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 })),
  { maxKeys: 34 },
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  number,
  asciiString(0, 8),
  fc.string({ unit: 'binary', maxLength: 20 }),
  boundaryString,
  enumValue,
  dateLike,
  componentLike,
  fc.jsonValue({ maxDepth: 2 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => [v]),
);
const fieldName = fc.oneof(
  fc.constantFrom('seq', 'status', 'components', 'uptimeS', 'firmware'),
  fc.constantFrom('type', 'at', 'plate', 'confidence', 'laneId', 'state', 'bayId', 'occupied', 'amount', 'method', 'ok'),
  fc.constantFrom('commandId', 'outcome', 'detail'),
  specialKey,
  asciiString(0, 6),
);

type Mutation = { readonly key: string; readonly value?: unknown; readonly remove?: true };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ key: fieldName, value: anyValue }),
  fc.record({ key: fieldName, remove: fc.constant(true as const) }),
);

/** A JSON text with the mutations applied; own keys even for `__proto__`, as JSON.parse makes them. */
function mutated(body: object, mutations: readonly Mutation[]): string {
  const copy: Record<string, unknown> = { ...body };
  for (const m of mutations) {
    if (m.remove) delete copy[m.key];
    else Object.defineProperty(copy, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return JSON.stringify(copy);
}

const cases: Array<[string, Dto, fc.Arbitrary<object>]> = [
  ['HeartbeatDto', HeartbeatDto, validHeartbeat],
  ['DeviceEventDto', DeviceEventDto, validEvent],
  ['CommandResultDto', CommandResultDto, validCommandResult],
];

describe.each(cases)('%s: check() and the decorators agree', (_name, dto, valid) => {
  it('accepts generated valid bodies, into equal instances', async () => {
    await fc.assert(
      fc.asyncProperty(valid, async (body) => {
        expect((await expectSameVerdict(dto, JSON.stringify(body))).kind).toBe('accepted');
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same verdict and messages for mutated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (body, mutations) => {
        await expectSameVerdict(dto, mutated(body, mutations));
      }),
      { numRuns: 1500 },
    );
  });

  it('gives the same verdict for arbitrary JSON objects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fieldName, anyValue, { maxKeys: 8 }), async (body) => {
        await expectSameVerdict(dto, JSON.stringify(body));
      }),
      { numRuns: 500 },
    );
  });
});

// ---- explicit cases -----------------------------------------------------------------------

type Expected = 'accepted' | Record<string, string[]>;
const STATUS_VALUES = 'OK, DEGRADED, FAULT';
const COMPONENTS = 'components must map up to 32 component names to {"status":"OK"|"DEGRADED"|"FAULT","code"?:string(<=64)}';

const explicit: Array<[string, Dto, string, Expected]> = [
  ['minimal heartbeat', HeartbeatDto, '{"seq":0,"status":"OK"}', 'accepted'],
  ['optional fields as null', HeartbeatDto, '{"seq":1,"status":"OK","components":null,"uptimeS":null,"firmware":null}', 'accepted'],
  ['-0 is not less than 0', HeartbeatDto, '{"seq":-0,"status":"OK","uptimeS":-0}', 'accepted'],
  ['seq 1e999 is Infinity: not an integer', HeartbeatDto, '{"seq":1e999,"status":"OK"}', { seq: ['seq must be an integer number'] }],
  ['uptimeS 1e999 is not a finite number', HeartbeatDto, '{"seq":1,"status":"OK","uptimeS":1e999}', { uptimeS: ['uptimeS must be a number conforming to the specified constraints'] }],
  ['missing required fields', HeartbeatDto, '{}', {
    seq: ['seq must not be less than 0', 'seq must be an integer number'],
    status: [`status must be one of the following values: ${STATUS_VALUES}`],
  }],
  ['unknown keys first, in key order', HeartbeatDto, '{"zz":1,"seq":1.5,"1":true,"status":"OK"}', {
    '1': ['property 1 should not exist'],
    zz: ['property zz should not exist'],
    seq: ['seq must be an integer number'],
  }],
  ['keys class-transformer skips are dropped, not refused', HeartbeatDto, '{"seq":1,"status":"OK","__proto__":{"x":1},"constructor":1,"toString":2}', 'accepted'],
  ['firmware of 64 emoji is 64 characters', HeartbeatDto, `{"seq":1,"status":"OK","firmware":"${'😀'.repeat(64)}"}`, 'accepted'],
  ['firmware of 65 characters', HeartbeatDto, `{"seq":1,"status":"OK","firmware":"${'x'.repeat(65)}"}`, { firmware: ['firmware must be shorter than or equal to 64 characters'] }],
  ['a component map', HeartbeatDto, '{"seq":1,"status":"DEGRADED","components":{"barrier":{"status":"DEGRADED","code":"SLOW_ARM"},"loop":{"status":"OK"}}}', 'accepted'],
  ['a component with an unknown key', HeartbeatDto, '{"seq":1,"status":"OK","components":{"barrier":{"status":"OK","why":"x"}}}', { components: [COMPONENTS] }],
  ['a component named ""', HeartbeatDto, '{"seq":1,"status":"OK","components":{"":{"status":"OK"}}}', { components: [COMPONENTS] }],
  ['33 components', HeartbeatDto, JSON.stringify({ seq: 1, status: 'OK', components: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`c${i}`, { status: 'OK' }])) }), { components: [COMPONENTS] }],
  ['components as an array', HeartbeatDto, '{"seq":1,"status":"OK","components":[{"status":"OK"}]}', { components: [COMPONENTS] }],
  ['a plate read', DeviceEventDto, '{"type":"PLATE_READ","at":"2025-01-02T03:04:05.678Z","plate":"12가3456","confidence":0.93,"laneId":"L1"}', 'accepted'],
  ['a plate read without plate or confidence', DeviceEventDto, '{"type":"PLATE_READ"}', {
    plate: ['plate must be shorter than or equal to 16 characters', 'plate must be longer than or equal to 1 characters', 'plate must be a string'],
    confidence: ['confidence must not be greater than 1', 'confidence must not be less than 0', 'confidence must be a number conforming to the specified constraints'],
  }],
  ['fields of another event type are not checked', DeviceEventDto, '{"type":"GATE_STATE","state":"OPEN","plate":42,"amount":"x"}', 'accepted'],
  ['laneId is checked whenever it is given', DeviceEventDto, '{"type":"GATE_STATE","state":"OPEN","laneId":null}', {
    laneId: ['laneId must be shorter than or equal to 64 characters', 'laneId must be longer than or equal to 1 characters', 'laneId must be a string'],
  }],
  ['an unknown type checks no type-specific field', DeviceEventDto, '{"type":"DOOR","plate":1}', {
    type: [`type must be one of the following values: ${DEVICE_EVENT_TYPES.join(', ')}`],
  }],
  ['February 30th is not a date', DeviceEventDto, '{"type":"GATE_STATE","state":"OPEN","at":"2024-02-30T00:00:00Z"}', { at: ['at must be a valid ISO 8601 date string'] }],
  ['a payment with a numeric ok', DeviceEventDto, '{"type":"PAYMENT","amount":3.5,"method":"CARD","ok":1}', { ok: ['ok must be a boolean value'] }],
  ['a command result', CommandResultDto, '{"commandId":"c-1","outcome":"FAILED","detail":"jammed"}', 'accepted'],
  ['an empty command id', CommandResultDto, '{"commandId":"","outcome":"DONE"}', {
    commandId: ['commandId must be longer than or equal to 1 characters'],
    outcome: [`outcome must be one of the following values: ${COMMAND_OUTCOMES.join(', ')}`],
  }],
];

describe('explicit cases, on both paths', () => {
  it.each(explicit)('%s', async (_name, dto, text, expected) => {
    const outcome = await expectSameVerdict(dto, text);
    if (expected === 'accepted') expect(outcome.kind).toBe('accepted');
    else expect(outcome).toEqual({ kind: 'refused', error: 'validation-failed', detail: { fields: expected } });
  });

  it('copies the body: the instance shares no object with what was parsed', () => {
    const outcome = fast(HeartbeatDto, '{"seq":1,"status":"OK","components":{"x":{"status":"OK","toString":1}}}');
    expect(outcome).toEqual({ kind: 'accepted', value: expect.any(HeartbeatDto) });
    const value = (outcome as { value: HeartbeatDto }).value;
    expect(Object.getPrototypeOf(value.components!['x'])).toBe(Object.prototype);
    expect(value.components).toStrictEqual({ x: { status: 'OK' } });
  });

  it('drops a nested truthy `constructor` key, which class-transformer cannot read (refused there, never a crash)', async () => {
    const text = '{"seq":1,"status":"OK","components":{"constructor":{"status":"OK"}}}';
    expect(await reference(HeartbeatDto, text)).toMatchObject({ kind: 'refused', error: 'validation-failed', detail: expect.stringMatching(/^body could not be read: /) });
    const outcome = fast(HeartbeatDto, text);
    expect(outcome).toMatchObject({ kind: 'accepted', value: { components: {} } });
  });
});

describe('validateBody', () => {
  it('refuses a body that is not JSON, or not a JSON object, synchronously', () => {
    expect(fast(HeartbeatDto, '{"seq":')).toMatchObject({ kind: 'refused', error: 'invalid-json', detail: expect.stringMatching(/^body is not valid JSON: /) });
    for (const text of ['', '[]', 'null', '"x"', '3']) {
      expect(fast(HeartbeatDto, text)).toEqual({ kind: 'refused', error: 'validation-failed', detail: 'body must be a JSON object' });
    }
  });

  it('falls back to class-validator, asynchronously, for a DTO without check()', async () => {
    const ok = validateBody(CreateCommandDto, Buffer.from('{"deviceId":"gate-1","type":"OPEN_GATE"}'));
    expect(ok).toBeInstanceOf(Promise);
    await expect(ok).resolves.toBeInstanceOf(CreateCommandDto);
    await expect(validateBody(CreateCommandDto, Buffer.from('{"deviceId":"gate-1","type":"FLY","x":1}'))).rejects.toMatchObject({
      error: 'validation-failed',
      detail: { fields: { x: ['property x should not exist'], type: [expect.stringContaining('type must be one of')] } },
    });
  });
});
