import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { COMMAND_TYPES, type CommandType } from '@landside/contracts';
import { FAILBACK_MODES, MAX_FAILOVER_MEMBERS, type FailbackMode } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';
import type { JsonObject } from '../json';

export class FallbackCommandDto {
  @IsIn(COMMAND_TYPES)
  type!: CommandType;

  @IsOptional()
  @IsObject()
  params?: JsonObject;
}

/** POST /failover-groups (SPEC §5): members are devices of the group's zone, in priority order. */
export class CreateFailoverGroupDto {
  @IsEntityId()
  id!: string;

  @IsEntityId()
  zoneId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_FAILOVER_MEMBERS)
  @ArrayUnique()
  @IsEntityId({ each: true })
  members!: string[];

  @IsOptional()
  @IsIn(FAILBACK_MODES)
  failback?: FailbackMode;

  @IsOptional()
  @ValidateNested()
  @Type(() => FallbackCommandDto)
  fallbackCommand?: FallbackCommandDto | null;
}
