import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import { ChainIdParam } from '../revoke-chain/revoke-chain.request.dto.js';
import { type CashOutAnswer, CashOutHandler } from './cash-out.handler.js';
import { CashOutRequest } from './cash-out.request.dto.js';
import { CASHED_OUT } from '../shared/answer-schemas.js';

@ApiTags('chains')
@ApiBearerAuth()
@Controller('chains')
@UseGuards(CustomerAuthGuard)
export class CashOutHttpController {
  constructor(private readonly handler: CashOutHandler) {}

  @Post(':chainId/cash-out')
  @HttpCode(201)
  @Idempotent()
  @ApiBody({ type: CashOutRequest, required: false })
  @ApiCreatedResponse({
    schema: CASHED_OUT,
    description:
      'Cash-out: the chain is closed at its index (coins spent before stay the vendors’), and the value ' +
      'of its unspent coins is refunded to the customer’s bank account, once; `refundedTo` names the account paid.',
  })
  @ApiResponse({
    status: 402,
    description:
      'CASHOUT.BANK_DECLINED: the bank would refuse the refund (`reason`) at your account, or at the refundAccount ' +
      'you named, and the chain stays open; or it refused it after the close (an account closed in between): the ' +
      'value is owed to you (`refundOwed`), recorded. When the refusal is for good (account-closed, ' +
      'currency-mismatch), cash out again naming another account of yours (refundAccount, refundMandate); ' +
      'otherwise cash out again later.',
  })
  @ApiResponse({
    status: 403,
    description:
      'CUSTOMER.REVOKED: your standing is revoked; or BANK.MANDATE_INVALID: the bank does not confirm ' +
      'refundMandate for refundAccount. Nothing done.',
  })
  @ApiResponse({ status: 404, description: 'CHAIN.NOT_FOUND: no such chain in your wallet.' })
  @ApiResponse({
    status: 409,
    description:
      'IDEMPOTENCY.IN_PROGRESS: a request with this Idempotency-Key is still running, retry; CHAIN.CLOSED: ' +
      'closed for another reason; or CASHOUT.REFUND_ACCOUNT_NOT_NEEDED: before the close, refundAccount was named ' +
      'while your registered account takes the refund (a refund moves only when the bank declines it there for ' +
      'good; after the close it goes where it was going).',
  })
  @ApiResponse({
    status: 410,
    description:
      'CHAIN.REVOKED: the chain was revoked; or CHAIN.EXPIRED: past its expiresAt, settled by the expiry policy.',
  })
  @ApiResponse({
    status: 503,
    description:
      'A dependency is away; retry later. PAYMENT.UNAVAILABLE: the bank did not answer. PROJECTION.BEHIND: the ' +
      'wallet view or the customers’ revocations are not read yet.',
  })
  cashOut(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Param() params: ChainIdParam,
    @Body() body: CashOutRequest,
  ): Promise<CashOutAnswer> {
    const { refundAccount, refundMandate } = body;
    const refundTo =
      refundAccount === undefined || refundMandate === undefined
        ? undefined
        : { bankAccount: refundAccount, bankMandate: refundMandate };
    return this.handler.execute(customer.customerId, params.chainId, refundTo);
  }
}
