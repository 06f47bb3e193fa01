import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter } from '@landside/auth';
import { type Principal, PageQueryDto, type Page } from '@landside/contracts';
import { RequestActor, type Actor } from '../../audit/actor';
import { DevicesService, type RotatedSecret } from '../devices.service';
import { CreateDeviceDto } from '../dto/create-device.dto';
import { ListDevicesQueryDto } from '../dto/list-devices.query';
import { UpdateDeviceDto } from '../dto/update-device.dto';
import type { DeviceView, DeviceWithSecret } from '../views/device-view';
import type { TransitionView } from '../views/transition-view';

/** SPEC §8/§9 devices: operators and admins read, admins write; zone-scoped. */
@ApiTags('devices')
@Controller('devices')
@UseFilters(DeniedWriteAuditFilter)
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListDevicesQueryDto): Promise<Page<DeviceView>> {
    return this.devices.list(principal, query);
  }

  @Post()
  @Authenticated('ADMIN')
  create(@RequestActor() actor: Actor, @Body() body: CreateDeviceDto): Promise<DeviceWithSecret> {
    return this.devices.create(actor, body);
  }

  @Get(':id')
  @Authenticated('OPERATOR', 'ADMIN')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeviceView> {
    return this.devices.get(principal, id);
  }

  @Patch(':id')
  @Authenticated('ADMIN')
  update(@RequestActor() actor: Actor, @Param('id') id: string, @Body() body: UpdateDeviceDto): Promise<DeviceView> {
    return this.devices.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated('ADMIN')
  remove(@RequestActor() actor: Actor, @Param('id') id: string): Promise<void> {
    return this.devices.remove(actor, id);
  }

  @Post(':id/secret')
  @HttpCode(HttpStatus.OK)
  @Authenticated('ADMIN')
  rotateSecret(@RequestActor() actor: Actor, @Param('id') id: string): Promise<RotatedSecret> {
    return this.devices.rotateSecret(actor, id);
  }

  @Get(':id/history')
  @Authenticated('OPERATOR', 'ADMIN')
  history(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: PageQueryDto): Promise<Page<TransitionView>> {
    return this.devices.history(principal, id, query);
  }
}
