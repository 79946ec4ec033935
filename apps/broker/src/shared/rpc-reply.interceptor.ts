import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import type { Reply } from '#contracts';
import { CLOCK, type Clock, mapError } from '#platform';
import { catchError, EMPTY, map, type Observable, of } from 'rxjs';
import { BROKER_STATUS_BY_CODE } from './broker-errors.js';
import { requestExpired } from './request-deadline.js';

/**
 * Wraps every NATS answer in the contracts' `Reply<T>`: `{ ok: true, value }`, or
 * `{ ok: false, error: { code, message, details? } }` for any refusal, validation failure included (pipes
 * run inside interceptors). Unexpected errors are logged and answered as `INTERNAL`.
 */
@Injectable()
export class RpcReplyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');
  private expired = 0;

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<Reply<unknown>> {
    // The requester gave up (its `x-netpay-deadline` passed while the request queued): no work.
    if (requestExpired(context, this.clock.now().getTime())) {
      this.expired += 1;
      if (this.expired === 1 || this.expired % 1_000 === 0) {
        this.logger.warn(
          `${this.expired} NATS request(s) dropped: their deadline passed before they were handled`,
        );
      }
      return EMPTY;
    }
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
