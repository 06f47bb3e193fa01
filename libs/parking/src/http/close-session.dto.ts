import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** `POST /api/parking/sessions/{id}/close` body, optional as a whole. */
export class CloseSessionDto {
  /** The PARK_EXIT lane the vehicle left by, when the operator knows it (a lane of their zones). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  exitLaneId?: string | null;

  /** Why the operator closes it: kept in the audit row. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string | null;
}
