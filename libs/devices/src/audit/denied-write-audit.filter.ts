import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthHttpException } from '@landside/auth';
import type { Principal } from '@landside/contracts';
import { AuditTrail } from './audit-trail';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Audits writes refused by the role check (RolesGuard's 403, e.g. an operator POSTing a device):
 * the guard runs before any service, so the refusal is recorded here as action `request.denied`,
 * target `METHOD /path`, outcome `denied`. The response is the guard's own, unchanged.
 */
@Catch(AuthHttpException)
export class DeniedWriteAuditFilter implements ExceptionFilter {
  constructor(private readonly audit: AuditTrail) {}

  catch(error: AuthHttpException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const respond = (): void => {
      res.status(error.getStatus()).json(error.getResponse());
    };
    const principal = req.user as Principal | undefined;
    if (error.getStatus() !== (HttpStatus.FORBIDDEN as number) || principal === undefined || READS.has(req.method)) {
      respond();
      return;
    }
    const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
    void this.audit
      .recordRefusal({ principal, sourceAddress: req.ip ?? null }, 'request.denied', `${req.method} ${path}`, 'denied', {
        reason: error.message,
      })
      .finally(respond);
  }
}
