import { Body, Controller, Get, Post, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter } from '@landside/auth';
import type { Principal, Page } from '@landside/contracts';
import { RequestActor, type Actor } from '../../audit/actor';
import { CreateLaneDto } from '../dto/create-lane.dto';
import { ZoneFilterQueryDto } from '../dto/zone-filter.query';
import { LanesService } from '../lanes.service';
import type { LaneView } from '../views/lane-view';

@ApiTags('lanes')
@Controller('lanes')
@UseFilters(DeniedWriteAuditFilter)
export class LanesController {
  constructor(private readonly lanes: LanesService) {}

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ZoneFilterQueryDto): Promise<Page<LaneView>> {
    return this.lanes.list(principal, query);
  }

  @Post()
  @Authenticated('ADMIN')
  create(@RequestActor() actor: Actor, @Body() body: CreateLaneDto): Promise<LaneView> {
    return this.lanes.create(actor, body);
  }
}
