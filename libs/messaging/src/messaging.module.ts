import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CommandIngressController } from './ingress/command-ingress.controller';
import { DispatchIngressController } from './ingress/dispatch-ingress.controller';
import { DeviceIngressController } from './ingress/device-ingress.controller';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { HandlerRegistry } from './routing/handler-registry';
import { StompGateway } from './stomp-gateway';

/**
 * STOMP for a Nest app: the gateway (transports + frame handler), the @MessageMapping registry
 * and the device ingress handlers. Needs AuthModule (TokenService), BusModule (MessageBus) and
 * ObservabilityModule (MetricsService) in the app. The app calls `StompGateway.attach()` with its
 * HTTP server before listening, and `listenTcp()`.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, HandlerRegistry, StompGateway, DeviceIngressController, CommandIngressController, DispatchIngressController],
      exports: [StompGateway, HandlerRegistry],
    };
  }
}
