import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { DEVICE_TYPES, type DeviceType } from '@landside/contracts';
import { HEARTBEAT_INTERVAL_RANGE_S, MAX_NAME_LENGTH, MISS_TOLERANCE_RANGE } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';
import type { JsonObject } from '../json';

/** POST /devices (SPEC §9). `id` is generated when absent. */
export class CreateDeviceDto {
  @IsOptional()
  @IsEntityId()
  id?: string | null;

  @IsIn(DEVICE_TYPES)
  type!: DeviceType;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsEntityId()
  zoneId!: string;

  @IsOptional()
  @IsEntityId()
  laneId?: string | null;

  @IsOptional()
  @IsEntityId()
  parentId?: string | null;

  @IsOptional()
  @IsInt()
  @Min(HEARTBEAT_INTERVAL_RANGE_S.min)
  @Max(HEARTBEAT_INTERVAL_RANGE_S.max)
  heartbeatIntervalS?: number | null;

  @IsOptional()
  @IsInt()
  @Min(MISS_TOLERANCE_RANGE.min)
  @Max(MISS_TOLERANCE_RANGE.max)
  missTolerance?: number | null;

  @IsOptional()
  @IsBoolean()
  maintenance?: boolean | null;

  @IsOptional()
  @IsObject()
  config?: JsonObject | null;
}
