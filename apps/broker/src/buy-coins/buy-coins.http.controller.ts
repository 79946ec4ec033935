import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import type { CoinsPurchasedAnswer } from './buy-coins.command.js';
import { BuyCoinsHandler } from './buy-coins.handler.js';
import { BuyCoinsRequest } from './buy-coins.request.dto.js';
import { COINS_PURCHASED } from '../shared/answer-schemas.js';

@ApiTags('purchases')
@ApiBearerAuth()
@Controller('purchases')
@UseGuards(CustomerAuthGuard)
export class BuyCoinsHttpController {
  constructor(private readonly handler: BuyCoinsHandler) {}

  @Post()
  @HttpCode(201)
  // Client-side answers carry the seeds: never kept in Redis; shown once (a retry: `withheld`).
  @Idempotent({ storeAnswer: false })
  @ApiCreatedResponse({
    schema: COINS_PURCHASED,
    description:
      'Paid with one macro-payment; the chains (and, client-side, their seeds, shown once: a retry answers ' +
      '`withheld: ["chains[].seed"]` and a `recovery` text — re-issue each chain with POST /chains/{chainId}/reissue).',
  })
  @ApiResponse({
    status: 402,
    description: 'PURCHASE.DECLINED: the bank refused; nothing charged, no chain issued.',
  })
  @ApiResponse({
    status: 403,
    description:
      'CUSTOMER.REVOKED: the customer (or its bank account) is revoked for fraud; nothing charged.',
  })
  @ApiResponse({
    status: 404,
    description: 'VENDOR.NOT_FOUND: `vendors` names a vendor the broker does not know; nothing charged.',
  })
  @ApiResponse({
    status: 409,
    description:
      'IDEMPOTENCY.IN_PROGRESS: a request with this Idempotency-Key is still running, retry; or ' +
      'PURCHASE.VOIDED: the bank answer was lost and reconciliation found no charge and voided it ' +
      '(nothing charged; buy again with a new Idempotency-Key); CHAIN.ALREADY_ISSUED: a retry of a purchase ' +
      'interrupted after its chains were issued, with another `walletNonce`.',
  })
  @ApiResponse({
    status: 422,
    description:
      'PURCHASE.CURRENCY_NOT_SOLD: the broker does not sell coins in this currency; PURCHASE.TOO_LARGE: more ' +
      'coins, or a larger amount, than one purchase may buy; IDEMPOTENCY.KEY_REUSED: this key was used for ' +
      'another purchase. Nothing charged.',
  })
  @ApiResponse({
    status: 503,
    description:
      'A dependency is away; retry later. PAYMENT.UNAVAILABLE: the bank did not answer — retry with the same ' +
      'key and body (charged at most once), or reconciliation settles the purchase without you. ' +
      'PROJECTION.BEHIND: the customers’ revocations are not read yet.',
  })
  @ApiResponse({
    status: 500,
    description: 'WALLET.SEED_UNREADABLE: a server-side wallet seed stored before cannot be decrypted.',
  })
  buy(
    @Body() body: BuyCoinsRequest,
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Headers('idempotency-key') idempotencyKey: string,
  ): Promise<CoinsPurchasedAnswer> {
    return this.handler.execute({
      ...body,
      customerId: customer.customerId,
      bankAccount: customer.bankAccount,
      idempotencyKey,
    });
  }
}
