import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { catchError, throwError, type Observable } from 'rxjs';
import { RetryAfterException } from './auth-errors';

/**
 * Adds `Retry-After` (seconds) to the response of a RetryAfterException, then lets the error go
 * on to whatever exception filter the app uses: the header is set, the body format is not ours.
 */
@Injectable()
export class RetryAfterInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (err instanceof RetryAfterException && context.getType() === 'http') {
          context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(err.retryAfterS));
        }
        return throwError(() => err);
      }),
    );
  }
}
