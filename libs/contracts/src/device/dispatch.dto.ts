import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Taxi classes kept apart in every dispatch queue (SPEC §7). */
export const TAXI_CLASSES = ['STANDARD', 'LARGE', 'PREMIUM', 'ACCESSIBLE'] as const;

/** `SEND /app/dispatch/requests` (dispatch kiosks) and `POST /api/dispatch/requests`. */
export class DispatchRequestDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  destination!: string;

  @IsInt()
  @Min(1)
  @Max(8)
  partySize!: number;

  @IsIn(TAXI_CLASSES)
  vehicleClass!: (typeof TAXI_CLASSES)[number];

  /** The stand; a kiosk may omit it when its device zone names the stand. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  zoneId?: string;
}

/** `SEND /app/dispatch/region` (drivers) and `POST /api/dispatch/drivers/{plate}/region`. */
export class DriverRegionDto {
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  region!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  zoneId?: string;
}

/** What the gateway hands dispatch for a STOMP request (bus `dispatch.request-received`). */
export interface DispatchRequestReceived {
  readonly request: DispatchRequestDto;
  readonly requestedBy: { readonly sub: string; readonly role: string; readonly deviceType?: string; readonly zones?: readonly string[] };
  readonly replyTo: { readonly user: string; readonly correlationId?: string };
  readonly receivedAt: number;
}

/** A driver's region choice from STOMP (bus `dispatch.region-selected`); the plate is the driver's `sub`. */
export interface DriverRegionReceived {
  readonly plate: string;
  readonly selection: DriverRegionDto;
  readonly replyTo: { readonly user: string; readonly correlationId?: string };
  readonly receivedAt: number;
}

export const DISPATCH_CHANNELS = {
  requestReceived: 'dispatch.request-received',
  regionSelected: 'dispatch.region-selected',
} as const;
