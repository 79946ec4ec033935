import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiRefusalCodes } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import { type WalletAnswer, GetWalletHandler } from './get-wallet.handler.js';
import { GetWalletQuery } from './get-wallet.request.dto.js';
import { WALLET } from '../shared/answer-schemas.js';

@ApiTags('wallet')
@ApiBearerAuth()
@Controller('wallet')
@UseGuards(CustomerAuthGuard)
export class GetWalletHttpController {
  constructor(private readonly handler: GetWalletHandler) {}

  @Get()
  @ApiOkResponse({
    schema: WALLET,
    description: 'Chains, spent index, remaining value and current holder of each.',
  })
  // A `minPosition` no event has reached; the wallet view not caught up within its time-out.
  @ApiRefusalCodes({ 400: ['PROJECTION.POSITION_AHEAD'], 503: ['PROJECTION.BEHIND'] })
  get(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Query() query: GetWalletQuery,
  ): Promise<WalletAnswer> {
    return this.handler.execute(
      customer.customerId,
      query.minPosition === undefined ? undefined : BigInt(query.minPosition),
    );
  }
}
