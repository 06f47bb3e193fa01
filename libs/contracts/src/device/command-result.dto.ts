import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { constraint, plainValidator, type FieldRules } from '../plain-validation';

/** `SEND /app/command-results` body (SPEC §4): what became of a command the device received. */
export const COMMAND_OUTCOMES = ['SUCCEEDED', 'FAILED', 'REJECTED'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/** The decorators below as data, for CommandResultDto.check (see plain-validation.ts). */
const COMMAND_RESULT_RULES: FieldRules<CommandResultDto> = {
  commandId: { constraints: [constraint.maxLength(64), constraint.minLength(1), constraint.isString] },
  outcome: { constraints: [constraint.isIn(COMMAND_OUTCOMES)] },
  detail: { optional: true, constraints: [constraint.maxLength(1024), constraint.isString] },
};

export class CommandResultDto {
  /** Same verdict and messages as the decorators, without class-transformer/class-validator. */
  static readonly check = plainValidator(CommandResultDto, COMMAND_RESULT_RULES);

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
