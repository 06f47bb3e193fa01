import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_NAME_LENGTH, ZONE_KINDS, type ZoneKind } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';

/** POST /zones */
export class CreateZoneDto {
  @IsEntityId()
  id!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsIn(ZONE_KINDS)
  kind!: ZoneKind;

  @IsOptional()
  @IsEntityId()
  parentId?: string | null;
}
