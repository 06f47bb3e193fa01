import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter, principalSeesZone } from '@landside/auth';
import { DomainError, type Principal, type Page } from '@landside/contracts';
import { isReadablePlate, normalizePlate } from '../domain';
import { ParkingService } from '../parking.service';
import { CloseSessionDto } from './close-session.dto';
import { isSessionId, ParkingQueries, type ParkingExceptionView, type SessionView } from './parking-queries';
import { toVehicleLocationView, toZoneOccupancyView, type VehicleLocationView, type ZoneOccupancyResponse } from './parking.views';
import { SessionsQueryDto } from './sessions.query';

const MAX_PLATE_LENGTH = 32;

/** `GET /api/zones/{id}/occupancy` (SPEC §8): live counts from memory, zone-scoped like every registry read. */
@ApiTags('parking')
@Controller('zones')
export class ZoneOccupancyController {
  constructor(private readonly parking: ParkingService) {}

  @Get(':id/occupancy')
  @Authenticated('OPERATOR', 'ADMIN')
  async occupancy(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ZoneOccupancyResponse> {
    // Out of scope answers like a missing zone: a scoped operator learns nothing about other zones.
    if (!principalSeesZone(principal, id)) throw zoneNotFound(id);
    await this.parking.applied();
    const found = this.parking.zoneOccupancy(id);
    if (!found) throw zoneNotFound(id);
    return { ...toZoneOccupancyView(found.zone), levels: found.levels.map(toZoneOccupancyView) };
  }
}

/**
 * Find-my-car (payment kiosks, operators, admins), the parking session log and an operator's
 * close of a session (operators, admins; zone-scoped like the log).
 */
@ApiTags('parking')
@Controller('parking')
export class ParkingController {
  constructor(
    private readonly parking: ParkingService,
    private readonly queries: ParkingQueries,
  ) {}

  @Get('vehicles/:plate')
  @Authenticated('DEVICE', 'OPERATOR', 'ADMIN')
  async vehicle(@CurrentPrincipal() principal: Principal, @Param('plate') plate: string): Promise<VehicleLocationView> {
    if (principal.role === 'DEVICE' && principal.deviceType !== 'PAYMENT_KIOSK') {
      throw new DomainError('forbidden', 'only a PAYMENT_KIOSK device may look up a vehicle');
    }
    if (plate.length > MAX_PLATE_LENGTH || !isReadablePlate(normalizePlate(plate))) {
      const message = `plate must have 1 to ${MAX_PLATE_LENGTH} characters to match on`;
      throw new DomainError('invalid', message, { fields: { plate: [message] } });
    }
    await this.parking.applied();
    const location = this.parking.locate(plate);
    // A kiosk serves the whole airport; a zone-scoped operator sees cars in its zones only.
    const visible =
      location !== undefined &&
      (principal.role === 'DEVICE' || [location.zoneId, location.levelId, location.carParkId].some((z) => z !== undefined && principalSeesZone(principal, z)));
    if (!location || !visible) throw new DomainError('not-found', `no parked vehicle with plate ${normalizePlate(plate)} is known`);
    return toVehicleLocationView(location);
  }

  @Get('sessions')
  @Authenticated('OPERATOR', 'ADMIN')
  async sessions(@CurrentPrincipal() principal: Principal, @Query() query: SessionsQueryDto): Promise<Page<SessionView> | Page<ParkingExceptionView>> {
    await this.parking.settled();
    return query.exceptions === 'true' ? this.queries.exceptions(query, principal.zones) : this.queries.sessions(query, principal.zones);
  }

  /**
   * An operator ends a session (a flagged or stuck one): 200 with the closed session. Audited as
   * `parking.session-closed` with the change; out of scope answers 404 like an unknown session;
   * 409 when already closed; a refused role (403) is audited as `request.denied`.
   */
  @Post('sessions/:id/close')
  @HttpCode(200)
  @Authenticated('OPERATOR', 'ADMIN')
  @UseFilters(DeniedWriteAuditFilter)
  @ApiBody({ type: CloseSessionDto, required: false })
  async close(@CurrentPrincipal() principal: Principal, @Ip() ip: string, @Param('id') id: string, @Body() body: CloseSessionDto): Promise<SessionView> {
    if (!isSessionId(id)) throw new DomainError('invalid', 'id is not a parking session id', { fields: { id: ['id must be a UUID'] } });
    await this.parking.closeByOperator(
      id,
      { ...(body.exitLaneId != null ? { exitLaneId: body.exitLaneId } : {}), ...(body.note != null ? { note: body.note } : {}) },
      { principal, sourceAddress: ip ?? null },
    );
    const closed = await this.queries.session(id);
    if (!closed) throw new DomainError('not-found', `no parking session ${id}`);
    return closed;
  }
}

function zoneNotFound(id: string): DomainError {
  return new DomainError('not-found', `zone '${id}' not found`);
}
