import { Global, Logger, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { InProcessBus } from './in-process-bus';
import { MessageBus } from './message-bus';
import { RedisBus } from './redis-bus';

export interface BusModuleOptions {
  /** Unset: the in-process engine. */
  readonly redisUrl?: string;
}

/** Chooses the engine once, at start; everything else injects `MessageBus`. */
export async function createBus(options: BusModuleOptions, logger = new Logger('Bus')): Promise<MessageBus> {
  const report = (channel: string, error: unknown): void =>
    logger.error(`handler for ${channel} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  if (!options.redisUrl) return new InProcessBus(report);
  return RedisBus.connect(options.redisUrl, { onHandlerError: report });
}

class BusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}
  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

@Global()
@Module({})
export class BusModule {
  static forRoot(options: BusModuleOptions): DynamicModule {
    return {
      module: BusModule,
      providers: [{ provide: MessageBus, useFactory: () => createBus(options) }, BusLifecycle],
      exports: [MessageBus],
    };
  }
}
