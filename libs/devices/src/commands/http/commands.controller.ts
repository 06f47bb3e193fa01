import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, CurrentPrincipal } from '@landside/auth';
import { DomainError, type Principal, pageSize, type Page } from '@landside/contracts';
import { isUuid } from '../command.repository';
import { CommandService } from '../command.service';
import type { CommandView } from '../domain';
import { CancelCommandDto, IssueCommandBodyDto, ListCommandsQueryDto } from './command-http.dto';

/**
 * SPEC §8 commands: issue (201 created, 200 for an idempotent repeat), read, list (zone-scoped,
 * paginated), cancel (ADMIN). Thin: one call into CommandService each.
 */
@ApiTags('commands')
@Controller()
export class CommandsController {
  constructor(private readonly commands: CommandService) {}

  @Post('devices/:id/commands')
  @Authenticated('OPERATOR', 'ADMIN')
  async issue(
    @Param('id') deviceId: string,
    @Body() body: IssueCommandBodyDto,
    @CurrentPrincipal() principal: Principal,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandView> {
    const result = await this.commands.issue({ ...body, deviceId }, principal, ip);
    res.status(result.created ? 201 : 200);
    return result.command;
  }

  @Get('commands/:id')
  @Authenticated('OPERATOR', 'ADMIN')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<CommandView> {
    return this.commands.get(commandId(id), principal);
  }

  @Get('commands')
  @Authenticated('OPERATOR', 'ADMIN')
  list(@Query() query: ListCommandsQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<CommandView>> {
    return this.commands.list({ deviceId: query.deviceId, status: query.status, limit: pageSize(query), cursor: query.cursor }, principal);
  }

  @Post('commands/:id/cancel')
  @HttpCode(200)
  @Authenticated('ADMIN')
  cancel(@Param('id') id: string, @Body() body: CancelCommandDto, @CurrentPrincipal() principal: Principal, @Ip() ip: string): Promise<CommandView> {
    return this.commands.cancel(commandId(id), principal, ip, body.note);
  }
}

function commandId(id: string): string {
  if (!isUuid(id)) throw new DomainError('invalid', 'id is not a command id', { fields: { id: ['id must be a UUID'] } });
  return id;
}
