import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, DeniedWriteAuditFilter } from '@landside/auth';
import { DispatchRequestDto, DomainError, DriverRegionDto } from '@landside/contracts';
import { DispatchService, type DispatchActor } from '../dispatch.service';
import type {
  CancelledTicketView,
  DestinationsView,
  MatchView,
  RegionView,
  StandView,
  TaxiBanView,
  TaxiRegistrationView,
  TaxiUnbanView,
  TicketView,
  TripView,
  ZoneDispatchView,
} from '../dispatch.views';
import {
  CancelTicketDto,
  CompleteTripDto,
  CreateStandDto,
  ListStandsQueryDto,
  RegisterTaxiDto,
  ReplaceDestinationsDto,
  TicketParamsDto,
  UpdateStandDto,
} from './dispatch.dto';
import { RequestActor } from './request-actor';

const DEFAULT_PAGE_SIZE = 100;

/**
 * Taxi dispatch over REST (SPEC §7, §8). ADMIN manages stands, taxis and destinations; OPERATOR
 * reads; a DISPATCH_KIOSK device (or an operator) asks for taxis; a DRIVER chooses its own region.
 * Pickup and trip end (SPEC is silent on how they are observed) come from the stand's kiosk, the
 * match's driver, or an operator; a waiting ticket is cancelled by the stand's kiosk or an operator.
 * Zone-scoped principals see and act on their zones' stands only.
 */
@ApiTags('dispatch')
@Controller('dispatch')
@UseFilters(DeniedWriteAuditFilter)
export class DispatchController {
  constructor(private readonly dispatch: DispatchService) {}

  @Get('stands')
  @Authenticated('OPERATOR', 'ADMIN')
  listStands(@RequestActor() actor: DispatchActor, @Query() query: ListStandsQueryDto): Promise<{ items: StandView[]; nextCursor: string | null }> {
    return this.dispatch.listStands(actor, query.limit ?? DEFAULT_PAGE_SIZE, decodeCursor(query.cursor)).then((page) => ({
      items: page.items,
      nextCursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor),
    }));
  }

  @Get('stands/:zoneId')
  @Authenticated('OPERATOR', 'ADMIN')
  getStand(@RequestActor() actor: DispatchActor, @Param('zoneId') zoneId: string): Promise<StandView> {
    return this.dispatch.getStand(actor, zoneId);
  }

  @Post('stands')
  @Authenticated('ADMIN')
  createStand(@RequestActor() actor: DispatchActor, @Body() body: CreateStandDto): Promise<StandView> {
    return this.dispatch.createStand(actor, body);
  }

  @Patch('stands/:zoneId')
  @Authenticated('ADMIN')
  updateStand(@RequestActor() actor: DispatchActor, @Param('zoneId') zoneId: string, @Body() body: UpdateStandDto): Promise<StandView> {
    return this.dispatch.updateStand(actor, zoneId, body);
  }

  @Post('taxis')
  @Authenticated('ADMIN')
  registerTaxi(@RequestActor() actor: DispatchActor, @Body() body: RegisterTaxiDto): Promise<TaxiRegistrationView & { created: boolean }> {
    return this.dispatch.registerTaxi(actor, body);
  }

  @Post('taxis/:plate/ban')
  @HttpCode(200)
  @Authenticated('ADMIN')
  banTaxi(@RequestActor() actor: DispatchActor, @Param('plate') plate: string): Promise<TaxiBanView> {
    return this.dispatch.banTaxi(actor, plate);
  }

  @Post('taxis/:plate/unban')
  @HttpCode(200)
  @Authenticated('ADMIN')
  unbanTaxi(@RequestActor() actor: DispatchActor, @Param('plate') plate: string): Promise<TaxiUnbanView> {
    return this.dispatch.unbanTaxi(actor, plate);
  }

  @Get('destinations')
  @Authenticated('OPERATOR', 'ADMIN')
  destinations(): Promise<DestinationsView> {
    return this.dispatch.destinations();
  }

  @Put('destinations')
  @Authenticated('ADMIN')
  replaceDestinations(@RequestActor() actor: DispatchActor, @Body() body: ReplaceDestinationsDto): Promise<DestinationsView> {
    return this.dispatch.replaceDestinations(
      actor,
      body.destinations.map((d) => ({ destination: d.name, region: d.region, ...(d.near === undefined ? {} : { near: d.near }) })),
    );
  }

  @Post('requests')
  @Authenticated('DEVICE', 'OPERATOR', 'ADMIN')
  request(@RequestActor() actor: DispatchActor, @Body() body: DispatchRequestDto): Promise<TicketView> {
    return this.dispatch.request(actor, body);
  }

  @Post('drivers/:plate/region')
  @HttpCode(200)
  @Authenticated('DRIVER', 'ADMIN')
  region(@RequestActor() actor: DispatchActor, @Param('plate') plate: string, @Body() body: DriverRegionDto): Promise<RegionView> {
    return this.dispatch.selectRegion(actor, plate, body.region, body.zoneId);
  }

  @Get('zones/:id')
  @Authenticated('OPERATOR', 'ADMIN')
  zone(@RequestActor() actor: DispatchActor, @Param('id') id: string): Promise<ZoneDispatchView> {
    return this.dispatch.zoneView(actor, id);
  }

  @Post('zones/:zoneId/tickets/:ticket/cancel')
  @HttpCode(200)
  @Authenticated('DEVICE', 'OPERATOR', 'ADMIN')
  cancelTicket(@RequestActor() actor: DispatchActor, @Param() params: TicketParamsDto, @Body() body: CancelTicketDto): Promise<CancelledTicketView> {
    return this.dispatch.cancelTicket(actor, params.zoneId, params.ticket, body.reason);
  }

  @Post('matches/:id/pickup')
  @HttpCode(200)
  @Authenticated('DEVICE', 'DRIVER', 'OPERATOR', 'ADMIN')
  pickup(@RequestActor() actor: DispatchActor, @Param('id') id: string): Promise<MatchView> {
    return this.dispatch.pickup(actor, id);
  }

  @Post('matches/:id/complete')
  @HttpCode(200)
  @Authenticated('DEVICE', 'DRIVER', 'OPERATOR', 'ADMIN')
  complete(@RequestActor() actor: DispatchActor, @Param('id') id: string, @Body() body: CompleteTripDto): Promise<TripView> {
    return this.dispatch.completeTrip(actor, id, body.distanceKm);
  }
}

function encodeCursor(zoneId: string): string {
  return Buffer.from(JSON.stringify([zoneId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  } catch {
    // not ours: refused below
  }
  throw new DomainError('invalid', 'cursor is not valid', { fields: { cursor: ['cursor is not valid'] } });
}
