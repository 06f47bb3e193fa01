import { BayEntity } from './bay.entity';
import { DeviceTransitionEntity } from './device-transition.entity';
import { DeviceEntity } from './device.entity';
import { FailoverGroupEntity } from './failover-group.entity';
import { LaneEntity } from './lane.entity';
import { ZoneEntity } from './zone.entity';

export { BayEntity, DeviceEntity, DeviceTransitionEntity, FailoverGroupEntity, LaneEntity, ZoneEntity };

/** The entities RegistryModule registers with TypeOrmModule.forFeature. */
export const REGISTRY_ENTITIES = [ZoneEntity, LaneEntity, BayEntity, DeviceEntity, DeviceTransitionEntity, FailoverGroupEntity] as const;
