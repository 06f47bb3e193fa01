import type { BrokerSubscriber } from './broker';
import { USER_PREFIX } from './broker';
import type { StompConnection } from './connection';
import { StompError } from './errors';
import { StompFrame, type HeaderList, type StompCommand } from './frame';
import { negotiateHeartbeat, type HeartbeatTerms } from './heartbeat';
import type { BrokerMessage } from './message';
import { OutboundQueue } from './outbound-queue';
import { StompParser, type StompVersion } from './parser';
import { TokenBucket } from './rate-limiter';
import { HEARTBEAT_EOL, serializeFrame } from './serializer';
import { ACK_MODES, type AckMode, type Subscription } from './subscription';
import type { SendOutcome, StompPrincipal, StompServerContext } from './server-context';

/**
 * One client connection's STOMP 1.2 session, transport-agnostic
 * (https://stomp.github.io/stomp-specification-1.2.html).
 *
 * Life: awaiting CONNECT (8 KiB frame limit, connect timeout) -> authenticating -> connected ->
 * closed. Every inbound frame goes through one ordered pipeline (`pump`): a frame's handler may
 * be async (authentication, an application handler that persists before its RECEIPT), and the
 * next frame waits for it, so frames of a session are processed in order.
 *
 * Any protocol violation or refusal ends the session the same way (`fail`): an ERROR frame with
 * `message`, a stable `error-code`, `receipt-id` when the offending frame asked for a receipt, an
 * explanation body, then close. Codes are listed in docs/error-codes.md.
 *
 * What this class decides: framing limits, version and heart-beat negotiation, subscriptions and
 * acknowledgements, transactions, receipts, rate limit, token expiry, outbound flow control.
 * What it asks its server's hooks: who the principal is, whether it may use a destination, and
 * what a SEND to an application destination does.
 */
type State = 'awaiting-connect' | 'authenticating' | 'connected' | 'closed';

export type CloseReason =
  | { kind: 'client-disconnect' }
  | { kind: 'transport-closed' }
  | { kind: 'error'; code: string; message: string };

interface PendingAck<P> {
  readonly seq: number;
  readonly subscription: Subscription;
  readonly message: BrokerMessage<P>;
}

/** A message taken for a subscription and not settled: written and unacknowledged, or still queued. */
interface Unsettled<P> {
  readonly subscription: Subscription;
  readonly message: BrokerMessage<P>;
}

const SUPPORTED_VERSIONS: readonly StompVersion[] = ['1.0', '1.1', '1.2'];
/** Headers a client may not set on a SEND that becomes a MESSAGE: the server owns them. */
const RESERVED_SEND_HEADERS = new Set([
  'destination', 'message-id', 'subscription', 'ack', 'receipt', 'receipt-id', 'content-length',
  'transaction', 'authorization', 'Authorization', 'passcode', 'login', 'user-name', 'user-id',
  'redelivered',
]);
const MAX_TIMER_MS = 2_147_483_647;
/** Transactions are buffered in memory until COMMIT: bounded, so BEGIN cannot grow the heap. */
const MAX_OPEN_TRANSACTIONS = 8;
const MAX_FRAMES_PER_TRANSACTION = 100;

let sessionCounter = 0;

export class StompSession<P extends StompPrincipal> implements BrokerSubscriber<P> {
  readonly id: string;
  readonly openedAt = Date.now();
  private state: State = 'awaiting-connect';
  private principalValue: P | undefined;
  private versionValue: StompVersion = '1.2';
  private readonly parser: StompParser;
  private readonly inbox: StompFrame[] = [];
  private busy = false;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pendingAcks = new Map<string, PendingAck<P>>();
  private readonly transactions = new Map<string, StompFrame[]>();
  private readonly outbound: OutboundQueue<P>;
  private readonly bucket: TokenBucket;
  private ackSeq = 0;
  private messageSeq = 0;
  private heartbeat: HeartbeatTerms = { sendEveryMs: 0, expectEveryMs: 0 };
  private connectTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private closeReason: CloseReason | undefined;

  constructor(
    private readonly connection: StompConnection,
    private readonly context: StompServerContext<P>,
  ) {
    this.id = `s${(++sessionCounter).toString(36)}-${Date.now().toString(36)}`;
    const o = context.options;
    this.bucket = new TokenBucket(o.ratePerS, o.rateBurst);
    this.outbound = new OutboundQueue<P>(o.outbound);
    this.parser = new StompParser({
      maxFrameBytes: o.maxPreConnectFrameBytes,
      onFrame: (frame) => this.onFrame(frame),
      onHeartbeat: () => undefined,
    });
    this.connection.onDrain(() => this.flushOutbound());
    this.connectTimer = setTimeout(
      () => this.fail(new StompError('connect-timeout', `no CONNECT within ${o.connectTimeoutMs} ms`)),
      o.connectTimeoutMs,
    );
    this.connectTimer.unref();
  }

  get principal(): P | undefined {
    return this.principalValue;
  }

  get principalName(): string | undefined {
    return this.principalValue?.name;
  }

  get version(): StompVersion {
    return this.versionValue;
  }

  get transport(): StompConnection['transport'] {
    return this.connection.transport;
  }

  get remoteAddress(): string {
    return this.connection.remoteAddress;
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  get queuedOutbound(): number {
    return this.outbound.length;
  }

  get heartbeatTerms(): HeartbeatTerms {
    return this.heartbeat;
  }

  // ---- inbound ----------------------------------------------------------------------------

  /** Bytes (or text, for SockJS) from the transport. */
  receive(chunk: Buffer | string): void {
    if (this.state === 'closed') return;
    this.silenceTimer?.refresh();
    try {
      this.parser.push(chunk);
    } catch (err) {
      this.fail(err);
    }
  }

  private onFrame(frame: StompFrame): void {
    if (this.state === 'closed') return;
    this.context.hooks.observe?.frameIn?.(frame.command);
    if (!this.bucket.take()) {
      const retry = this.bucket.retryAfterS();
      throw new StompError('rate-limited', `more than ${this.context.options.ratePerS} frames/s`, {
        receiptId: frame.header('receipt'),
        headers: { 'retry-after': String(retry) },
      });
    }
    this.inbox.push(frame);
    this.pump();
  }

  private pump(): void {
    while (!this.busy && this.inbox.length > 0 && this.state !== 'closed') {
      const frame = this.inbox.shift()!;
      let pending: Promise<void> | void;
      try {
        pending = this.handle(frame);
      } catch (err) {
        this.fail(err, frame);
        return;
      }
      if (pending) {
        this.busy = true;
        pending.then(
          () => {
            this.busy = false;
            this.pump();
          },
          (err: unknown) => {
            this.busy = false;
            this.fail(err, frame);
          },
        );
      }
    }
  }

  private handle(frame: StompFrame): Promise<void> | void {
    if (frame.command === 'CONNECT' || frame.command === 'STOMP') {
      if (this.state !== 'awaiting-connect') throw new StompError('bad-frame', 'already connected: a second CONNECT is not allowed');
      return this.connect(frame);
    }
    if (this.state !== 'connected') {
      throw new StompError('bad-frame', `expected CONNECT or STOMP, got ${frame.command}`, { receiptId: frame.header('receipt') });
    }
    this.checkNotExpired(frame);
    const authorization = frame.header('Authorization') ?? frame.header('authorization');
    if (authorization !== undefined && this.context.hooks.refresh) {
      return Promise.resolve(this.context.hooks.refresh(authorization, this.principalValue!)).then((next) => {
        this.adoptRefreshedPrincipal(next, frame);
        return this.dispatch(frame);
      });
    }
    return this.dispatch(frame);
  }

  private dispatch(frame: StompFrame): Promise<void> | void {
    const transaction = frame.header('transaction');
    if (transaction !== undefined && (frame.command === 'SEND' || frame.command === 'ACK' || frame.command === 'NACK')) {
      const buffered = this.transactions.get(transaction);
      if (!buffered) throw new StompError('bad-frame', `unknown transaction '${transaction}'`, { receiptId: frame.header('receipt') });
      if (buffered.length >= MAX_FRAMES_PER_TRANSACTION) {
        throw new StompError('bad-frame', `a transaction holds at most ${MAX_FRAMES_PER_TRANSACTION} frames`, { receiptId: frame.header('receipt') });
      }
      buffered.push(frame);
      this.receipt(frame);
      return;
    }
    switch (frame.command) {
      case 'SEND':
        return this.withReceipt(frame, this.send(frame));
      case 'SUBSCRIBE':
        this.subscribe(frame);
        return this.receipt(frame);
      case 'UNSUBSCRIBE':
        this.unsubscribe(frame);
        return this.receipt(frame);
      case 'ACK':
      case 'NACK':
        this.acknowledge(frame);
        return this.receipt(frame);
      case 'BEGIN':
        this.begin(frame);
        return this.receipt(frame);
      case 'COMMIT':
        return this.withReceipt(frame, this.commit(frame));
      case 'ABORT':
        this.abort(frame);
        return this.receipt(frame);
      case 'DISCONNECT':
        this.receipt(frame);
        this.close({ kind: 'client-disconnect' });
        return;
      case 'CONNECT':
      case 'STOMP':
      case 'CONNECTED':
      case 'MESSAGE':
      case 'RECEIPT':
      case 'ERROR':
        throw new StompError('bad-frame', `${frame.command} is not a client frame`, { receiptId: frame.header('receipt') });
    }
  }

  private async connect(frame: StompFrame): Promise<void> {
    const version = negotiateVersion(frame.header('accept-version'));
    if (!version) {
      throw new StompError('unsupported-version', `no common STOMP version (server supports ${SUPPORTED_VERSIONS.join(',')})`, {
        headers: { version: SUPPORTED_VERSIONS.join(',') },
      });
    }
    const terms = negotiateHeartbeat(frame.header('heart-beat'), this.context.options.heartbeat);
    this.state = 'authenticating';
    const principal = await this.context.hooks.authenticate(frame, {
      transport: this.connection.transport,
      remoteAddress: this.connection.remoteAddress,
    });
    if ((this.state as State) === 'closed') return;
    if (principal.expiresAt !== undefined && principal.expiresAt <= Date.now()) {
      throw new StompError('token-expired', 'token expired');
    }
    this.context.admit(this, principal);
    this.principalValue = principal;
    this.versionValue = version;
    this.parser.version = version;
    this.parser.maxFrameBytes = this.context.options.maxFrameBytes;
    this.state = 'connected';
    clearTimeout(this.connectTimer);
    this.armExpiry();
    this.startHeartbeats(terms);
    const [sx, sy] = this.context.options.heartbeat;
    this.writeFrame(
      new StompFrame('CONNECTED', [
        ['version', version],
        ['heart-beat', `${sx},${sy}`],
        ['server', this.context.options.serverName],
        ['session', this.id],
        ['user-name', principal.name],
      ]),
    );
    this.context.hooks.onOpen?.(this);
  }

  private adoptRefreshedPrincipal(next: P, frame: StompFrame): void {
    const current = this.principalValue!;
    if (next.name !== current.name) {
      throw new StompError('forbidden', 'a refreshed token must name the same subject', { receiptId: frame.header('receipt') });
    }
    if (next.expiresAt !== undefined && next.expiresAt <= Date.now()) {
      throw new StompError('token-expired', 'the refreshed token has expired', { receiptId: frame.header('receipt') });
    }
    this.principalValue = next;
    this.armExpiry();
  }

  private send(frame: StompFrame): Promise<SendOutcome> | SendOutcome {
    const destination = requireHeader(frame, 'destination');
    this.context.hooks.authorize?.(this.principalValue!, 'SEND', destination);
    if (this.context.hooks.onSend) return this.context.hooks.onSend(this, frame);
    this.publishFromClient(frame);
    return 'accepted';
  }

  /**
   * The default for a SEND: hand it to the broker as a MESSAGE. Identity and routing headers the
   * client set are replaced by the server's (`message-id`, `subscription`, `user-name`, ...).
   */
  publishFromClient(frame: StompFrame): void {
    const destination = requireHeader(frame, 'destination');
    if (destination.startsWith(USER_PREFIX)) {
      throw new StompError('forbidden', `cannot SEND to ${destination}`, { receiptId: frame.header('receipt') });
    }
    const headers: HeaderList = frame.headers.filter(([name]) => !RESERVED_SEND_HEADERS.has(name));
    headers.push(['user-name', this.principalValue!.name]);
    this.context.broker.publish(destination, { body: frame.body, headers });
  }

  private subscribe(frame: StompFrame): void {
    const destination = requireHeader(frame, 'destination');
    const id = frame.header('id') ?? (this.versionValue === '1.0' ? destination : undefined);
    if (id === undefined) throw new StompError('bad-frame', 'SUBSCRIBE requires an id header', { receiptId: frame.header('receipt') });
    if (this.subscriptions.has(id)) {
      throw new StompError('duplicate-subscription', `subscription id '${id}' is already in use`, { receiptId: frame.header('receipt') });
    }
    if (this.subscriptions.size >= this.context.options.maxSubscriptions) {
      throw new StompError('too-many-subscriptions', `at most ${this.context.options.maxSubscriptions} subscriptions per session`, {
        receiptId: frame.header('receipt'),
      });
    }
    const ackHeader = frame.header('ack') ?? 'auto';
    if (!(ACK_MODES as readonly string[]).includes(ackHeader)) {
      throw new StompError('bad-frame', `unknown ack mode '${ackHeader}'`, { receiptId: frame.header('receipt') });
    }
    this.context.hooks.authorize?.(this.principalValue!, 'SUBSCRIBE', destination);
    const subscription: Subscription = { id, destination, ack: ackHeader as AckMode, selector: frame.header('selector') };
    this.subscriptions.set(id, subscription);
    this.context.broker.subscribe(this, subscription);
    this.context.hooks.onSubscribe?.(this, subscription);
  }

  private unsubscribe(frame: StompFrame): void {
    const id = frame.header('id') ?? (this.versionValue === '1.0' ? frame.header('destination') : undefined);
    if (id === undefined) throw new StompError('bad-frame', 'UNSUBSCRIBE requires an id header', { receiptId: frame.header('receipt') });
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new StompError('unknown-subscription', `no subscription with id '${id}'`, { receiptId: frame.header('receipt') });
    this.subscriptions.delete(id);
    this.context.broker.unsubscribe(this, id);
    const released: Array<Unsettled<P>> = [];
    for (const [ackId, pending] of this.pendingAcks) {
      if (pending.subscription.id === id) {
        this.pendingAcks.delete(ackId);
        released.push(pending);
      }
    }
    released.push(...this.outbound.dropSubscription(id));
    this.release(released);
  }

  private acknowledge(frame: StompFrame): void {
    const ackId = this.versionValue === '1.2' ? frame.header('id') : frame.header('message-id');
    const header = this.versionValue === '1.2' ? 'id' : 'message-id';
    if (ackId === undefined) throw new StompError('bad-frame', `${frame.command} requires an ${header} header`, { receiptId: frame.header('receipt') });
    const target = this.pendingAcks.get(ackId);
    if (!target) {
      throw new StompError('invalid-ack', `${frame.command} '${ackId}' matches no unacknowledged message of this session`, {
        receiptId: frame.header('receipt'),
      });
    }
    // `client` mode is cumulative: it settles every earlier message of the same subscription.
    const settled: PendingAck<P>[] = [];
    if (target.subscription.ack === 'client') {
      for (const [id, pending] of this.pendingAcks) {
        if (pending.subscription.id === target.subscription.id && pending.seq <= target.seq) {
          this.pendingAcks.delete(id);
          settled.push(pending);
        }
      }
    } else {
      this.pendingAcks.delete(ackId);
      settled.push(target);
    }
    const released: PendingAck<P>[] = [];
    for (const pending of settled) {
      if (frame.command === 'ACK') pending.message.onAck?.();
      else if (pending.message.onNack) pending.message.onNack();
      else released.push(pending);
    }
    this.release(released);
  }

  /**
   * Messages that will not be acknowledged (or not even written) here: queue messages go round
   * again, in their original order; others are lost.
   */
  private release(items: ReadonlyArray<Unsettled<P>>): void {
    const byQueue = new Map<string, BrokerMessage<P>[]>();
    for (const { subscription, message } of items) {
      if (subscription.destination.startsWith('/queue/')) {
        const list = byQueue.get(subscription.destination) ?? [];
        list.push(message);
        byQueue.set(subscription.destination, list);
      } else {
        message.onLost?.();
      }
    }
    for (const [destination, messages] of byQueue) this.context.broker.requeue(destination, messages);
  }

  private begin(frame: StompFrame): void {
    const tx = requireHeader(frame, 'transaction');
    if (this.transactions.has(tx)) throw new StompError('bad-frame', `transaction '${tx}' already begun`, { receiptId: frame.header('receipt') });
    if (this.transactions.size >= MAX_OPEN_TRANSACTIONS) {
      throw new StompError('bad-frame', `at most ${MAX_OPEN_TRANSACTIONS} open transactions per session`, { receiptId: frame.header('receipt') });
    }
    this.transactions.set(tx, []);
  }

  private async commit(frame: StompFrame): Promise<void> {
    const tx = requireHeader(frame, 'transaction');
    const frames = this.transactions.get(tx);
    if (!frames) throw new StompError('bad-frame', `unknown transaction '${tx}'`, { receiptId: frame.header('receipt') });
    this.transactions.delete(tx);
    for (const buffered of frames) {
      const plain = new StompFrame(
        buffered.command,
        buffered.headers.filter(([name]) => name !== 'transaction' && name !== 'receipt'),
        buffered.body,
      );
      await this.dispatch(plain);
    }
  }

  private abort(frame: StompFrame): void {
    const tx = requireHeader(frame, 'transaction');
    if (!this.transactions.delete(tx)) throw new StompError('bad-frame', `unknown transaction '${tx}'`, { receiptId: frame.header('receipt') });
  }

  private withReceipt(frame: StompFrame, work: Promise<SendOutcome | void> | SendOutcome | void): Promise<void> | void {
    if (work === 'dropped') return;
    if (work === undefined || work === 'accepted') return this.receipt(frame);
    return work.then((outcome) => {
      if (outcome !== 'dropped') this.receipt(frame);
    });
  }

  private receipt(frame: StompFrame): void {
    const receipt = frame.header('receipt');
    if (receipt !== undefined && this.state !== 'closed') {
      this.writeFrame(new StompFrame('RECEIPT', [['receipt-id', receipt]]));
    }
  }

  // ---- outbound ---------------------------------------------------------------------------

  /** Broker delivery for one of this session's subscriptions. */
  deliver(subscription: Subscription, message: BrokerMessage<P>): boolean {
    if (this.state !== 'connected') return false;
    const principal = this.principalValue!;
    if (message.filter && !message.filter(principal)) return false;
    if (principal.expiresAt !== undefined && Date.now() >= principal.expiresAt) {
      this.expire();
      return false;
    }
    if (this.outbound.length > 0 || this.connection.pendingBytes() > this.context.options.outbound.highWaterBytes) {
      if (!this.outbound.push(subscription, message)) {
        this.fail(new StompError('slow-consumer', 'the client reads too slowly: outbound buffer limit reached'));
      }
      return true;
    }
    this.writeMessage(subscription, message);
    return true;
  }

  /** Send a message to one of this session's subscriptions by destination (e.g. a reply). */
  deliverTo(destination: string, message: BrokerMessage<P>): boolean {
    let delivered = false;
    for (const subscription of this.subscriptions.values()) {
      if (subscription.destination === destination && this.deliver(subscription, message)) delivered = true;
    }
    return delivered;
  }

  private flushOutbound(): void {
    const highWater = this.context.options.outbound.highWaterBytes;
    while (this.state === 'connected' && this.outbound.length > 0 && this.connection.pendingBytes() <= highWater) {
      const next = this.outbound.shift()!;
      if (this.subscriptions.get(next.subscription.id) !== next.subscription) continue;
      this.writeMessage(next.subscription, next.message);
    }
  }

  private writeMessage(subscription: Subscription, message: BrokerMessage<P>): void {
    const messageId = `${this.id}-${++this.messageSeq}`;
    const headers: HeaderList = [
      ['destination', subscription.destination],
      ['message-id', messageId],
      ['subscription', subscription.id],
    ];
    if (subscription.ack !== 'auto') {
      const ackId = `${this.id}:${++this.ackSeq}`;
      this.pendingAcks.set(ackId, { seq: this.ackSeq, subscription, message });
      // 1.2 clients ACK with the `ack` header's value; 1.0/1.1 with the message-id.
      if (this.versionValue === '1.2') headers.push(['ack', ackId]);
      else headers[1] = ['message-id', ackId];
    }
    if (message.redelivered) headers.push(['redelivered', 'true']);
    if (message.headers) {
      for (const h of message.headers) if (!RESERVED_OUT.has(h[0]) && this.canCarry(h)) headers.push(h);
    }
    this.writeFrame(new StompFrame('MESSAGE', headers, message.body));
  }

  /** 1.0/1.1 cannot escape every character a 1.2 publisher may put in a header: drop those. */
  private canCarry([name, value]: [string, string]): boolean {
    if (this.versionValue === '1.2') return name !== '';
    if (this.versionValue === '1.1') return name !== '' && !name.includes('\r') && !value.includes('\r');
    return name !== '' && !/[\r\n:]/.test(name) && !/[\r\n]/.test(value);
  }

  private writeFrame(frame: StompFrame): void {
    if (this.state === 'closed') return;
    // Anything written counts as a heart-beat: the next EOL is due one interval after it.
    this.pingTimer?.refresh();
    this.connection.write(serializeFrame(frame, this.versionValue));
    this.context.hooks.observe?.frameOut?.(frame.command as StompCommand);
  }

  // ---- timers -----------------------------------------------------------------------------

  private startHeartbeats(terms: HeartbeatTerms): void {
    this.heartbeat = terms;
    if (terms.sendEveryMs > 0) {
      // Fires when nothing was written for a whole interval (writeFrame refreshes it).
      const ping = setTimeout(() => {
        if (this.state !== 'connected') return;
        this.connection.write(HEARTBEAT_EOL);
        ping.refresh();
      }, terms.sendEveryMs);
      ping.unref();
      this.pingTimer = ping;
    }
    if (terms.expectEveryMs > 0) {
      const limit = terms.expectEveryMs * 2;
      this.silenceTimer = setTimeout(() => {
        this.fail(new StompError('heartbeat-timeout', `nothing received for ${limit} ms (2x the negotiated heart-beat)`));
      }, limit);
      this.silenceTimer.unref();
    }
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    const expiresAt = this.principalValue?.expiresAt;
    if (expiresAt === undefined) return;
    const delay = expiresAt - Date.now();
    if (delay <= 0) {
      this.expire();
      return;
    }
    this.expiryTimer = setTimeout(() => {
      if (Date.now() >= expiresAt) this.expire();
      else this.armExpiry();
    }, Math.min(delay, MAX_TIMER_MS));
    this.expiryTimer.unref();
  }

  private checkNotExpired(frame: StompFrame): void {
    const expiresAt = this.principalValue?.expiresAt;
    if (expiresAt !== undefined && Date.now() >= expiresAt && !frame.header('Authorization') && !frame.header('authorization')) {
      throw new StompError('token-expired', 'the session token expired', { receiptId: frame.header('receipt') });
    }
  }

  private expire(): void {
    this.fail(new StompError('token-expired', 'the session token expired; reconnect or refresh in-band with an Authorization header'));
  }

  // ---- closing ----------------------------------------------------------------------------

  /** Ends the session with an ERROR frame (see class comment). Safe to call more than once. */
  fail(err: unknown, frame?: StompFrame): void {
    if (this.state === 'closed') return;
    const error = err instanceof StompError ? err : new StompError('server-error', 'internal server error');
    if (!(err instanceof StompError)) this.context.hooks.onInternalError?.(err, this);
    const headers: HeaderList = [
      ['message', error.message.replace(/[\r\n]/g, ' ')],
      ['error-code', error.code],
      ['content-type', 'text/plain'],
    ];
    const receiptId = error.details.receiptId ?? frame?.header('receipt');
    if (receiptId !== undefined) headers.push(['receipt-id', receiptId]);
    for (const [k, v] of Object.entries(error.details.headers ?? {})) headers.push([k, v]);
    const body = Buffer.from(error.details.body ?? `${error.message}\n`, 'utf8');
    this.context.hooks.observe?.error?.(error.code);
    this.writeFrame(new StompFrame('ERROR', headers, body));
    this.close({ kind: 'error', code: error.code, message: error.message });
  }

  /** Closes without an ERROR (client DISCONNECT) or after one. */
  close(reason: CloseReason = { kind: 'client-disconnect' }): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    this.connection.close();
    this.cleanup();
  }

  /** The transport went away under us. */
  transportClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = { kind: 'transport-closed' };
    this.cleanup();
  }

  get closedBecause(): CloseReason | undefined {
    return this.closeReason;
  }

  private cleanup(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.expiryTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.pingTimer);
    this.inbox.length = 0;
    this.transactions.clear();
    this.context.broker.removeSubscriber(this);
    // Written but unacknowledged first, then never written: the order they were taken in.
    const unsettled: Array<Unsettled<P>> = [...this.pendingAcks.values(), ...this.outbound.drainAll()];
    this.pendingAcks.clear();
    this.release(unsettled);
    this.subscriptions.clear();
    this.context.release(this);
    this.context.hooks.onClose?.(this, this.closeReason!);
  }
}

const RESERVED_OUT = new Set(['destination', 'message-id', 'subscription', 'ack', 'content-length', 'redelivered']);

function negotiateVersion(acceptVersion: string | undefined): StompVersion | undefined {
  if (acceptVersion === undefined) return '1.0';
  const offered = acceptVersion.split(',').map((v) => v.trim());
  for (const version of ['1.2', '1.1', '1.0'] as const) if (offered.includes(version)) return version;
  return undefined;
}

function requireHeader(frame: StompFrame, name: string): string {
  const value = frame.header(name);
  if (value === undefined || value === '') {
    throw new StompError('bad-frame', `${frame.command} requires a '${name}' header`, { receiptId: frame.header('receipt') });
  }
  return value;
}
