import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MessageBus, type Unsubscribe, KeyedSerial } from '@landside/bus';
import { INGRESS_CHANNELS, type CommandResultReceived, type DeviceSessionChanged } from '@landside/contracts';
import { COMMAND_CHANNELS, CommandEvents, type CommandDispatchRequested } from './command-events';
import { CommandRepository, isUuid, type TransitionGuard } from './command.repository';
import { CommandService } from './command.service';
import { CommandTimers } from './command-timers';
import { COMMANDS_OPTIONS, DEFAULT_NACK_RETRY_MS, type CommandsModuleOptions } from './commands.options';
import { isExpired, recoveryPlan, resultDeadline, toDeviceMessage, type CommandRecord, type LifecycleEvent } from './domain';
import { DeviceCommandChannel } from './ports';

/**
 * Gets commands to devices and keeps their deadlines (SPEC §6).
 *
 * Delivery: a QUEUED command is announced on the bus (`command.dispatch`); every node's
 * dispatcher looks whether it holds a session of that device subscribed to
 * `/user/queue/commands` and, if so, delivers the device's QUEUED commands oldest first. Each
 * delivery first claims the command (QUEUED -> SENT, only while unexpired), then hands it to
 * the session with hooks: the ACK makes it DELIVERED, a NACK or a lost session puts it back to
 * QUEUED (same id) for redelivery. A device subscribing to its queue (`device.commands-subscribed`)
 * gets whatever waited for it.
 *
 * Per device, deliveries, ACKs, losses and results are applied in order on this node
 * (KeyedSerial). Across nodes the conditional UPDATEs decide: of two changes, one wins.
 *
 * Deadlines: expiry at `expires_at` for QUEUED/SENT (armed on every node from the dispatch
 * announcement), the result timeout after DELIVERED (on the node that saw the ACK). Restart
 * recovery requeues SENT, expires and times out what passed its deadline, and re-arms the rest.
 */
@Injectable()
export class CommandDispatcher implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Commands');
  private readonly serial = new KeyedSerial();
  private readonly unsubscribes: Unsubscribe[] = [];
  private readonly resultTimeoutMs: number;
  private readonly nackRetryMs: number;
  private stopping = false;

  constructor(
    private readonly service: CommandService,
    private readonly repository: CommandRepository,
    private readonly events: CommandEvents,
    private readonly channel: DeviceCommandChannel,
    private readonly bus: MessageBus,
    private readonly timers: CommandTimers,
    @Inject(COMMANDS_OPTIONS) options: CommandsModuleOptions,
  ) {
    this.resultTimeoutMs = options.resultTimeoutS * 1000;
    this.nackRetryMs = options.nackRetryMs ?? DEFAULT_NACK_RETRY_MS;
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribes.push(
      await this.bus.subscribe<CommandDispatchRequested>(COMMAND_CHANNELS.dispatch, (e) => this.onDispatch(e)),
      await this.bus.subscribe<DeviceSessionChanged>(INGRESS_CHANNELS.commandsSubscribed, (e) => this.kick(e.deviceId)),
      await this.bus.subscribe<CommandResultReceived>(INGRESS_CHANNELS.commandResult, (e) => this.onResult(e)),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.recover();
  }

  async onModuleDestroy(): Promise<void> {
    // Deliveries still unacknowledged stay SENT; the next start's recovery requeues them.
    this.stopping = true;
    await Promise.all(this.unsubscribes.splice(0).map((unsubscribe) => unsubscribe()));
    this.timers.clearAll();
    await this.serial.idle();
  }

  /** Delivers the device's QUEUED commands if this node holds its command subscription. */
  kick(deviceId: string): void {
    if (this.stopping || !this.channel.isSubscribed(deviceId)) return;
    this.background(deviceId, 'delivery', () => this.deliverQueued(deviceId));
  }

  /** Resolves when every piece of work started so far has settled (tests, shutdown). */
  idle(): Promise<void> {
    return this.serial.idle();
  }

  /** Restart recovery (SPEC §6: command state survives a restart, nothing stays SENT forever). */
  async recover(): Promise<void> {
    const now = Date.now();
    const devices = new Set<string>();
    let changed = 0;
    const unfinished = await this.repository.unfinished();
    for (const command of unfinished) {
      for (const step of recoveryPlan(command, now, this.resultTimeoutMs)) {
        if (step.kind === 'event') {
          if (!(await this.service.transition(command.id, step.event, guardFor(step.event, now)))) break;
          changed++;
          if (step.event.kind === 'expire' || step.event.kind === 'time-out') this.timers.clearCommand(command.id);
        } else if (step.kind === 'arm-expiry') {
          this.armExpiry(command.id, command.deviceId, step.at);
          devices.add(command.deviceId);
        } else {
          this.armResultTimeout(command.id, command.deviceId, step.at);
        }
      }
    }
    if (unfinished.length > 0) this.logger.log(`recovered ${unfinished.length} unfinished commands (${changed} changed on restart)`);
    for (const deviceId of devices) this.kick(deviceId);
  }

  // ---- bus events -------------------------------------------------------------------------------

  private onDispatch(e: CommandDispatchRequested): void {
    if (this.stopping) return;
    if (e.expiresAt <= Date.now()) {
      this.background(e.deviceId, 'expiry', () => this.expire(e.commandId));
      return;
    }
    this.armExpiry(e.commandId, e.deviceId, e.expiresAt);
    this.kick(e.deviceId);
  }

  private onResult(e: CommandResultReceived): void {
    if (this.stopping) return;
    this.background(e.deviceId, 'result', () => this.complete(e));
  }

  // ---- delivery ---------------------------------------------------------------------------------

  private async deliverQueued(deviceId: string): Promise<void> {
    for (const command of await this.repository.queuedFor(deviceId)) {
      if (this.stopping || !this.channel.isSubscribed(deviceId)) return;
      if (isExpired(command, Date.now())) await this.expire(command.id);
      else await this.deliverOne(command);
    }
  }

  private async deliverOne(command: CommandRecord): Promise<void> {
    const sent = await this.service.transition(command.id, { kind: 'send' }, { notExpiredAt: new Date() });
    if (!sent) {
      // Cancelled, taken by another node, or expired a moment ago: never send an expired command.
      if (isExpired(command, Date.now())) await this.expire(command.id);
      return;
    }
    const attempt = sent.attempts;
    // One delivery may reach several sessions of the device (a reconnect overlapping the old
    // session); it is lost only when every session that took it lost it unacknowledged.
    const delivery: { taken?: number; losses: number; settled: boolean } = { losses: 0, settled: false };
    const settle = (kind: 'lose' | 'nack'): void => {
      delivery.losses++;
      if (delivery.settled || delivery.taken === undefined || delivery.losses < delivery.taken) return;
      delivery.settled = true;
      this.hook(sent.deviceId, () => this.requeue(sent, attempt, kind));
    };
    delivery.taken = this.channel.deliver(sent.deviceId, {
      message: toDeviceMessage(sent),
      onAck: () => {
        if (delivery.settled) return;
        delivery.settled = true;
        this.hook(sent.deviceId, () => this.acked(sent));
      },
      onNack: () => settle('nack'),
      onLost: () => settle('lose'),
    });
    if (!delivery.settled && delivery.losses >= delivery.taken) {
      delivery.settled = true;
      // No session took it (or all lost it at once): QUEUED again, delivered on the next subscribe.
      await this.service.transition(sent.id, { kind: 'lose' }, { attempt });
    }
  }

  private async acked(command: CommandRecord): Promise<void> {
    const delivered = await this.service.transition(command.id, { kind: 'ack' });
    if (!delivered) return; // cancelled, expired or completed meanwhile: the ACK changes nothing
    this.timers.clear('expiry', command.id);
    const deadline = resultDeadline(delivered, this.resultTimeoutMs);
    if (deadline !== undefined) this.armResultTimeout(delivered.id, delivered.deviceId, deadline);
  }

  private async requeue(command: CommandRecord, attempt: number, kind: 'lose' | 'nack'): Promise<void> {
    const queued = await this.service.transition(command.id, { kind }, { attempt });
    if (!queued) return;
    if (kind === 'lose') {
      // The device may already be back, on this node or another.
      await this.events.dispatch(queued);
    } else {
      this.timers.arm('retry', queued.deviceId, Date.now() + this.nackRetryMs, () => this.kick(queued.deviceId));
    }
  }

  // ---- results and deadlines --------------------------------------------------------------------

  private async complete(e: CommandResultReceived): Promise<void> {
    const id = e.result.commandId;
    const command = isUuid(id) ? await this.repository.find(id) : undefined;
    if (!command) {
      this.logger.warn(`device ${e.deviceId} reported ${e.result.outcome} for unknown command ${id}: ignored`);
      return;
    }
    if (command.deviceId !== e.deviceId) {
      this.logger.warn(`device ${e.deviceId} reported ${e.result.outcome} for command ${id} of device ${command.deviceId}: ignored`);
      return;
    }
    const done = await this.service.transition(id, { kind: 'result', outcome: e.result.outcome, detail: e.result.detail }, { deviceId: e.deviceId });
    if (done) this.timers.clearCommand(id);
    else this.logger.debug(`result ${e.result.outcome} for command ${id} ignored: it is ${command.status}`);
  }

  private async expire(id: string): Promise<void> {
    const now = new Date();
    if (await this.service.transition(id, { kind: 'expire' }, { expiredBy: now })) this.timers.clearCommand(id);
  }

  private async timeOut(id: string): Promise<void> {
    if (await this.service.transition(id, { kind: 'time-out' })) this.timers.clearCommand(id);
  }

  private armExpiry(id: string, deviceId: string, at: number): void {
    this.timers.arm('expiry', id, at, () => this.background(deviceId, 'expiry', () => this.expire(id)));
  }

  private armResultTimeout(id: string, deviceId: string, at: number): void {
    this.timers.arm('result', id, at, () => this.background(deviceId, 'result timeout', () => this.timeOut(id)));
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** A session hook (ACK, NACK, lost): ignored once shutting down (recovery requeues SENT). */
  private hook(deviceId: string, task: () => Promise<void>): void {
    if (this.stopping) return;
    this.background(deviceId, 'delivery hook', task);
  }

  private background(deviceId: string, what: string, task: () => Promise<void>): void {
    this.serial.run(deviceId, task).catch((error: unknown) => {
      this.logger.error(`${what} for device ${deviceId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
  }
}

function guardFor(event: LifecycleEvent, now: number): TransitionGuard {
  return event.kind === 'expire' ? { expiredBy: new Date(now) } : {};
}
