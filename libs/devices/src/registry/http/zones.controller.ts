import { Body, Controller, Get, Param, Patch, Post, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter } from '@landside/auth';
import type { Principal, Page } from '@landside/contracts';
import { RequestActor, type Actor } from '../../audit/actor';
import { CreateZoneDto } from '../dto/create-zone.dto';
import { ListZonesQueryDto } from '../dto/list-zones.query';
import { UpdateZoneDto } from '../dto/update-zone.dto';
import type { ZoneView } from '../views/zone-view';
import { ZonesService } from '../zones.service';

@ApiTags('zones')
@Controller('zones')
@UseFilters(DeniedWriteAuditFilter)
export class ZonesController {
  constructor(private readonly zones: ZonesService) {}

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListZonesQueryDto): Promise<Page<ZoneView>> {
    return this.zones.list(principal, query);
  }

  @Post()
  @Authenticated('ADMIN')
  create(@RequestActor() actor: Actor, @Body() body: CreateZoneDto): Promise<ZoneView> {
    return this.zones.create(actor, body);
  }

  @Get(':id')
  @Authenticated('OPERATOR', 'ADMIN')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ZoneView> {
    return this.zones.get(principal, id);
  }

  @Patch(':id')
  @Authenticated('ADMIN')
  update(@RequestActor() actor: Actor, @Param('id') id: string, @Body() body: UpdateZoneDto): Promise<ZoneView> {
    return this.zones.update(actor, id, body);
  }
}
