import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { MESSAGE_MAPPING, STOMP_CONTROLLER, type MessageMappingMetadata } from './decorators';
import type { StompMessageContext } from './message-context';

export type StompHandler = (body: unknown, ctx: StompMessageContext) => unknown;

export interface RegisteredHandler {
  readonly destination: string;
  readonly dto?: new () => object;
  readonly invoke: StompHandler;
  readonly name: string;
}

/** Finds every @StompController provider's @MessageMapping methods at start. */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger(HandlerRegistry.name);
  private readonly handlers = new Map<string, RegisteredHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.metatype) continue;
      if (!this.reflector.get<boolean>(STOMP_CONTROLLER, wrapper.metatype as new () => unknown)) continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const methodName of this.scanner.getAllMethodNames(proto)) {
        const method = proto[methodName];
        if (typeof method !== 'function') continue;
        const meta = this.reflector.get<MessageMappingMetadata | undefined>(MESSAGE_MAPPING, method as () => unknown);
        if (!meta) continue;
        this.register({
          destination: meta.destination,
          dto: meta.dto,
          name: `${(wrapper.metatype as { name: string }).name}.${methodName}`,
          invoke: (body, ctx) => (method as StompHandler).call(instance, body, ctx),
        });
      }
    }
  }

  register(handler: RegisteredHandler): void {
    const existing = this.handlers.get(handler.destination);
    if (existing) throw new Error(`${handler.destination} is mapped twice: ${existing.name} and ${handler.name}`);
    this.handlers.set(handler.destination, handler);
    this.logger.debug(`${handler.destination} -> ${handler.name}`);
  }

  find(destination: string): RegisteredHandler | undefined {
    return this.handlers.get(destination);
  }

  destinations(): string[] {
    return [...this.handlers.keys()];
  }
}
