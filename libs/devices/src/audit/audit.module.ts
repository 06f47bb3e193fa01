import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogEntity } from './audit-log.entity';
import { AuditLogService } from './audit-log.service';
import { AuditTrail } from './audit-trail';
import { AuditController } from './audit.controller';

/** The audit log's read API (GET /audit) and AuditTrail, which runs writes with their audit rows. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditLogEntity])],
  controllers: [AuditController],
  providers: [AuditLogService, AuditTrail],
  exports: [AuditTrail],
})
export class AuditModule {}
