import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SpendOutcome } from '../spend-coins/spend-coins.command.js';

/** Route metadata set by `@Paid`. */
export const PAID_ROUTE = Symbol.for('netpay.vendor.paid-route');

export interface PaidRouteOptions {
  /** Checked before any payment: false answers 404 and nothing is spent. */
  readonly available?: (params: Readonly<Record<string, string>>) => boolean;
}

export interface PaidRoute extends PaidRouteOptions {
  readonly coins: number;
}

/** Where the guard leaves the recorded spend on the request. */
export const RECEIPT_REQUEST_KEY = 'netpayReceipt';

/** The recorded spend (receipt included) of a `@Paid` route, for handlers that want it in their body. */
export const PaidWith = createParamDecorator(
  (_: unknown, context: ExecutionContext): SpendOutcome | undefined =>
    context.switchToHttp().getRequest<{ [RECEIPT_REQUEST_KEY]?: SpendOutcome }>()[RECEIPT_REQUEST_KEY],
);
