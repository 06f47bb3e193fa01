import { IsBoolean, IsIn, IsISO8601, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { constraint, plainValidator, type FieldRules } from '../plain-validation';

/**
 * `SEND /app/events` body (SPEC §4). One class for every event type: `type` picks which fields
 * are required, so a PLATE_READ without a plate is a validation error naming `plate`.
 */
export const DEVICE_EVENT_TYPES = ['PLATE_READ', 'VEHICLE_DETECTED', 'GATE_STATE', 'BAY_OCCUPANCY', 'PAYMENT'] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];
export const GATE_STATES = ['OPEN', 'CLOSED', 'FAULT'] as const;
export const PAYMENT_METHODS = ['CARD', 'CASH'] as const;

const is = (...types: DeviceEventType[]) => (o: DeviceEventDto) => types.includes(o.type);
// Shared by the decorators and the rules, so both check a field under the same condition.
const plateRead = is('PLATE_READ');
const laneGiven = (o: DeviceEventDto): boolean => o.type === 'VEHICLE_DETECTED' || o.laneId !== undefined;
const gateState = is('GATE_STATE');
const bayOccupancy = is('BAY_OCCUPANCY');
const payment = is('PAYMENT');

/** The decorators below as data, for DeviceEventDto.check (see plain-validation.ts). */
const DEVICE_EVENT_RULES: FieldRules<DeviceEventDto> = {
  type: { constraints: [constraint.isIn(DEVICE_EVENT_TYPES)] },
  at: { optional: true, constraints: [constraint.isISO8601({ strict: true })] },
  plate: { when: plateRead, constraints: [constraint.maxLength(16), constraint.minLength(1), constraint.isString] },
  confidence: { when: plateRead, constraints: [constraint.max(1), constraint.min(0), constraint.isNumber()] },
  laneId: { when: laneGiven, constraints: [constraint.maxLength(64), constraint.minLength(1), constraint.isString] },
  state: { when: gateState, constraints: [constraint.isIn(GATE_STATES)] },
  bayId: { when: bayOccupancy, constraints: [constraint.maxLength(64), constraint.minLength(1), constraint.isString] },
  occupied: { when: bayOccupancy, constraints: [constraint.isBoolean] },
  amount: { when: payment, constraints: [constraint.min(0), constraint.isNumber()] },
  method: { when: payment, constraints: [constraint.isIn(PAYMENT_METHODS)] },
  ok: { when: payment, constraints: [constraint.isBoolean] },
};

export class DeviceEventDto {
  /** Same verdict and messages as the decorators, without class-transformer/class-validator. */
  static readonly check = plainValidator(DeviceEventDto, DEVICE_EVENT_RULES);

  @IsIn(DEVICE_EVENT_TYPES)
  type!: DeviceEventType;

  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;

  @ValidateIf(plateRead)
  @IsString()
  @MinLength(1)
  @MaxLength(16)
  plate?: string;

  @ValidateIf(plateRead)
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence?: number;

  @ValidateIf(laneGiven)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  laneId?: string;

  @ValidateIf(gateState)
  @IsIn(GATE_STATES)
  state?: (typeof GATE_STATES)[number];

  @ValidateIf(bayOccupancy)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  bayId?: string;

  @ValidateIf(bayOccupancy)
  @IsBoolean()
  occupied?: boolean;

  @ValidateIf(payment)
  @IsNumber()
  @Min(0)
  amount?: number;

  @ValidateIf(payment)
  @IsIn(PAYMENT_METHODS)
  method?: (typeof PAYMENT_METHODS)[number];

  @ValidateIf(payment)
  @IsBoolean()
  ok?: boolean;
}
