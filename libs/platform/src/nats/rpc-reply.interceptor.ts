import { type CallHandler, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { catchError, map, type Observable, of } from 'rxjs';
import { type RpcReply, rpcOk, toRpcErrorReply } from '../errors/rpc-error.js';
import { DEFAULT_STATUS_BY_CODE, mapError, type StatusByCode } from '../errors/problem.js';

/**
 * Puts every NATS answer in the one reply envelope (`RpcReply<T>`): the handler's value as
 * `{ ok: true, value }`, any error — validation included, pipes run inside interceptors — as
 * `{ ok: false, error: { code, message, status, details? } }`. Message controllers use it
 * (`@UseInterceptors`, a subclass giving the app's statuses); unexpected errors are logged and
 * answered as `INTERNAL`.
 */
@Injectable()
export class RpcReplyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  /** The app's status of coded library errors in replies: a subclass gives its own. */
  protected readonly statusByCode: StatusByCode = DEFAULT_STATUS_BY_CODE;

  intercept(_context: unknown, next: CallHandler): Observable<RpcReply<unknown>> {
    return next.handle().pipe(
      map((value: unknown) => rpcOk(value)),
      catchError((error: unknown) => {
        const mapping = mapError(error, this.statusByCode);
        if (mapping.unexpected) {
          this.logger.error(`rpc failed: ${String(error)}`, error instanceof Error ? error.stack : undefined);
        }
        return of(toRpcErrorReply(mapping));
      }),
    );
  }
}
