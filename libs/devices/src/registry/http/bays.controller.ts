import { Body, Controller, Get, Post, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter } from '@landside/auth';
import type { Principal, Page } from '@landside/contracts';
import { RequestActor, type Actor } from '../../audit/actor';
import { BaysService } from '../bays.service';
import { CreateBayDto } from '../dto/create-bay.dto';
import { ZoneFilterQueryDto } from '../dto/zone-filter.query';
import type { BayView } from '../views/bay-view';

@ApiTags('bays')
@Controller('bays')
@UseFilters(DeniedWriteAuditFilter)
export class BaysController {
  constructor(private readonly bays: BaysService) {}

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ZoneFilterQueryDto): Promise<Page<BayView>> {
    return this.bays.list(principal, query);
  }

  @Post()
  @Authenticated('ADMIN')
  create(@RequestActor() actor: Actor, @Body() body: CreateBayDto): Promise<BayView> {
    return this.bays.create(actor, body);
  }
}
