import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@landside/config';
import { coreModules } from '@landside/runtime';

/** The STOMP gateway alone (WebSocket, SockJS, TCP) with auth, health and metrics. */
@Module({})
export class GatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: GatewayModule, imports: coreModules(config) };
  }
}
