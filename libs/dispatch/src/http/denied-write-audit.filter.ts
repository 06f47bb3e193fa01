import { Catch, HttpStatus, Injectable, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthHttpException } from '@landside/auth';
import type { Principal } from '@landside/contracts';
import { DispatchRepository } from '../dispatch.repository';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Audits dispatch writes refused by the role check (RolesGuard's 403): the guard runs before the
 * service, so the refusal is recorded here as `request.denied`, target `METHOD /path`, outcome
 * `denied` (as the registry does; dispatch does not import it). The response is the guard's own.
 */
@Catch(AuthHttpException)
@Injectable()
export class DispatchDeniedWriteFilter implements ExceptionFilter {
  private readonly logger = new Logger('Dispatch');

  constructor(private readonly repo: DispatchRepository) {}

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
    void this.repo
      .audit({
        actor: principal.sub,
        role: principal.role,
        action: 'request.denied',
        target: `${req.method} ${path}`,
        sourceAddress: req.ip ?? null,
        outcome: 'denied',
        details: { reason: error.message },
      })
      .catch((e: unknown) => this.logger.error(`could not audit a refused write: ${String(e)}`))
      .finally(respond);
  }
}
