import { randomUUID } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GuardProblems, NetPayError } from '#platform';
import { requireIdempotencyKey } from '../debit-wallet/debit-idempotency.js';
import { DEADLINE_HEADER } from '../engine/request-deadline.js';
import { VendorEngine } from '../engine/vendor-engine.js';
import type { SpendOutcome } from '../spend-coins/spend-coins.command.js';
import { NETPAY_VENDOR_OPTIONS, type NetPayVendorOptions } from './netpay-vendor.options.js';
import { paidResource } from './paid-resource.js';
import { PAID_ROUTE, type PaidRoute, RECEIPT_REQUEST_KEY } from './paid.metadata.js';
import {
  ANSWER_HEADERS,
  encodeHeaderJson,
  PAYMENT_HEADERS,
  parsePaymentHeader,
  TouchstoneHeaders,
} from './payment-header.js';

/**
 * Turns a request for paid content into a recorded spend, or a 402. The
 * price headers go on every answer of a paid route, refusals included, so a
 * wallet always knows what to send next.
 */
@Injectable()
@GuardProblems({ 402: ['PAYMENT.REQUIRED'] })
export class PaidGuard implements CanActivate {
  private readonly touchstones = new TouchstoneHeaders();

  constructor(
    private readonly reflector: Reflector,
    private readonly engine: VendorEngine,
    @Inject(NETPAY_VENDOR_OPTIONS) private readonly options: NetPayVendorOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.getAllAndOverride<PaidRoute | undefined>(PAID_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (route === undefined) return true;
    const coins = route.coins;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { [RECEIPT_REQUEST_KEY]?: SpendOutcome }>();
    if (route.available && !route.available((request.params ?? {}) as Record<string, string>)) {
      throw new NetPayError('CONTENT.NOT_FOUND', `nothing to sell at ${request.url}`, { status: 404 });
    }
    const reply = http.getResponse<FastifyReply>();
    const { currency, coinValue } = this.options.accepted;
    void reply.header(ANSWER_HEADERS.price, String(coins));
    void reply.header(ANSWER_HEADERS.vendor, this.engine.vendorId);
    void reply.header(
      ANSWER_HEADERS.accept,
      `currency=${currency}${coinValue === undefined ? '' : `; coin-value=${coinValue}`}`,
    );
    // HEAD, which Fastify answers on every GET route, asks for the GET's answer without its body:
    // it never pays (the payer would pay and never see the content). It learns the price.
    if (request.method === 'HEAD') throw this.paymentRequired(coins);
    const resource = paidResource(request.method, request.url);
    const correlationId = header(request, 'x-correlation-id') ?? randomUUID();
    const deadline = this.engine.deadlineOf(header(request, DEADLINE_HEADER));
    const payment = header(request, PAYMENT_HEADERS.payment);
    const checkout = header(request, PAYMENT_HEADERS.checkout);
    let outcome: SpendOutcome;
    if (payment !== undefined) {
      const proof = parsePaymentHeader(payment);
      const carried = header(request, PAYMENT_HEADERS.touchstone);
      outcome = await this.engine.spendCoins.execute({
        ...proof,
        count: coins,
        resource,
        correlationId,
        deadline,
        ...(carried ? { touchstone: this.touchstones.parse(proof.chainId, carried) } : {}),
      });
    } else if (checkout !== undefined) {
      outcome = await this.engine.debitWallet.execute({
        checkoutToken: checkout,
        count: coins,
        resource,
        // A payer retrying the GET sends the same key: the vendor, not the payer, picks the paywords.
        idempotencyKey: requireIdempotencyKey(header(request, PAYMENT_HEADERS.idempotencyKey)),
        correlationId,
        deadline,
      });
    } else {
      throw this.paymentRequired(coins);
    }
    request[RECEIPT_REQUEST_KEY] = outcome;
    void reply.header(ANSWER_HEADERS.receipt, encodeHeaderJson(outcome.receipt));
    void reply.header(ANSWER_HEADERS.receiptId, outcome.receipt.receiptId);
    return true;
  }

  private paymentRequired(coins: number): NetPayError {
    const { currency, coinValue } = this.options.accepted;
    return new NetPayError(
      'PAYMENT.REQUIRED',
      `this content costs ${coins} coin(s): send a payword in ${PAYMENT_HEADERS.payment}`,
      {
        status: 402,
        title: 'Payment Required',
        details: {
          vendorId: this.engine.vendorId,
          price: {
            coins,
            ...(coinValue === undefined ? {} : { amount: coins * coinValue, coinValue }),
            currency,
          },
          accept: { currency, ...(coinValue === undefined ? {} : { coinValue }) },
          pay: {
            clientWallet: {
              header: PAYMENT_HEADERS.payment,
              format: '<chainId>.<position>.<payword hex>',
              position: 'I + coins - 1',
            },
            touchstone: {
              header: PAYMENT_HEADERS.touchstone,
              format: 'base64url(JSON touchstone)',
              required: false,
            },
            serverWallet: {
              header: PAYMENT_HEADERS.checkout,
              format: 'checkout token from the broker',
              idempotencyKey: {
                header: PAYMENT_HEADERS.idempotencyKey,
                required: true,
                format: 'one per purchase (a UUID), the same on a retry',
              },
            },
          },
        },
      },
    );
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}
