import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';

/** `SEND /app/heartbeat` body (SPEC §4): liveness plus the device's own diagnosis. */
export const DEVICE_REPORTED_STATUSES = ['OK', 'DEGRADED', 'FAULT'] as const;
export type DeviceReportedStatus = (typeof DEVICE_REPORTED_STATUSES)[number];

export class ComponentStatusDto {
  @IsIn(DEVICE_REPORTED_STATUSES)
  status!: DeviceReportedStatus;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  code?: string;
}

export class HeartbeatDto {
  @IsInt()
  @Min(0)
  seq!: number;

  @IsIn(DEVICE_REPORTED_STATUSES)
  status!: DeviceReportedStatus;

  @IsOptional()
  @IsObject()
  @ValidateNested({ each: true })
  @Type(() => ComponentStatusDto)
  components?: Record<string, ComponentStatusDto>;

  @IsOptional()
  @IsNumber()
  @Min(0)
  uptimeS?: number;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  firmware?: string;
}
