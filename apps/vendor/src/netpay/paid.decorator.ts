import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiRefusals, DEBIT_REFUSALS, SPEND_REFUSALS } from '../vendor.api.js';
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
    ApiHeader({
      name: PAYMENT_HEADERS.idempotencyKey,
      required: false,
      description: 'with X-NetPay-Checkout (required then): one per purchase, the same on a retry',
    }),
    ApiHeader({
      name: 'X-NetPay-Deadline',
      required: false,
      description: 'ISO 8601 instant after which nothing is spent (408 REQUEST.DEADLINE_EXCEEDED)',
    }),
    ApiRefusals(
      [
        ...new Set([...SPEND_REFUSALS, ...DEBIT_REFUSALS]),
        'PAYMENT.MALFORMED',
        'IDEMPOTENCY.KEY_REQUIRED',
        'IDEMPOTENCY.KEY_INVALID',
      ],
      {
        402:
          `Payment required (PAYMENT.REQUIRED): ${coins} coin(s); X-NetPay-Price, X-NetPay-Accept and the ` +
          'problem’s details say how to pay. A payment this chain or wallet cannot make:',
      },
    ),
  );
}
