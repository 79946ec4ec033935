import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { PaidGuard } from './paid.guard.js';
import { PAID_ROUTE, type PaidRoute, type PaidRouteOptions } from './paid.metadata.js';
import { PAYMENT_HEADERS } from './payment-header.js';

/**
 * Makes a route paid content: `coins` whole coins per request. Without a
 * payment the route answers 402 with what to pay; with one, the spend is
 * verified and durably recorded BEFORE the handler runs, and the signed
 * receipt comes back in `X-NetPay-Receipt`.
 */
export function Paid(coins: number, options: PaidRouteOptions = {}): MethodDecorator & ClassDecorator {
  if (!Number.isSafeInteger(coins) || coins < 1)
    throw new Error(`@Paid: price must be a positive whole number of coins, got ${coins}`);
  return applyDecorators(
    SetMetadata(PAID_ROUTE, { ...options, coins } satisfies PaidRoute),
    UseGuards(PaidGuard),
    ApiHeader({
      name: PAYMENT_HEADERS.payment,
      required: false,
      description: '<chainId>.<position>.<payword hex> (client-side wallet)',
    }),
    ApiHeader({
      name: PAYMENT_HEADERS.touchstone,
      required: false,
      description: 'the chain touchstone, base64url JSON (optional)',
    }),
    ApiHeader({
      name: PAYMENT_HEADERS.checkout,
      required: false,
      description: 'checkout token (server-side wallet)',
    }),
    ApiResponse({ status: 402, description: `Payment required: ${coins} coin(s); see X-NetPay-* headers` }),
  );
}
