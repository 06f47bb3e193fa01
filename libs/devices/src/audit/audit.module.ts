import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogEntity } from './audit-log.entity';
import { AuditLogService } from './audit-log.service';
import { AuditTrail } from './audit-trail';
import { AuditController } from './audit.controller';
import { DeniedWriteAuditFilter } from './denied-write-audit.filter';

/** The audit log's read API (GET /audit) and AuditTrail, which runs writes with their audit rows. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditLogEntity])],
  controllers: [AuditController],
  providers: [AuditLogService, AuditTrail, DeniedWriteAuditFilter],
  exports: [AuditTrail, DeniedWriteAuditFilter],
})
export class AuditModule {}
