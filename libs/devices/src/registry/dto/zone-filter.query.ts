import { IsOptional } from 'class-validator';
import { PageQueryDto } from '@landside/contracts';
import { IsEntityId } from './entity-id';

/** GET /lanes, /bays, /failover-groups: `?zoneId=&limit=&cursor=`. */
export class ZoneFilterQueryDto extends PageQueryDto {
  @IsOptional()
  @IsEntityId()
  zoneId?: string;
}
