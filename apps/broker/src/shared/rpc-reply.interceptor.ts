import { type CallHandler, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  RpcReplyInterceptor as PlatformRpcReplyInterceptor,
  type RpcReply,
} from '#platform';
import { EMPTY, type Observable } from 'rxjs';
import { BROKER_STATUS_BY_CODE } from './broker-errors.js';
import { requestExpired } from './request-deadline.js';

/**
 * The platform's reply envelope (`RpcReply`, the contracts' `Reply<T>`) with the broker's error
 * statuses: `{ ok: true, value }` or `{ ok: false, error: { code, message, status, details? } }`.
 * A request whose requester already gave up (its `x-netpay-deadline` passed while it queued) is
 * dropped without doing its work.
 */
@Injectable()
export class RpcReplyInterceptor extends PlatformRpcReplyInterceptor {
  protected override readonly statusByCode = BROKER_STATUS_BY_CODE;
  private readonly deadlineLogger = new Logger('Rpc');
  private expired = 0;

  constructor(@Inject(CLOCK) private readonly clock: Clock) {
    super();
  }

  override intercept(context: ExecutionContext, next: CallHandler): Observable<RpcReply<unknown>> {
    if (requestExpired(context, this.clock.now().getTime())) {
      this.expired += 1;
      if (this.expired === 1 || this.expired % 1_000 === 0) {
        this.deadlineLogger.warn(
          `${this.expired} NATS request(s) dropped: their deadline passed before they were handled`,
        );
      }
      return EMPTY;
    }
    return super.intercept(context, next);
  }
}
