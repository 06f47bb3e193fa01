import type { BrokerMessage } from './message';
import { OutboundQueue, type OutboundLimits } from './outbound-queue';
import type { Subscription } from './subscription';

const limits: OutboundLimits = { highWaterBytes: 0, maxMessages: 3, maxBytes: 100 };
const subA: Subscription = { id: 'a', destination: '/topic/devices', ack: 'auto' };
const subB: Subscription = { id: 'b', destination: '/topic/devices', ack: 'auto' };

function msg(body: string, conflationKey?: string): BrokerMessage {
  return conflationKey === undefined ? { body: Buffer.from(body) } : { body: Buffer.from(body), conflationKey };
}

function drain(queue: OutboundQueue<unknown>): string[] {
  const out: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) out.push(`${next.subscription.id}:${next.message.body.toString()}`);
  return out;
}

describe('OutboundQueue', () => {
  it('is FIFO for unconflatable messages', () => {
    const q = new OutboundQueue<unknown>(limits);
    expect(q.push(subA, msg('1'))).toBe(true);
    expect(q.push(subA, msg('2'))).toBe(true);
    expect(q.length).toBe(2);
    expect(drain(q)).toEqual(['a:1', 'a:2']);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('conflates to the latest message per subscription and key, keeping the first position', () => {
    const q = new OutboundQueue<unknown>(limits);
    q.push(subA, msg('d1=a', 'd1'));
    q.push(subA, msg('alert'));
    q.push(subA, msg('d2=a', 'd2'));
    q.push(subA, msg('d1=b', 'd1'));
    q.push(subB, msg('d1=x', 'd1'));
    q.push(subA, msg('d1=c', 'd1'));
    expect(q.length).toBe(4);
    expect(drain(q)).toEqual(['a:d1=c', 'a:alert', 'a:d2=a', 'b:d1=x']);
  });

  it('starts a new slot for a key once its message has been shifted', () => {
    const q = new OutboundQueue<unknown>(limits);
    q.push(subA, msg('1', 'k'));
    q.push(subA, msg('x'));
    expect(q.shift()!.message.body.toString()).toBe('1');
    q.push(subA, msg('2', 'k'));
    expect(drain(q)).toEqual(['a:x', 'a:2']);
  });

  it('reports overflow past maxMessages unconflatable messages (conflatable ones do not count)', () => {
    const q = new OutboundQueue<unknown>(limits);
    for (let i = 0; i < 3; i++) expect(q.push(subA, msg(`${i}`))).toBe(true);
    for (let i = 0; i < 20; i++) expect(q.push(subA, msg('s', `k${i % 4}`))).toBe(true);
    expect(q.push(subA, msg('one too many'))).toBe(false);
  });

  it('frees room as messages are shifted', () => {
    const q = new OutboundQueue<unknown>(limits);
    for (let i = 0; i < 3; i++) q.push(subA, msg(`${i}`));
    q.shift();
    expect(q.push(subA, msg('3'))).toBe(true);
    expect(q.push(subA, msg('4'))).toBe(false);
  });

  it('reports overflow past maxBytes, counting a conflated replacement by its new size', () => {
    const q = new OutboundQueue<unknown>({ ...limits, maxMessages: 1000 });
    expect(q.push(subA, msg('x'.repeat(60), 'k'))).toBe(true);
    expect(q.push(subA, msg('x'.repeat(10), 'k'))).toBe(true);
    expect(q.push(subA, msg('x'.repeat(90)))).toBe(true); // 10 + 90 = 100
    expect(q.push(subA, msg('x'.repeat(11), 'k'))).toBe(false);
  });

  it('dropSubscription removes and returns one subscription\u2019s messages, keeping the rest in order', () => {
    const q = new OutboundQueue<unknown>(limits);
    q.push(subA, msg('a1'));
    q.push(subB, msg('b1'));
    q.push(subA, msg('a2', 'k'));
    q.push(subB, msg('b2', 'k'));
    q.shift();
    const dropped = q.dropSubscription('a');
    expect(dropped.map((d) => d.message.body.toString())).toEqual(['a2']);
    expect(q.length).toBe(2);
    q.push(subB, msg('b3', 'k')); // conflation state survives the rebuild
    expect(drain(q)).toEqual(['b:b1', 'b:b3']);
  });

  it('drainAll empties the queue and resets its counters', () => {
    const q = new OutboundQueue<unknown>(limits);
    for (let i = 0; i < 3; i++) q.push(subA, msg(`${i}`));
    q.shift();
    expect(q.drainAll().map((d) => d.message.body.toString())).toEqual(['1', '2']);
    expect(q.length).toBe(0);
    for (let i = 0; i < 3; i++) expect(q.push(subA, msg(`${i}`, undefined))).toBe(true);
  });

  it('stays correct across its internal compaction', () => {
    const q = new OutboundQueue<unknown>({ highWaterBytes: 0, maxMessages: 5000, maxBytes: 1 << 20 });
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 700; i++) q.push(subA, msg(String(next++)));
      for (let i = 0; i < 600; i++) expect(q.shift()!.message.body.toString()).toBe(String(expected++));
    }
    expect(q.length).toBe(next - expected);
    q.push(subA, msg('k1', 'k'));
    q.push(subA, msg('k2', 'k'));
    const rest = drain(q);
    expect(rest[0]).toBe(`a:${expected}`);
    expect(rest.at(-1)).toBe('a:k2');
    expect(rest).toHaveLength(next - expected + 1);
  });
});
