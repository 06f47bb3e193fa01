import type { BrokerMessage } from './message';
import type { CloseReason, StompSession } from './session';
import { connectClient, settle, TestClient, testServer, type TestPrincipal } from './testing/test-client';

/** StompServer: sessions per principal, concurrency policy, routing across sessions. */
const T0 = 1_700_000_000_000;

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => {
  jest.useRealTimers();
});

function message(body: string, extra: Omit<BrokerMessage<TestPrincipal>, 'body'> = {}): BrokerMessage<TestPrincipal> {
  return { ...extra, body: Buffer.from(body, 'utf8') };
}

function errorCode(client: TestClient): string | undefined {
  return client.error?.header('error-code');
}

describe('StompServer', () => {
  it('accepts connections as sessions and tracks them until they close', async () => {
    const server = testServer();
    const a = new TestClient(server);
    expect(server.sessionCount).toBe(1);
    expect([...server.sessions()]).toEqual([a.session]);
    await a.connect('alice');
    expect(server.sessionsOf('alice')).toEqual([a.session]);
    a.send('DISCONNECT');
    expect(server.sessionCount).toBe(0);
    expect(server.sessionsOf('alice')).toEqual([]);
  });

  it('counts a session that never connects until its connect timeout', () => {
    const server = testServer();
    new TestClient(server);
    expect(server.sessionCount).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(server.sessionCount).toBe(0);
  });

  it('calls onOpen after CONNECTED and onClose with the reason', async () => {
    const events: string[] = [];
    const server = testServer({
      onOpen: (s) => events.push(`open ${s.principalName}`),
      onClose: (s: StompSession<TestPrincipal>, reason: CloseReason) =>
        events.push(`close ${s.principalName} ${reason.kind}${reason.kind === 'error' ? ` ${reason.code}` : ''}`),
    });
    const a = await connectClient(server, 'alice');
    const b = await connectClient(server, 'bob');
    a.send('DISCONNECT');
    b.send('NOPE');
    expect(events).toEqual(['open alice', 'open bob', 'close alice client-disconnect', 'close bob error bad-frame']);
  });

  describe('sessions per principal', () => {
    it('allows 5 sessions of a principal and refuses the 6th with too-many-sessions and retry-after', async () => {
      const server = testServer();
      const five: TestClient[] = [];
      for (let i = 0; i < 5; i++) five.push(await connectClient(server, 'op'));
      const sixth = new TestClient(server);
      await sixth.connect('op', { receipt: 'six' });
      expect(errorCode(sixth)).toBe('too-many-sessions');
      expect(sixth.error!.header('retry-after')).toMatch(/^[0-9]+$/);
      expect(sixth.error!.header('receipt-id')).toBe('six');
      expect(sixth.connection.closed).toBe(true);
      expect(sixth.framesOf('CONNECTED')).toHaveLength(0);
      for (const c of five) expect(c.session.isConnected).toBe(true);
      expect(server.sessionsOf('op')).toHaveLength(5);
      expect(server.sessionCount).toBe(5);
    });

    it('counts each principal separately', async () => {
      const server = testServer({}, { maxSessionsPerPrincipal: 1 });
      await connectClient(server, 'alice');
      await connectClient(server, 'bob');
      const again = new TestClient(server);
      await again.connect('alice');
      expect(errorCode(again)).toBe('too-many-sessions');
      expect(server.sessionsOf('bob')).toHaveLength(1);
    });

    it('frees the slot when a session ends, however it ends', async () => {
      const server = testServer({}, { maxSessionsPerPrincipal: 2 });
      const a = await connectClient(server, 'op');
      const b = await connectClient(server, 'op');
      a.send('DISCONNECT');
      const c = await connectClient(server, 'op');
      b.session.transportClosed();
      const d = await connectClient(server, 'op');
      c.send('BAD');
      await connectClient(server, 'op');
      expect(server.sessionsOf('op')).toHaveLength(2);
      expect(d.session.isConnected).toBe(true);
    });

    it('does not count sessions that failed authentication', async () => {
      const server = testServer({}, { maxSessionsPerPrincipal: 1 });
      for (let i = 0; i < 3; i++) {
        const c = new TestClient(server);
        await c.connect(undefined);
        expect(errorCode(c)).toBe('unauthenticated');
      }
      await connectClient(server, 'op');
      expect(server.sessionCount).toBe(1);
    });

    it("'newest-wins': a new session of the principal closes the older ones with session-replaced", async () => {
      const onClose = jest.fn();
      const server = testServer({ concurrency: (p) => (p.name.startsWith('device-') ? 'newest-wins' : 'refuse-new'), onClose });
      const older = [await connectClient(server, 'device-1'), await connectClient(server, 'device-1')];
      const other = await connectClient(server, 'device-2');
      const operator = await connectClient(server, 'operator');
      expect(errorCode(older[0]!)).toBe('session-replaced');
      const newest = await connectClient(server, 'device-1');
      for (const c of older) {
        expect(errorCode(c)).toBe('session-replaced');
        expect(c.connection.closed).toBe(true);
      }
      expect(newest.session.isConnected).toBe(true);
      expect(other.session.isConnected).toBe(true);
      expect(operator.session.isConnected).toBe(true);
      expect(server.sessionsOf('device-1')).toEqual([newest.session]);
      expect(onClose).toHaveBeenCalledWith(older[1]!.session, expect.objectContaining({ kind: 'error', code: 'session-replaced' }));
    });

    it("'newest-wins' never refuses with too-many-sessions", async () => {
      const server = testServer({ concurrency: () => 'newest-wins' }, { maxSessionsPerPrincipal: 1 });
      for (let i = 0; i < 10; i++) await connectClient(server, 'device-1');
      expect(server.sessionsOf('device-1')).toHaveLength(1);
      expect(server.sessionCount).toBe(1);
    });

    it("'newest-wins' with one session per principal: a reconnecting device replaces its old session", async () => {
      const server = testServer({ concurrency: () => 'newest-wins' }, { maxSessionsPerPrincipal: 1 });
      const old = await connectClient(server, 'gate-7');
      old.subscribe('cmd', '/user/queue/commands');
      const fresh = await connectClient(server, 'gate-7');
      expect(errorCode(old)).toBe('session-replaced');
      fresh.subscribe('cmd', '/user/queue/commands');
      expect(server.broker.sendToUser('gate-7', '/user/queue/commands', message('open'))).toBe(1);
      expect(fresh.messages.map((m) => m.bodyText)).toEqual(['open']);
      expect(old.messages).toHaveLength(0);
    });

    it("'refuse-new' is the default policy", async () => {
      const server = testServer({}, { maxSessionsPerPrincipal: 1 });
      const first = await connectClient(server, 'device-1');
      const second = new TestClient(server);
      await second.connect('device-1');
      expect(errorCode(second)).toBe('too-many-sessions');
      expect(first.session.isConnected).toBe(true);
    });
  });

  describe('routing across sessions', () => {
    it('/user/queue reaches every session of the named principal and no one else', async () => {
      const server = testServer();
      const alice1 = await connectClient(server, 'alice');
      const alice2 = await connectClient(server, 'alice');
      const bob = await connectClient(server, 'bob');
      for (const c of [alice1, alice2, bob]) c.subscribe('r', '/user/queue/replies');
      alice1.subscribe('other', '/user/queue/other');
      expect(server.broker.sendToUser('alice', '/user/queue/replies', message('for alice'))).toBe(2);
      expect(alice1.messages.map((m) => [m.header('destination'), m.bodyText])).toEqual([['/user/queue/replies', 'for alice']]);
      expect(alice2.messages.map((m) => m.bodyText)).toEqual(['for alice']);
      expect(bob.messages).toHaveLength(0);
      expect(server.broker.sendToUser('carol', '/user/queue/replies', message('nobody'))).toBe(0);
      expect(server.broker.subscriberCount('/user/queue/replies', 'alice')).toBe(2);
      expect(server.broker.subscriberCount('/user/queue/replies', 'bob')).toBe(1);
    });

    it('a SEND to another principal\u2019s /user/ destination is refused; subscribing names only one\u2019s own', async () => {
      const server = testServer();
      const bob = await connectClient(server, 'bob');
      bob.subscribe('s', '/user/queue/alice'); // a queue called "alice" of bob's own
      const mallory = await connectClient(server, 'mallory');
      mallory.send('SEND', { destination: '/user/bob/queue/x' }, 'x');
      await settle();
      expect(errorCode(mallory)).toBe('forbidden');
      expect(server.broker.sendToUser('alice', '/user/queue/alice', message('private'))).toBe(0);
      expect(bob.messages).toHaveLength(0);
    });

    it('session.deliverTo sends to the session\u2019s own subscriptions on a destination', async () => {
      const server = testServer();
      const a = await connectClient(server, 'alice');
      a.subscribe('r', '/user/queue/replies');
      expect(a.session.deliverTo('/user/queue/replies', message('reply', { headers: [['correlation-id', 'c1']] }))).toBe(true);
      expect(a.session.deliverTo('/user/queue/none', message('x'))).toBe(false);
      expect(a.messages.map((m) => [m.header('correlation-id'), m.bodyText])).toEqual([['c1', 'reply']]);
    });

    it('/queue delivers each message to one consumer, round-robin', async () => {
      const server = testServer();
      const workers = [await connectClient(server, 'w1'), await connectClient(server, 'w2'), await connectClient(server, 'w3')];
      for (const w of workers) w.subscribe('q', '/queue/jobs');
      const producer = await connectClient(server, 'producer');
      for (let i = 1; i <= 6; i++) producer.send('SEND', { destination: '/queue/jobs' }, `job-${i}`);
      await settle();
      expect(workers.map((w) => w.messages.map((m) => m.bodyText))).toEqual([
        ['job-1', 'job-4'],
        ['job-2', 'job-5'],
        ['job-3', 'job-6'],
      ]);
    });

    it('/queue holds messages while nobody consumes and delivers the backlog, in order, to the first subscriber', async () => {
      const server = testServer();
      const producer = await connectClient(server, 'producer');
      for (let i = 1; i <= 3; i++) producer.send('SEND', { destination: '/queue/later', receipt: `r${i}` }, `m${i}`);
      await settle();
      expect(producer.framesOf('RECEIPT')).toHaveLength(3);
      const consumer = await connectClient(server, 'consumer');
      consumer.send('SUBSCRIBE', { id: 'q', destination: '/queue/later', receipt: 'sub' });
      expect(consumer.take().map((f) => (f.command === 'MESSAGE' ? f.bodyText : f.command))).toEqual(['m1', 'm2', 'm3', 'RECEIPT']);
      const late = await connectClient(server, 'late');
      late.subscribe('q', '/queue/later');
      expect(late.messages).toHaveLength(0);
    });

    it('/topic fans out to every subscription of every session, including the sender\u2019s own', async () => {
      const server = testServer();
      const a = await connectClient(server, 'alice');
      const b = await connectClient(server, 'bob');
      a.subscribe('1', '/topic/t');
      b.subscribe('1', '/topic/t');
      b.subscribe('2', '/topic/t');
      a.send('SEND', { destination: '/topic/t' }, 'hi');
      await settle();
      expect(a.messages).toHaveLength(1);
      expect(b.messages.map((m) => m.header('subscription'))).toEqual(['1', '2']);
    });

    it('a message filter decides per principal', async () => {
      const server = testServer();
      const a = await connectClient(server, 'zone-a');
      const b = await connectClient(server, 'zone-b');
      a.subscribe('s', '/topic/devices');
      b.subscribe('s', '/topic/devices');
      const delivered = server.broker.publish('/topic/devices', message('a only', { filter: (p) => p.name === 'zone-a' }));
      expect(delivered).toBe(1);
      expect(a.messages).toHaveLength(1);
      expect(b.messages).toHaveLength(0);
    });
  });

  describe('failures are contained to their session', () => {
    it('after an ERROR, other sessions keep working and a new session connects fine', async () => {
      const server = testServer();
      const survivor = await connectClient(server, 'bob');
      survivor.subscribe('s', '/topic/t');
      for (const bad of ['GARBAGE', 'SEND\nx:\\t\n\n\0', 'SEND\ncontent-length:-1\n\n\0']) {
        const victim = await connectClient(server, 'alice');
        victim.raw(bad.includes('\n') ? bad : `${bad}\n\n\0`);
        expect(errorCode(victim)).toBe('bad-frame');
      }
      const fresh = await connectClient(server, 'alice');
      fresh.send('SEND', { destination: '/topic/t', receipt: 'ok' }, 'still fine');
      await settle();
      expect(fresh.framesOf('RECEIPT')).toHaveLength(1);
      expect(survivor.messages.map((m) => m.bodyText)).toEqual(['still fine']);
      expect(server.sessionCount).toBe(2);
    });

    it('a session failing during delivery (slow consumer) does not stop delivery to the others', async () => {
      const server = testServer({}, { outbound: { highWaterBytes: 10, maxMessages: 0, maxBytes: 1_000 } });
      const slow = await connectClient(server, 'slow');
      const fast = await connectClient(server, 'fast');
      slow.subscribe('s', '/topic/alerts');
      fast.subscribe('s', '/topic/alerts');
      slow.connection.pending = 100;
      server.broker.publish('/topic/alerts', message('alert'));
      expect(errorCode(slow)).toBe('slow-consumer');
      expect(fast.messages.map((m) => m.bodyText)).toEqual(['alert']);
      server.broker.publish('/topic/alerts', message('alert-2'));
      expect(fast.messages).toHaveLength(2);
    });

    it('a queue message taken by a consumer that fails as slow goes to another consumer', async () => {
      const server = testServer({}, { outbound: { highWaterBytes: 10, maxMessages: 0, maxBytes: 1_000 } });
      const slow = await connectClient(server, 'slow');
      slow.subscribe('q', '/queue/jobs');
      const fast = await connectClient(server, 'fast');
      fast.subscribe('q', '/queue/jobs');
      slow.connection.pending = 100;
      server.broker.publish('/queue/jobs', message('job'));
      expect(errorCode(slow)).toBe('slow-consumer');
      expect(fast.messages.map((m) => [m.bodyText, m.header('redelivered')])).toEqual([['job', 'true']]);
    });

    it('closeAll ends every session with server-shutdown', async () => {
      const server = testServer();
      const clients = [await connectClient(server, 'a'), await connectClient(server, 'b'), new TestClient(server)];
      server.closeAll();
      for (const c of clients) {
        expect(errorCode(c)).toBe('server-shutdown');
        expect(c.connection.closed).toBe(true);
      }
      expect(server.sessionCount).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
