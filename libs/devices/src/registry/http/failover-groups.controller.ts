import { Body, Controller, Get, Post, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter } from '@landside/auth';
import type { Principal, Page } from '@landside/contracts';
import { RequestActor, type Actor } from '../../audit/actor';
import { CreateFailoverGroupDto } from '../dto/create-failover-group.dto';
import { ZoneFilterQueryDto } from '../dto/zone-filter.query';
import { FailoverGroupsService } from '../failover-groups.service';
import type { FailoverGroupView } from '../views/failover-group-view';

@ApiTags('failover-groups')
@Controller('failover-groups')
@UseFilters(DeniedWriteAuditFilter)
export class FailoverGroupsController {
  constructor(private readonly groups: FailoverGroupsService) {}

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ZoneFilterQueryDto): Promise<Page<FailoverGroupView>> {
    return this.groups.list(principal, query);
  }

  @Post()
  @Authenticated('ADMIN')
  create(@RequestActor() actor: Actor, @Body() body: CreateFailoverGroupDto): Promise<FailoverGroupView> {
    return this.groups.create(actor, body);
  }
}
