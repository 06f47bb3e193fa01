import { IsIn, IsOptional } from 'class-validator';
import { DEVICE_TYPES, type DeviceType, PageQueryDto } from '@landside/contracts';
import { DEVICE_STATES, type DeviceState } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';

/** GET /devices?zoneId=&type=&state=&limit=&cursor= */
export class ListDevicesQueryDto extends PageQueryDto {
  @IsOptional()
  @IsEntityId()
  zoneId?: string;

  @IsOptional()
  @IsIn(DEVICE_TYPES)
  type?: DeviceType;

  @IsOptional()
  @IsIn(DEVICE_STATES)
  state?: DeviceState;
}
