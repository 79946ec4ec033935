import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { ApiRefusalCodes, Idempotent } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import { ChainIdParam } from '../revoke-chain/revoke-chain.request.dto.js';
import { type ChainReissuedAnswer, ReissueChainHandler } from './reissue-chain.handler.js';
import { CHAIN_REISSUED } from '../shared/answer-schemas.js';

@ApiTags('chains')
@ApiBearerAuth()
@Controller('chains')
@UseGuards(CustomerAuthGuard)
export class ReissueChainHttpController {
  constructor(private readonly handler: ReissueChainHandler) {}

  @Post(':chainId/reissue')
  @HttpCode(201)
  // The answer carries the new chain's seed: never kept in Redis; a retry re-derives it.
  @Idempotent({ storeAnswer: false })
  @ApiCreatedResponse({
    schema: CHAIN_REISSUED,
    description: 'Lost wallet: the chain is closed at its index and its unspent rest re-issued.',
  })
  @ApiRefusalCodes({
    403: ['CUSTOMER.REVOKED'],
    // Not a chain of yours (someone else's answers the same).
    404: ['CHAIN.NOT_FOUND'],
    // A server-side chain; a chain closed for another reason (cashed out).
    409: ['CHAIN.WRONG_WALLET_KIND', 'CHAIN.CLOSED'],
    410: ['CHAIN.REVOKED', 'CHAIN.EXPIRED'],
    503: ['PROJECTION.BEHIND'],
  })
  reissue(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Param() params: ChainIdParam,
  ): Promise<ChainReissuedAnswer> {
    return this.handler.execute(customer.customerId, params.chainId);
  }
}
