import { PageQueryDto } from '@landside/contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { DISPATCH_MODES, VEHICLE_CLASSES, type DispatchMode, type VehicleClass } from '../domain';

const MAX_REGIONS = 32;
const MAX_REGION_LENGTH = 32;

/** `POST /dispatch/stands` (SPEC §8). `nearQueue` defaults to false, `priorityWindowMin` to 90. */
export class CreateStandDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  zoneId!: string;

  @IsIn(DISPATCH_MODES)
  mode!: DispatchMode;

  @IsArray()
  @ArrayMaxSize(MAX_REGIONS)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(MAX_REGION_LENGTH, { each: true })
  regions!: string[];

  @IsInt()
  @Min(1)
  @Max(100)
  curbTarget!: number;

  @IsOptional()
  @IsBoolean()
  nearQueue?: boolean;

  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(7 * 24 * 60)
  priorityWindowMin?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1000)
  nearDistanceKm?: number;
}

/** `PATCH /dispatch/stands/{zoneId}`: any subset; a mode switch keeps everyone's place; `nearDistanceKm: null` removes it. */
export class UpdateStandDto {
  @IsOptional()
  @IsIn(DISPATCH_MODES)
  mode?: DispatchMode;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REGIONS)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(MAX_REGION_LENGTH, { each: true })
  regions?: string[];

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  curbTarget?: number;

  @IsOptional()
  @IsBoolean()
  nearQueue?: boolean;

  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(7 * 24 * 60)
  priorityWindowMin?: number;

  @ValidateIf((o: UpdateStandDto) => o.nearDistanceKm !== null && o.nearDistanceKm !== undefined)
  @IsNumber()
  @Min(0)
  @Max(1000)
  nearDistanceKm?: number | null;
}

/** `POST /dispatch/taxis`: registers or updates a taxi. */
export class RegisterTaxiDto {
  @IsString()
  @MinLength(1)
  @MaxLength(16)
  plate!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REGION_LENGTH)
  licenceRegion!: string;

  @IsIn(VEHICLE_CLASSES)
  vehicleClass!: VehicleClass;
}

export class DestinationEntryDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REGION_LENGTH)
  region!: string;

  @IsOptional()
  @IsBoolean()
  near?: boolean;
}

/** `PUT /dispatch/destinations`: the whole destination -> region table. */
export class ReplaceDestinationsDto {
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => DestinationEntryDto)
  destinations!: DestinationEntryDto[];
}

/** `POST /dispatch/matches/{id}/complete`. */
export class CompleteTripDto {
  @IsNumber()
  @Min(0)
  @Max(10_000)
  distanceKm!: number;
}

/** Path of `POST /dispatch/zones/{zoneId}/tickets/{ticket}/cancel`: a ticket is unique within its stand. */
export class TicketParamsDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  zoneId!: string;

  /** As issued (`A0001`, prefix + number): letters, digits, `-` and `_`, compared exactly. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'ticket must be 1 to 32 letters, digits, - or _' })
  ticket!: string;
}

/** Body of the ticket cancel: optional, the reason is kept in the audit row. */
export class CancelTicketDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reason?: string;
}

/** `GET /dispatch/stands?limit=&cursor=` (SPEC §8: limit ≤ 500, cursor): the shared page query. */
export class ListStandsQueryDto extends PageQueryDto {}
