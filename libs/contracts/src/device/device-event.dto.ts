import { IsBoolean, IsIn, IsISO8601, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';

/**
 * `SEND /app/events` body (SPEC §4). One class for every event type: `type` picks which fields
 * are required, so a PLATE_READ without a plate is a validation error naming `plate`.
 */
export const DEVICE_EVENT_TYPES = ['PLATE_READ', 'VEHICLE_DETECTED', 'GATE_STATE', 'BAY_OCCUPANCY', 'PAYMENT'] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];
export const GATE_STATES = ['OPEN', 'CLOSED', 'FAULT'] as const;
export const PAYMENT_METHODS = ['CARD', 'CASH'] as const;

const is = (...types: DeviceEventType[]) => (o: DeviceEventDto) => types.includes(o.type);

export class DeviceEventDto {
  @IsIn(DEVICE_EVENT_TYPES)
  type!: DeviceEventType;

  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;

  @ValidateIf(is('PLATE_READ'))
  @IsString()
  @MinLength(1)
  @MaxLength(16)
  plate?: string;

  @ValidateIf(is('PLATE_READ'))
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence?: number;

  @ValidateIf((o: DeviceEventDto) => o.type === 'VEHICLE_DETECTED' || o.laneId !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  laneId?: string;

  @ValidateIf(is('GATE_STATE'))
  @IsIn(GATE_STATES)
  state?: (typeof GATE_STATES)[number];

  @ValidateIf(is('BAY_OCCUPANCY'))
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  bayId?: string;

  @ValidateIf(is('BAY_OCCUPANCY'))
  @IsBoolean()
  occupied?: boolean;

  @ValidateIf(is('PAYMENT'))
  @IsNumber()
  @Min(0)
  amount?: number;

  @ValidateIf(is('PAYMENT'))
  @IsIn(PAYMENT_METHODS)
  method?: (typeof PAYMENT_METHODS)[number];

  @ValidateIf(is('PAYMENT'))
  @IsBoolean()
  ok?: boolean;
}
