import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '@landside/contracts';

export const SESSION_STATES = ['open', 'closed'] as const;

/** `GET /api/parking/sessions?plate=&state=open|closed&exceptions=true&limit=&cursor=` */
export class SessionsQueryDto extends PageQueryDto {
  /** Matched after plate normalization (`12가 3456` = `12가3456`). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  plate?: string;

  @IsOptional()
  @IsIn(SESSION_STATES)
  state?: (typeof SESSION_STATES)[number];

  /** `true`: the flagged reads and exceptions instead of the sessions. */
  @IsOptional()
  @IsIn(['true', 'false'])
  exceptions?: 'true' | 'false';
}
