import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import type { Reply } from '#contracts';
import { mapError } from '#platform';
import { catchError, map, type Observable, of } from 'rxjs';
import { BROKER_STATUS_BY_CODE } from './broker-errors.js';

/**
 * Wraps every NATS answer in the contracts' `Reply<T>`: `{ ok: true, value }`, or
 * `{ ok: false, error: { code, message, details? } }` for any refusal, validation failure included (pipes
 * run inside interceptors). Unexpected errors are logged and answered as `INTERNAL`.
 */
@Injectable()
export class RpcReplyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  intercept(_context: ExecutionContext, next: CallHandler): Observable<Reply<unknown>> {
    return next.handle().pipe(
      map((value: unknown): Reply<unknown> => ({ ok: true, value })),
      catchError((error: unknown) => {
        const mapping = mapError(error, BROKER_STATUS_BY_CODE);
        if (mapping.unexpected) {
          this.logger.error(`rpc failed: ${String(error)}`, error instanceof Error ? error.stack : undefined);
        }
        const details = Object.keys(mapping.details).length > 0 ? { details: { ...mapping.details } } : {};
        // `details` (e.g. the holder to ask for a hand-off) rides along; RpcError readers may ignore it.
        return of<Reply<unknown>>({
          ok: false,
          error: { code: mapping.code, message: mapping.detail, ...details },
        });
      }),
    );
  }
}
