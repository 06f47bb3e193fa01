import { StompBroker, type BrokerSubscriber } from './broker';
import type { BrokerMessage } from './message';
import type { AckMode, Subscription } from './subscription';

/** StompBroker alone, with recording subscribers. */
interface Principal {
  name: string;
}

class Recorder implements BrokerSubscriber<Principal> {
  readonly received: Array<{ subscription: string; body: string; redelivered: boolean }> = [];
  accepting = true;
  onDeliver: ((subscription: Subscription, message: BrokerMessage<Principal>) => void) | undefined;

  constructor(
    readonly id: string,
    readonly principalName: string | undefined = id,
  ) {}

  deliver(subscription: Subscription, message: BrokerMessage<Principal>): boolean {
    if (!this.accepting) return false;
    this.received.push({ subscription: subscription.id, body: message.body.toString(), redelivered: message.redelivered === true });
    this.onDeliver?.(subscription, message);
    return true;
  }

  get bodies(): string[] {
    return this.received.map((r) => r.body);
  }
}

function sub(id: string, destination: string, ack: AckMode = 'auto'): Subscription {
  return { id, destination, ack };
}

function msg(body: string): BrokerMessage<Principal> {
  return { body: Buffer.from(body) };
}

describe('StompBroker', () => {
  describe('/topic', () => {
    it('fans out to every subscription on exactly that destination', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      const b = new Recorder('b');
      broker.subscribe(a, sub('1', '/topic/x'));
      broker.subscribe(a, sub('2', '/topic/x'));
      broker.subscribe(b, sub('1', '/topic/x'));
      broker.subscribe(b, sub('2', '/topic/x/y'));
      expect(broker.publish('/topic/x', msg('m'))).toBe(3);
      expect(a.received.map((r) => r.subscription)).toEqual(['1', '2']);
      expect(b.received.map((r) => r.subscription)).toEqual(['1']);
      expect(broker.subscriberCount('/topic/x')).toBe(3);
    });

    it('has no wildcards and is not held when nobody listens', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      broker.subscribe(a, sub('1', '/topic/*'));
      expect(broker.publish('/topic/x', msg('m'))).toBe(0);
      broker.subscribe(a, sub('2', '/topic/x'));
      expect(a.received).toHaveLength(0);
    });

    it('does not count subscribers that decline', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      const b = new Recorder('b');
      b.accepting = false;
      broker.subscribe(a, sub('1', '/topic/x'));
      broker.subscribe(b, sub('1', '/topic/x'));
      expect(broker.publish('/topic/x', msg('m'))).toBe(1);
    });

    it('tolerates a subscriber unsubscribing during delivery', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      const b = new Recorder('b');
      a.onDeliver = () => broker.removeSubscriber(b);
      broker.subscribe(a, sub('1', '/topic/x'));
      broker.subscribe(b, sub('1', '/topic/x'));
      broker.publish('/topic/x', msg('m'));
      expect(broker.subscriberCount('/topic/x')).toBe(1);
    });
  });

  describe('unsubscribe', () => {
    it('removes one subscription, or all of a subscriber', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      broker.subscribe(a, sub('1', '/topic/x'));
      broker.subscribe(a, sub('2', '/topic/y'));
      broker.subscribe(a, sub('3', '/user/queue/r'));
      broker.unsubscribe(a, '1');
      broker.unsubscribe(a, 'unknown');
      expect(broker.subscriberCount('/topic/x')).toBe(0);
      expect(broker.subscriberCount('/topic/y')).toBe(1);
      broker.removeSubscriber(a);
      broker.removeSubscriber(a);
      expect(broker.subscriberCount('/topic/y')).toBe(0);
      expect(broker.subscriberCount('/user/queue/r', 'a')).toBe(0);
      expect(broker.publish('/topic/y', msg('m'))).toBe(0);
    });
  });

  describe('/user/queue', () => {
    it('routes by the subscriber\u2019s principal, never by the destination', () => {
      const broker = new StompBroker<Principal>();
      const alice1 = new Recorder('s1', 'alice');
      const alice2 = new Recorder('s2', 'alice');
      const bob = new Recorder('s3', 'bob');
      for (const r of [alice1, alice2, bob]) broker.subscribe(r, sub('r', '/user/queue/replies'));
      expect(broker.sendToUser('alice', '/user/queue/replies', msg('hi alice'))).toBe(2);
      expect(alice1.bodies).toEqual(['hi alice']);
      expect(alice2.bodies).toEqual(['hi alice']);
      expect(bob.bodies).toEqual([]);
      expect(broker.sendToUser('alice', '/user/queue/other', msg('x'))).toBe(0);
    });

    it('refuses to publish() to a /user/ destination', () => {
      const broker = new StompBroker<Principal>();
      expect(() => broker.publish('/user/queue/x', msg('m'))).toThrow(/sendToUser/);
    });

    it('a user destination is not a queue: nothing is held for an absent principal', () => {
      const broker = new StompBroker<Principal>();
      expect(broker.sendToUser('alice', '/user/queue/r', msg('lost'))).toBe(0);
      const a = new Recorder('s', 'alice');
      broker.subscribe(a, sub('r', '/user/queue/r'));
      expect(a.received).toHaveLength(0);
    });
  });

  describe('/queue', () => {
    it('delivers each message to one consumer, round-robin', () => {
      const broker = new StompBroker<Principal>();
      const consumers = [new Recorder('a'), new Recorder('b'), new Recorder('c')];
      for (const c of consumers) broker.subscribe(c, sub('q', '/queue/jobs'));
      for (let i = 1; i <= 7; i++) expect(broker.publish('/queue/jobs', msg(`${i}`))).toBe(1);
      expect(consumers.map((c) => c.bodies)).toEqual([
        ['1', '4', '7'],
        ['2', '5'],
        ['3', '6'],
      ]);
    });

    it('skips a consumer that declines', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      const b = new Recorder('b');
      a.accepting = false;
      broker.subscribe(a, sub('q', '/queue/jobs'));
      broker.subscribe(b, sub('q', '/queue/jobs'));
      broker.publish('/queue/jobs', msg('1'));
      broker.publish('/queue/jobs', msg('2'));
      expect(b.bodies).toEqual(['1', '2']);
    });

    it('holds messages while there is no consumer and delivers the backlog in order on subscribe', () => {
      const broker = new StompBroker<Principal>();
      for (let i = 1; i <= 3; i++) expect(broker.publish('/queue/jobs', msg(`${i}`))).toBe(1);
      const a = new Recorder('a');
      broker.subscribe(a, sub('q', '/queue/jobs'));
      expect(a.bodies).toEqual(['1', '2', '3']);
      broker.publish('/queue/jobs', msg('4'));
      expect(a.bodies).toEqual(['1', '2', '3', '4']);
    });

    it('keeps order when consumers decline and come back', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      broker.subscribe(a, sub('q', '/queue/jobs'));
      a.accepting = false;
      broker.publish('/queue/jobs', msg('1'));
      broker.publish('/queue/jobs', msg('2'));
      a.accepting = true;
      broker.publish('/queue/jobs', msg('3'));
      expect(a.bodies).toEqual(['1', '2', '3']);
    });

    it('bounds the backlog: publish returns 0 past maxQueueBacklog', () => {
      const broker = new StompBroker<Principal>({ maxQueueBacklog: 2 });
      expect(broker.publish('/queue/q', msg('1'))).toBe(1);
      expect(broker.publish('/queue/q', msg('2'))).toBe(1);
      expect(broker.publish('/queue/q', msg('3'))).toBe(0);
      const a = new Recorder('a');
      broker.subscribe(a, sub('q', '/queue/q'));
      expect(a.bodies).toEqual(['1', '2']);
    });

    it('requeue puts messages back at the head, in the order given, marked redelivered', () => {
      const broker = new StompBroker<Principal>();
      broker.publish('/queue/q', msg('new'));
      broker.requeue('/queue/q', [msg('old-1'), msg('old-2')]);
      broker.requeue('/queue/q', msg('older'));
      const a = new Recorder('a');
      broker.subscribe(a, sub('q', '/queue/q'));
      expect(a.received.map((r) => `${r.body}${r.redelivered ? '*' : ''}`)).toEqual(['older*', 'old-1*', 'old-2*', 'new']);
    });

    it('requeue hands messages straight to a consumer when there is one', () => {
      const broker = new StompBroker<Principal>();
      const a = new Recorder('a');
      broker.subscribe(a, sub('q', '/queue/q'));
      broker.requeue('/queue/q', [msg('1'), msg('2')]);
      expect(a.received.map((r) => [r.body, r.redelivered])).toEqual([
        ['1', true],
        ['2', true],
      ]);
      broker.requeue('/queue/q', []);
      expect(a.received).toHaveLength(2);
    });

    it('stays consistent when a delivery re-enters requeue (a consumer failing mid-backlog)', () => {
      const broker = new StompBroker<Principal>();
      const healthy = new Recorder('healthy');
      healthy.accepting = false;
      broker.subscribe(healthy, sub('q', '/queue/q'));
      for (let i = 1; i <= 3; i++) broker.publish('/queue/q', msg(`${i}`));
      // Takes one message, then "dies": leaves and gives it back.
      const failing = new Recorder('failing');
      failing.onDeliver = (_s, m) => {
        failing.onDeliver = undefined;
        broker.removeSubscriber(failing);
        healthy.accepting = true;
        broker.requeue('/queue/q', m);
      };
      broker.subscribe(failing, sub('q', '/queue/q'));
      expect(failing.bodies).toEqual(['1']);
      expect(healthy.received.map((r) => `${r.body}${r.redelivered ? '*' : ''}`)).toEqual(['1*', '2', '3']);
      broker.publish('/queue/q', msg('4'));
      expect(healthy.bodies).toEqual(['1', '2', '3', '4']);
    });

    it('keeps a message given back mid-backlog at the head when no one else consumes', () => {
      const broker = new StompBroker<Principal>();
      for (let i = 1; i <= 3; i++) broker.publish('/queue/q', msg(`${i}`));
      const failing = new Recorder('failing');
      failing.onDeliver = (_s, m) => {
        failing.onDeliver = undefined;
        broker.removeSubscriber(failing);
        broker.requeue('/queue/q', m);
      };
      broker.subscribe(failing, sub('q', '/queue/q'));
      const later = new Recorder('later');
      broker.subscribe(later, sub('q', '/queue/q'));
      expect(later.received.map((r) => `${r.body}${r.redelivered ? '*' : ''}`)).toEqual(['1*', '2', '3']);
    });
  });
});
