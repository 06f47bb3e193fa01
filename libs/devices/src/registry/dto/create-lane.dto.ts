import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { LANE_KINDS, MAX_NAME_LENGTH, type LaneKind } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';

/** POST /lanes */
export class CreateLaneDto {
  @IsEntityId()
  id!: string;

  @IsEntityId()
  zoneId!: string;

  @IsIn(LANE_KINDS)
  kind!: LaneKind;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string | null;
}
