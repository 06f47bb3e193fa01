import { IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '@landside/contracts';

/** GET /audit filters: exact actor, action, target, outcome; `from` inclusive, `to` exclusive. */
export class AuditQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  actor?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  action?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  target?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  outcome?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
