import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import { ChainIdParam } from '../revoke-chain/revoke-chain.request.dto.js';
import { type CashOutAnswer, CashOutHandler } from './cash-out.handler.js';
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
  @ApiCreatedResponse({
    schema: CASHED_OUT,
    description:
      'Cash-out: the chain is closed at its index (coins spent before stay the vendors’), and the value ' +
      'of its unspent coins is refunded to the customer’s bank account, once (402 CASHOUT.BANK_DECLINED: the bank would refuse it, and the chain stays open).',
  })
  cashOut(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Param() params: ChainIdParam,
  ): Promise<CashOutAnswer> {
    return this.handler.execute(customer.customerId, params.chainId);
  }
}
