import { IsIn, IsInt, IsNumber, IsOptional, IsString, MaxLength, Min, registerDecorator, type ValidationOptions } from 'class-validator';
import { constraint, plainValidator, type FieldRules } from '../plain-validation';

/** `SEND /app/heartbeat` body (SPEC §4): liveness plus the device's own diagnosis. */
export const DEVICE_REPORTED_STATUSES = ['OK', 'DEGRADED', 'FAULT'] as const;
export type DeviceReportedStatus = (typeof DEVICE_REPORTED_STATUSES)[number];

export interface ComponentStatus {
  status: DeviceReportedStatus;
  code?: string;
}

const MAX_COMPONENTS = 32;

/** `components`: a map of component name -> {status, code?}; class-validator has no map-of-DTO. */
function isComponentMap(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_COMPONENTS) return false;
  return entries.every(([name, c]) => {
    if (name.length === 0 || name.length > 64 || c === null || typeof c !== 'object' || Array.isArray(c)) return false;
    const { status, code, ...rest } = c as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return false;
    if (!(DEVICE_REPORTED_STATUSES as readonly unknown[]).includes(status)) return false;
    return code === undefined || (typeof code === 'string' && code.length <= 64);
  });
}

const componentMapMessage = (property: string): string =>
  `${property} must map up to ${MAX_COMPONENTS} component names to {"status":"OK"|"DEGRADED"|"FAULT","code"?:string(<=64)}`;

function IsComponentMap(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isComponentMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (args) => componentMapMessage(args.property), ...options },
      validator: { validate: isComponentMap },
    });
}

/** The decorators below as data, for HeartbeatDto.check (see plain-validation.ts). */
const HEARTBEAT_RULES: FieldRules<HeartbeatDto> = {
  seq: { constraints: [constraint.min(0), constraint.isInt] },
  status: { constraints: [constraint.isIn(DEVICE_REPORTED_STATUSES)] },
  components: { optional: true, constraints: [constraint.custom(isComponentMap, componentMapMessage)] },
  uptimeS: { optional: true, constraints: [constraint.min(0), constraint.isNumber()] },
  firmware: { optional: true, constraints: [constraint.maxLength(64), constraint.isString] },
};

export class HeartbeatDto {
  /** Same verdict and messages as the decorators, without class-transformer/class-validator. */
  static readonly check = plainValidator(HeartbeatDto, HEARTBEAT_RULES);

  @IsInt()
  @Min(0)
  seq!: number;

  @IsIn(DEVICE_REPORTED_STATUSES)
  status!: DeviceReportedStatus;

  @IsOptional()
  @IsComponentMap()
  components?: Record<string, ComponentStatus>;

  @IsOptional()
  @IsNumber()
  @Min(0)
  uptimeS?: number;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  firmware?: string;
}
