import { Catch, HttpStatus, Injectable, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import type { Principal } from '@landside/contracts';
import { recordAudit } from '@landside/persistence';
import { AuthHttpException } from './auth-errors';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Audits writes refused by the role check (RolesGuard's 403, e.g. an operator POSTing a device):
 * the guard runs before any service, so the refusal is recorded here, in its own transaction, as
 * action `request.denied`, target `METHOD /path`, outcome `denied`, `details.reason`. The response
 * is the guard's own, unchanged, sent once the row is written (a failure to write it is logged).
 * Reads, 401s and unauthenticated requests are answered without a row.
 *
 * Shared by the domain controllers (registry, dispatch) with `@UseFilters(DeniedWriteAuditFilter)`:
 * Nest builds it in the controller's module, with the application's DataSource.
 */
@Catch(AuthHttpException)
@Injectable()
export class DeniedWriteAuditFilter implements ExceptionFilter {
  private readonly logger = new Logger(DeniedWriteAuditFilter.name);

  constructor(private readonly dataSource: DataSource) {}

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
    void this.dataSource
      .transaction((em) =>
        recordAudit(em, {
          actor: principal.sub,
          role: principal.role,
          action: 'request.denied',
          target: `${req.method} ${path}`,
          sourceAddress: req.ip ?? null,
          outcome: 'denied',
          details: { reason: error.message },
        }),
      )
      .catch((e: unknown) => this.logger.error(`could not audit refused request.denied: ${e instanceof Error ? e.message : String(e)}`))
      .finally(respond);
  }
}
