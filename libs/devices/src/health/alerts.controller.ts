import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { Authenticated, CurrentPrincipal } from '@landside/auth';
import { type Principal, PageQueryDto, type Page } from '@landside/contracts';
import { AlertsService } from './alerts.service';
import type { AlertView } from './health.topics';

class AlertListQuery extends PageQueryDto {
  @IsOptional()
  @IsIn(['OPEN', 'ACKNOWLEDGED', 'RESOLVED'])
  state?: 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';

  @IsOptional()
  @IsString()
  @MaxLength(64)
  deviceId?: string;
}

class AcknowledgeDto {
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  note!: string;
}

/** SPEC §8: `GET /alerts?state=`, `POST /alerts/{id}/ack` (operators, with a note), `POST /alerts/{id}/resolve` (admins). */
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  list(@Query() query: AlertListQuery, @CurrentPrincipal() principal: Principal): Promise<Page<AlertView>> {
    return this.alerts.list(query, principal);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Authenticated('OPERATOR', 'ADMIN')
  acknowledge(@Param('id', ParseUUIDPipe) id: string, @Body() body: AcknowledgeDto, @CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<AlertView> {
    return this.alerts.acknowledge(id, body.note, principal, req.ip);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Authenticated('ADMIN')
  resolve(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<AlertView> {
    return this.alerts.resolve(id, principal, req.ip);
  }
}
