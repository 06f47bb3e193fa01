import type { Server } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { authorizeDestination, extractBearer, principalSeesZone, TokenError, TokenService } from '@landside/auth';
import { MessageBus, type Unsubscribe } from '@landside/bus';
import {
  DomainError,
  GATEWAY_CHANNELS,
  INGRESS_CHANNELS,
  type DeviceSessionChanged,
  type TopicEnvelope,
  type UserEnvelope,
} from '@landside/contracts';
import { MetricsService } from '@landside/observability';
import {
  jsonMessage,
  StompError,
  StompServer,
  type BrokerMessage,
  type CloseReason,
  type StompConnection,
  type StompFrame,
  type StompSession,
  type SendOutcome,
} from '@landside/stomp';
import { HandlerRegistry } from './routing/handler-registry';
import { toSessionPrincipal, type SessionPrincipal, type StompMessageContext } from './routing/message-context';
import { MessagingError } from './routing/messaging-error';
import { validateBody } from './routing/validate-body';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { SockJsTransport } from './transports/sockjs.transport';
import { TcpTransport } from './transports/tcp.transport';
import { WsTransport } from './transports/ws.transport';
import type { ConnectionSink } from './transports/sink';

export { GATEWAY_CHANNELS, type TopicEnvelope, type UserEnvelope };

/**
 * The one frame handler behind all three transports: a StompServer whose hooks are Landside's
 * policy — JWT authentication on CONNECT and per-frame refresh, the destination policy per role
 * and zone, `/app/...` routing to @MessageMapping handlers with validated JSON bodies, metrics,
 * and device presence events on the bus.
 *
 * Topic and user messages are published on the bus (`publishTopic`, `sendToUser`) and delivered
 * by every node's gateway from there, so one code path serves one process and many.
 */
@Injectable()
export class StompGateway implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StompGateway');
  readonly server: StompServer<SessionPrincipal>;
  private ws: WsTransport | undefined;
  private sockjs: SockJsTransport | undefined;
  private tcp: TcpTransport | undefined;
  private tcpPortValue: number | undefined;
  private readonly unsubscribes: Unsubscribe[] = [];

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly tokens: TokenService,
    private readonly handlers: HandlerRegistry,
    private readonly bus: MessageBus,
    private readonly metrics: MetricsService,
  ) {
    this.server = new StompServer<SessionPrincipal>(
      {
        authenticate: (frame) => this.authenticate(frame),
        refresh: (authorization, current) => this.refresh(authorization, current),
        authorize: (principal, action, destination) => {
          const decision = authorizeDestination(principal, action, destination);
          if (!decision.ok) {
            this.metrics.authFailures.inc({ reason: 'forbidden' });
            throw new StompError('forbidden', decision.reason);
          }
        },
        onSend: (session, frame) => this.route(session, frame),
        concurrency: (principal) => (principal.role === 'DEVICE' ? 'newest-wins' : 'refuse-new'),
        onOpen: (session) => this.opened(session),
        onSubscribe: (session, subscription) => {
          if (session.principal?.role === 'DEVICE' && subscription.destination === '/user/queue/commands') {
            void this.publishPresence(INGRESS_CHANNELS.commandsSubscribed, session);
          }
        },
        onClose: (session, reason) => this.closed(session, reason),
        onInternalError: (error, session) =>
          this.logger.error(`session ${session.id}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
        observe: {
          // Per frame: plain counts, published into the counters when /metrics is read.
          frameIn: (command) => this.metrics.stompFramesInTally.add(command),
          frameOut: (command) => this.metrics.stompFramesOutTally.add(command),
          error: (code) => this.metrics.stompErrors.inc({ code }),
        },
      },
      options.stomp,
    );
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribes.push(
      await this.bus.subscribe<TopicEnvelope>(GATEWAY_CHANNELS.topic, (m) => this.deliverTopic(m)),
      await this.bus.subscribe<UserEnvelope>(GATEWAY_CHANNELS.user, (m) => this.deliverToUser(m)),
    );
  }

  /** Installs WebSocket and SockJS on the HTTP server; call before it listens. */
  attach(httpServer: Server): void {
    const accept = (connection: StompConnection): ConnectionSink => this.server.accept(connection);
    this.ws = new WsTransport({
      path: this.options.wsPath,
      allowedOrigins: this.options.allowedOrigins,
      maxPayload: this.options.stomp.maxFrameBytes + 1024,
      accept,
    });
    this.ws.attach(httpServer);
    this.sockjs = new SockJsTransport({
      prefix: this.options.sockjsPrefix,
      allowedOrigins: this.options.allowedOrigins,
      clientUrl: this.options.sockjsClientUrl,
      accept,
      log: (severity, message) => {
        if (severity === 'error') this.logger.warn(`sockjs: ${message}`);
      },
    });
    this.sockjs.attach(httpServer);
  }

  /** Starts plain STOMP over TCP unless its port is 0; returns the bound port. */
  async listenTcp(): Promise<number | undefined> {
    if (this.options.tcpPort === 0) return undefined;
    this.tcp = new TcpTransport({
      host: this.options.host,
      port: this.options.tcpPort,
      accept: (connection) => this.server.accept(connection),
    });
    this.tcpPortValue = await this.tcp.listen();
    return this.tcpPortValue;
  }

  get tcpPort(): number | undefined {
    return this.tcpPortValue;
  }

  /** Publishes to a `/topic/...` destination on every node. */
  publishTopic(envelope: TopicEnvelope): Promise<void> {
    return this.bus.publish(GATEWAY_CHANNELS.topic, envelope);
  }

  /** Sends to a principal's `/user/queue/...` on every node. */
  sendToUser(envelope: UserEnvelope): Promise<void> {
    return this.bus.publish(GATEWAY_CHANNELS.user, envelope);
  }

  /** Local delivery (no bus) with per-delivery hooks, e.g. a command awaiting the device's ACK. */
  deliverLocally(user: string, destination: string, message: BrokerMessage<SessionPrincipal>): number {
    return this.server.broker.sendToUser(user, destination, message);
  }

  async onApplicationShutdown(): Promise<void> {
    this.server.closeAll();
    await Promise.all(this.unsubscribes.map((u) => u()));
    this.sockjs?.close();
    await Promise.all([this.ws?.close(), this.tcp?.close()]);
  }

  // ---- hooks ------------------------------------------------------------------------------

  private authenticate(frame: StompFrame): SessionPrincipal {
    const token = extractBearer(frame.header('Authorization') ?? frame.header('authorization')) ?? nonEmpty(frame.header('passcode'));
    if (!token) {
      this.metrics.authFailures.inc({ reason: 'missing-token' });
      throw new StompError('unauthenticated', 'CONNECT must carry Authorization: Bearer <jwt> or the JWT as passcode');
    }
    return toSessionPrincipal(this.verify(token));
  }

  private refresh(authorization: string, current: SessionPrincipal): SessionPrincipal {
    const token = extractBearer(authorization);
    if (!token) {
      this.metrics.authFailures.inc({ reason: 'malformed-header' });
      throw new StompError('unauthenticated', 'Authorization header must be "Bearer <jwt>"');
    }
    const next = toSessionPrincipal(this.verify(token));
    if (next.sub !== current.sub) {
      this.metrics.authFailures.inc({ reason: 'subject-mismatch' });
      throw new StompError('forbidden', 'a refreshed token must name the same subject as the session');
    }
    return next;
  }

  private verify(token: string): ReturnType<TokenService['verify']> {
    try {
      return this.tokens.verify(token);
    } catch (error) {
      if (error instanceof TokenError) {
        this.metrics.authFailures.inc({ reason: error.code });
        throw new StompError(error.code, error.message);
      }
      throw error;
    }
  }

  private async route(session: StompSession<SessionPrincipal>, frame: StompFrame): Promise<SendOutcome> {
    const destination = frame.header('destination')!;
    if (!destination.startsWith('/app/')) {
      session.publishFromClient(frame);
      return 'accepted';
    }
    const receipt = frame.header('receipt');
    const handler = this.handlers.find(destination);
    try {
      if (!handler) throw new MessagingError('unknown-destination', `no handler for ${destination} on this node`);
      const validated = handler.dto ? validateBody(handler.dto, frame.body) : parseJsonOrText(frame.body);
      // Device DTOs validate synchronously: no await (and no extra turn) for an already-known body.
      const body = validated instanceof Promise ? await validated : validated;
      const ctx: StompMessageContext = {
        principal: session.principal!,
        session,
        frame,
        destination,
        receipt,
        reply: (payload) => {
          const headers: Array<[string, string]> = receipt !== undefined ? [['correlation-id', receipt]] : [];
          session.deliverTo('/user/queue/replies', jsonMessage(payload, { headers }));
        },
      };
      await handler.invoke(body, ctx);
      return 'accepted';
    } catch (error) {
      // Domain refusals: forbidden ends the session like every authorization failure; the rest
      // (not found, conflict, not valid for the device...) are answered on the errors queue.
      if (error instanceof DomainError && error.code === 'forbidden') throw new StompError('forbidden', error.message, { receiptId: receipt });
      const refusal =
        error instanceof DomainError ? new MessagingError(error.code, { message: error.message, ...error.details }) : error;
      if (!(refusal instanceof MessagingError)) throw error;
      session.deliverTo(
        '/user/queue/errors',
        jsonMessage({ error: refusal.error, detail: refusal.detail, destination, receipt: receipt ?? null }),
      );
      // Dropped: no RECEIPT for a frame that was not accepted; the error names its receipt.
      return 'dropped';
    }
  }

  private opened(session: StompSession<SessionPrincipal>): void {
    const principal = session.principal!;
    this.metrics.stompConnections.inc({ transport: session.transport, role: principal.role });
    if (principal.role === 'DEVICE') void this.publishPresence(INGRESS_CHANNELS.connected, session);
  }

  private closed(session: StompSession<SessionPrincipal>, reason: CloseReason): void {
    const principal = session.principal;
    if (!principal) return;
    this.metrics.stompConnections.dec({ transport: session.transport, role: principal.role });
    this.metrics.stompSessionDuration.observe({ transport: session.transport }, (Date.now() - session.openedAt) / 1000);
    if (principal.role === 'DEVICE') void this.publishPresence(INGRESS_CHANNELS.disconnected, session);
    if (reason.kind === 'error' && reason.code === 'server-error') this.logger.warn(`session ${session.id} closed: ${reason.message}`);
  }

  private async publishPresence(channel: string, session: StompSession<SessionPrincipal>): Promise<void> {
    const principal = session.principal!;
    const event: DeviceSessionChanged = {
      deviceId: principal.sub,
      deviceType: principal.deviceType,
      sessionId: session.id,
      receivedAt: Date.now(),
      transport: session.transport,
      remoteAddress: session.remoteAddress,
      remainingSessions: this.server.sessionsOf(principal.sub).filter((s) => !s.isClosed).length,
    };
    try {
      await this.bus.publish(channel, event);
    } catch (error) {
      this.logger.error(`presence event ${channel} for ${principal.sub} lost: ${String(error)}`);
    }
  }

  private deliverTopic(envelope: TopicEnvelope): void {
    const zoneId = envelope.zoneId;
    this.server.broker.publish(
      envelope.destination,
      jsonMessage<SessionPrincipal>(envelope.payload, {
        conflationKey: envelope.conflationKey,
        filter: zoneId === undefined ? undefined : (principal) => principalSeesZone(principal, zoneId),
      }),
    );
  }

  private deliverToUser(envelope: UserEnvelope): void {
    this.server.broker.sendToUser(envelope.user, envelope.destination, jsonMessage(envelope.payload, { headers: envelope.headers }));
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function parseJsonOrText(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
