import { OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CreateCommandDto, PageQueryDto } from '@landside/contracts';
import { COMMAND_STATUSES, type CommandStatus } from '../domain';

/** `POST /api/devices/{id}/commands` body: the command request without the device (it is in the path). */
export class IssueCommandBodyDto extends OmitType(CreateCommandDto, ['deviceId'] as const) {}

/** `GET /api/commands?deviceId=&status=&limit=&cursor=` */
export class ListCommandsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  deviceId?: string;

  @IsOptional()
  @IsIn(COMMAND_STATUSES)
  status?: CommandStatus;
}

/** `POST /api/commands/{id}/cancel` body (optional). */
export class CancelCommandDto {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  note?: string;
}
