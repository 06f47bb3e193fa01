import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '@landside/contracts';

/** DomainError -> HTTP: `{statusCode, error: <code>, message, ...details}` with the code's status. */
@Catch(DomainError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    res.status(error.status).json({ statusCode: error.status, error: error.code, message: error.message, ...error.details });
  }
}
