import { Body, Controller, Get, HttpCode, HttpStatus, Put, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, DeniedWriteAuditFilter } from '@landside/auth';
import type { Principal } from '@landside/contracts';
import { RequestActor, type Actor } from '../../audit/actor';
import type { TopologyApplyResult, TopologyExport } from '../topology/topology-document';
import { TopologyService } from '../topology/topology.service';

/**
 * PUT /topology (unscoped admins) and GET /topology (unscoped operators and admins). The body is
 * checked by the topology parser, not the validation pipe, so every error is reported by its
 * JSON path (`400 {error: 'invalid-topology', errors: [{path, message}]}`).
 */
@ApiTags('topology')
@Controller('topology')
@UseFilters(DeniedWriteAuditFilter)
export class TopologyController {
  constructor(private readonly topology: TopologyService) {}

  @Put()
  @HttpCode(HttpStatus.OK)
  @Authenticated('ADMIN')
  apply(@RequestActor() actor: Actor, @Body() document: unknown): Promise<TopologyApplyResult> {
    return this.topology.apply(actor, document);
  }

  @Get()
  @Authenticated('OPERATOR', 'ADMIN')
  export(@CurrentPrincipal() principal: Principal): Promise<TopologyExport> {
    return this.topology.export(principal);
  }
}
