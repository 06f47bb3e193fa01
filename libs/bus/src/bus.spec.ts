import { InProcessBus } from './in-process-bus';
import type { MessageBus } from './message-bus';
import { RedisBus } from './redis-bus';

/**
 * Both engines pass the same behaviour. Redis: TEST_REDIS_URL (or REDIS_URL); without one the
 * Redis cases are skipped on a laptop, but under CI=true a missing Redis fails the run.
 */
const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL;
if (process.env.CI === 'true' && !redisUrl) {
  throw new Error('CI=true but neither TEST_REDIS_URL nor REDIS_URL is set: the Redis bus must be tested in CI');
}

const engines: Array<[string, () => Promise<MessageBus>]> = [['in-process', () => Promise.resolve(new InProcessBus())]];
if (redisUrl) engines.push(['redis', () => RedisBus.connect(redisUrl, { prefix: `landside-test-${process.pid}-${Date.now()}:` })]);

const eventually = async (check: () => boolean, ms = 2000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe.each(engines)('%s bus', (_name, make) => {
  let bus: MessageBus;
  beforeEach(async () => {
    bus = await make();
  });
  afterEach(async () => {
    await bus.close();
  });

  it('delivers in publish order to every subscriber of a channel, not to others', async () => {
    const a: number[] = [];
    const b: number[] = [];
    const other: number[] = [];
    await bus.subscribe<number>('ch', (n) => a.push(n));
    await bus.subscribe<number>('ch', (n) => b.push(n));
    await bus.subscribe<number>('other', (n) => other.push(n));
    for (let i = 0; i < 100; i++) await bus.publish('ch', i);
    await eventually(() => a.length === 100 && b.length === 100);
    expect(a).toEqual([...Array(100).keys()]);
    expect(b).toEqual(a);
    expect(other).toEqual([]);
  });

  it('round-trips JSON payloads', async () => {
    const got: unknown[] = [];
    await bus.subscribe('json', (p) => got.push(p));
    await bus.publish('json', { destination: '/topic/devices', payload: { n: 1, s: '가3456', nested: [true, null] } });
    await eventually(() => got.length === 1);
    expect(got[0]).toEqual({ destination: '/topic/devices', payload: { n: 1, s: '가3456', nested: [true, null] } });
  });

  it('stops delivering after unsubscribe', async () => {
    const got: number[] = [];
    const off = await bus.subscribe<number>('u', (n) => got.push(n));
    await bus.publish('u', 1);
    await eventually(() => got.length === 1);
    await off();
    await bus.publish('u', 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([1]);
  });

  it('isolates a throwing handler from the others', async () => {
    const got: number[] = [];
    await bus.subscribe<number>('t', () => {
      throw new Error('boom');
    });
    await bus.subscribe<number>('t', (n) => got.push(n));
    await bus.publish('t', 5);
    await eventually(() => got.length === 1);
  });
});

if (redisUrl) {
  describe('redis bus across processes', () => {
    it('a message published by one node reaches subscribers on another', async () => {
      const prefix = `landside-test-x-${Date.now()}:`;
      const nodeA = await RedisBus.connect(redisUrl, { prefix });
      const nodeB = await RedisBus.connect(redisUrl, { prefix });
      try {
        const got: string[] = [];
        await nodeB.subscribe<string>('stomp.topic', (m) => got.push(m));
        await nodeA.publish('stomp.topic', 'from-a');
        await eventually(() => got.length === 1);
        expect(got).toEqual(['from-a']);
      } finally {
        await Promise.all([nodeA.close(), nodeB.close()]);
      }
    });
  });
}
