import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '@landside/auth';
import type { Principal, Page } from '@landside/contracts';
import { AuditLogService } from './audit-log.service';
import { AuditQueryDto } from './audit-query.dto';
import type { AuditView } from './audit-view';

/** GET /audit (SPEC §8): admins only, newest first, filtered and paginated. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @Authenticated('ADMIN')
  list(@CurrentPrincipal() principal: Principal, @Query() query: AuditQueryDto): Promise<Page<AuditView>> {
    return this.audit.list(principal, query);
  }
}
