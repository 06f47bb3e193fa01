/**
 * Medium-tier harness: the real command service, repository and dispatcher on a real database
 * (openTestDatabase), with the STOMP edge replaced by fakes that record what would go out and let
 * a test play the device (take, ACK, NACK, lose a delivery).
 */
import { InProcessBus } from '@landside/bus';
import type { DeviceType } from '@landside/contracts';
import { MetricsService } from '@landside/observability';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind } from '@landside/persistence';
import type { DataSource } from 'typeorm';
import { CommandDispatcher } from '../command-dispatcher';
import { CommandEvents, type CommandStatusChanged } from '../command-events';
import { CommandRepository } from '../command.repository';
import { CommandService, type Issuer } from '../command.service';
import { CommandTargets } from '../command-targets';
import { CommandTimers } from '../command-timers';
import type { CommandStatus } from '../domain';
import { CommandTopic, DeviceCommandChannel, RequesterReplies, type CommandTopicMessage, type OutgoingCommand, type RequestError } from '../ports';

export const ADMIN: Issuer = { sub: 'admin', role: 'ADMIN' };
export const OPERATOR: Issuer = { sub: 'op-1', role: 'OPERATOR' };

export class RecordingTopic extends CommandTopic {
  readonly messages: CommandTopicMessage[] = [];

  publish(message: CommandTopicMessage): Promise<void> {
    this.messages.push(message);
    return Promise.resolve();
  }

  /** The statuses published for one command, in order. */
  statusesOf(commandId: string): CommandStatus[] {
    return this.messages.map((m) => (m.payload as CommandStatusChanged).command).filter((c) => c.id === commandId).map((c) => c.status);
  }
}

/** What `/app/commands` requesters are answered, in order. */
export class RecordingReplies extends RequesterReplies {
  readonly replies: Array<{ user: string; correlationId: string | undefined; payload: unknown }> = [];
  readonly errors: Array<{ user: string; body: RequestError }> = [];

  reply(user: string, correlationId: string | undefined, payload: unknown): Promise<void> {
    this.replies.push({ user, correlationId, payload });
    return Promise.resolve();
  }

  error(user: string, body: RequestError): Promise<void> {
    this.errors.push({ user, body });
    return Promise.resolve();
  }

  get answers(): number {
    return this.replies.length + this.errors.length;
  }
}

/** Device sessions on "this node": a test subscribes a device and then plays it. */
export class FakeChannel extends DeviceCommandChannel {
  private readonly subscribed = new Set<string>();
  readonly received = new Map<string, OutgoingCommand[]>();

  subscribe(deviceId: string): void {
    this.subscribed.add(deviceId);
  }

  /** The session closes: every delivery it holds unacknowledged is lost. */
  disconnect(deviceId: string, unacked: readonly OutgoingCommand[] = []): void {
    this.subscribed.delete(deviceId);
    for (const d of unacked) d.onLost();
  }

  isSubscribed(deviceId: string): boolean {
    return this.subscribed.has(deviceId);
  }

  deliver(deviceId: string, delivery: OutgoingCommand): number {
    if (!this.subscribed.has(deviceId)) return 0;
    const list = this.received.get(deviceId) ?? [];
    list.push(delivery);
    this.received.set(deviceId, list);
    return 1;
  }

  deliveries(deviceId: string): OutgoingCommand[] {
    return this.received.get(deviceId) ?? [];
  }
}

export interface Harness {
  readonly db: TestDatabase;
  readonly dataSource: DataSource;
  readonly bus: InProcessBus;
  /** Handlers that threw (should stay empty: handlers catch their own failures). */
  readonly busErrors: string[];
  readonly metrics: MetricsService;
  readonly topic: RecordingTopic;
  readonly channel: FakeChannel;
  readonly repository: CommandRepository;
  readonly timers: CommandTimers;
  readonly service: CommandService;
  readonly dispatcher: CommandDispatcher;
  addZone(id: string): Promise<void>;
  addDevice(id: string, type: DeviceType, zoneId?: string | null): Promise<void>;
  statusOf(id: string): Promise<CommandStatus | undefined>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly resultTimeoutS?: number;
  readonly nackRetryMs?: number;
  /** Call the dispatcher's onModuleInit (bus subscriptions); default true. */
  readonly start?: boolean;
}

export async function openHarness(kind: TestDatabaseKind, options: HarnessOptions = {}): Promise<Harness> {
  const db = await openTestDatabase({ kind });
  const dataSource = db.dataSource;
  const busErrors: string[] = [];
  const bus = new InProcessBus((channel, error) => busErrors.push(`${channel}: ${String(error)}`));
  const metrics = new MetricsService();
  const topic = new RecordingTopic();
  const channel = new FakeChannel();
  const repository = new CommandRepository(dataSource);
  const timers = new CommandTimers();
  const events = new CommandEvents(topic, bus, metrics);
  const service = new CommandService(dataSource, repository, new CommandTargets(dataSource), events, timers);
  const dispatcher = new CommandDispatcher(service, repository, events, channel, bus, timers, {
    resultTimeoutS: options.resultTimeoutS ?? 30,
    nackRetryMs: options.nackRetryMs ?? 50,
  });
  if (options.start ?? true) await dispatcher.onModuleInit();
  return {
    db,
    dataSource,
    bus,
    busErrors,
    metrics,
    topic,
    channel,
    repository,
    timers,
    service,
    dispatcher,
    addZone: async (id) => {
      await dataSource.query(`INSERT INTO zones (id, name, kind) VALUES ($1, $1, 'CAR_PARK') ON CONFLICT (id) DO NOTHING`, [id]);
    },
    addDevice: async (id, type, zoneId = null) => {
      await dataSource.query(`INSERT INTO devices (id, type, name, zone_id, secret_hash) VALUES ($1, $2, $1, $3, 'x')`, [id, type, zoneId]);
    },
    statusOf: async (id) => (await repository.find(id))?.status,
    close: async () => {
      await dispatcher.onModuleDestroy();
      await bus.close();
      await db.close();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
