import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@landside/contracts';
import { ZONE_KINDS, type ZoneKind } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';

/** GET /zones?kind=&parentId=&limit=&cursor= */
export class ListZonesQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ZONE_KINDS)
  kind?: ZoneKind;

  @IsOptional()
  @IsEntityId()
  parentId?: string;
}
