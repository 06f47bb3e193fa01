import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TOPOLOGY_EXTENSIONS } from '@landside/contracts';
import { DispatchController } from './http/dispatch.controller';
import { DispatchMetrics } from './dispatch.metrics';
import { DISPATCH_OPTIONS, type DispatchModuleOptions } from './dispatch.options';
import { DispatchRepository } from './dispatch.repository';
import { DispatchService } from './dispatch.service';
import { dispatchTopologyExtensions } from './dispatch.topology';

/**
 * Taxi dispatch (SPEC §7) around the pure domain in `./domain`: REST under `/api/dispatch`, the
 * STOMP inputs from the bus (lot-camera reads, kiosk requests, driver regions), no-show timers,
 * metrics. Needs the core modules (persistence, bus, auth, observability, messaging).
 * Import `DispatchModule` for the defaults or `DispatchModule.forRoot(options)`.
 * Global for one provider: `TOPOLOGY_EXTENSIONS` (`stands`, `destinations` of the registry's
 * `PUT/GET /topology`), which the registry injects without importing this module.
 */
@Global()
@Module({
  controllers: [DispatchController],
  providers: [
    DispatchRepository,
    DispatchMetrics,
    DispatchService,
    { provide: TOPOLOGY_EXTENSIONS, useFactory: dispatchTopologyExtensions, inject: [DispatchService, DispatchRepository] },
  ],
  exports: [DispatchService, TOPOLOGY_EXTENSIONS],
})
export class DispatchModule {
  static forRoot(options: DispatchModuleOptions = {}): DynamicModule {
    return { module: DispatchModule, providers: [{ provide: DISPATCH_OPTIONS, useValue: options }] };
  }
}
