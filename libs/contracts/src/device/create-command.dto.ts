import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Command types (SPEC §6). Which device types accept which command is the command service's table. */
export const COMMAND_TYPES = [
  'OPEN_GATE',
  'CLOSE_GATE',
  'LOCK_OPEN',
  'LOCK_CLOSED',
  'TICKET_MODE',
  'REBOOT',
  'DISPLAY_MESSAGE',
  'SET_OUT_OF_SERVICE',
  'ACTIVATE',
  'DEACTIVATE',
  'RESYNC',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** `SEND /app/commands` and `POST /api/devices/{id}/commands` body (SPEC §4, §6). */
export class CreateCommandDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  deviceId!: string;

  @IsIn(COMMAND_TYPES)
  type!: CommandType;

  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  ttlS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  idempotencyKey?: string;
}
