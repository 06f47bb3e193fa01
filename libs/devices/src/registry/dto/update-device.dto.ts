import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { HEARTBEAT_INTERVAL_RANGE_S, MAX_NAME_LENGTH, MISS_TOLERANCE_RANGE } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';
import type { JsonObject } from '../json';

/**
 * PATCH /devices/{id}: only the fields given change. `null` clears `parentId` and `laneId`, and
 * resets `heartbeatIntervalS` / `missTolerance` to the type's default; `config` is replaced whole.
 */
export class UpdateDeviceDto {
  @ValidateIf((o: UpdateDeviceDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_NAME_LENGTH)
  name?: string;

  @ValidateIf((o: UpdateDeviceDto) => o.maintenance !== undefined)
  @IsBoolean()
  maintenance?: boolean;

  @ValidateIf((o: UpdateDeviceDto) => o.config !== undefined)
  @IsObject()
  config?: JsonObject;

  @IsOptional()
  @IsEntityId()
  parentId?: string | null;

  @IsOptional()
  @IsEntityId()
  laneId?: string | null;

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
}
