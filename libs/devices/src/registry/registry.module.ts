import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { BaysService } from './bays.service';
import { DeviceRegistry } from './device-registry';
import { DevicesService } from './devices.service';
import { REGISTRY_ENTITIES } from './entities';
import { FailoverGroupsService } from './failover-groups.service';
import { BaysController } from './http/bays.controller';
import { DevicesController } from './http/devices.controller';
import { FailoverGroupsController } from './http/failover-groups.controller';
import { LanesController } from './http/lanes.controller';
import { TopologyController } from './http/topology.controller';
import { ZonesController } from './http/zones.controller';
import { LanesService } from './lanes.service';
import { RegistryPublisher } from './registry-publisher';
import { TopologyService } from './topology/topology.service';
import { ZonesService } from './zones.service';

/**
 * The device registry (SPEC §5, §8): zones, lanes, bays, devices, failover groups over REST and
 * PUT/GET /topology, the audit log (AuditModule), and DeviceRegistry for other services, who
 * follow changes on the bus (REGISTRY_EVENT_CHANNELS). Needs PersistenceModule, BusModule and
 * AuthModule in the app (coreModules).
 */
@Module({
  imports: [TypeOrmModule.forFeature([...REGISTRY_ENTITIES]), AuditModule],
  controllers: [DevicesController, ZonesController, LanesController, BaysController, FailoverGroupsController, TopologyController],
  providers: [
    RegistryPublisher,
    DeviceRegistry,
    DevicesService,
    ZonesService,
    LanesService,
    BaysService,
    FailoverGroupsService,
    TopologyService,
  ],
  exports: [DeviceRegistry],
})
export class RegistryModule {}
