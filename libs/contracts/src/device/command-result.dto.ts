import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** `SEND /app/command-results` body (SPEC §4): what became of a command the device received. */
export const COMMAND_OUTCOMES = ['SUCCEEDED', 'FAILED', 'REJECTED'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

export class CommandResultDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  commandId!: string;

  @IsIn(COMMAND_OUTCOMES)
  outcome!: CommandOutcome;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  detail?: string;
}
