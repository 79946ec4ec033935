import { Injectable } from '@nestjs/common';
import { RpcReplyInterceptor as PlatformRpcReplyInterceptor } from '#platform';
import { BROKER_STATUS_BY_CODE } from './broker-errors.js';

/**
 * The platform's reply envelope (`RpcReply`, the contracts' `Reply<T>`) with the broker's error
 * statuses: `{ ok: true, value }` or `{ ok: false, error: { code, message, status, details? } }`.
 */
@Injectable()
export class RpcReplyInterceptor extends PlatformRpcReplyInterceptor {
  protected override readonly statusByCode = BROKER_STATUS_BY_CODE;
}
