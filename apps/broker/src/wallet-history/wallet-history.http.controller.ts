import { Controller, Get, Inject, Injectable, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ApiRefusalCodes, CLOCK, type Clock } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import {
  type HistoryEntry,
  type VendorSpending,
  WalletHistoryReadModel,
} from './wallet-history.read-model.js';
import { WALLET_HISTORY } from '../shared/answer-schemas.js';

export class GetWalletHistoryQuery {
  @ApiPropertyOptional({ description: 'wait until the history includes this global position' })
  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'minPosition must be a non-negative integer' })
  minPosition?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200, description: 'newest entries to show' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 1000' })
  @Min(1, { message: 'limit must be a whole number from 1 to 1000' })
  @Max(1000, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: number;
}

export interface WalletHistoryAnswer {
  readonly customerId: string;
  /** Oldest first; the newest `limit` of `total`. */
  readonly entries: readonly HistoryEntry[];
  readonly total: number;
  /** Spends per vendor over the whole history (not only the `limit` shown). */
  readonly vendors: readonly VendorSpending[];
  /** Vendors that may check out the server-side wallet now. */
  readonly authorisedVendors: readonly string[];
  readonly position: string;
  readonly at: string;
}

@Injectable()
export class GetWalletHistoryHandler {
  constructor(
    private readonly projection: WalletProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(customerId: string, minPosition?: bigint, limit = 200): Promise<WalletHistoryAnswer> {
    if (minPosition !== undefined) await this.projection.waitForClientPosition(minPosition);
    await this.projection.waitFor();
    const chainIds = this.projection.model.chainsOfCustomer(customerId).map((c) => c.chainId);
    const all = this.projection.history.historyOf(customerId, chainIds);
    return {
      customerId,
      entries: all.slice(Math.max(0, all.length - limit)),
      total: all.length,
      vendors: WalletHistoryReadModel.spentPerVendor(all),
      authorisedVendors: this.projection.history.authorisedVendors(customerId),
      position: this.projection.currentPosition().toString(),
      at: this.clock.now().toISOString(),
    };
  }
}

/** `GET /wallet/history`: the signed-in customer's purchases, spends, hand-offs and the rest. */
@ApiTags('wallet')
@ApiBearerAuth()
@Controller('wallet')
@UseGuards(CustomerAuthGuard)
export class GetWalletHistoryHttpController {
  constructor(private readonly handler: GetWalletHistoryHandler) {}

  @Get('history')
  @ApiOkResponse({
    schema: WALLET_HISTORY,
    description:
      'Purchases, spends (vendor, resource, coins, receipt, time; both wallet kinds), hand-offs, checkouts, ' +
      'returned slices, refunds, revocations, re-issues and vendor authorisations of the customer, oldest ' +
      'first; and the spends summed per vendor.',
  })
  // A `minPosition` no event has reached; the wallet view not caught up within its time-out.
  @ApiRefusalCodes({ 400: ['PROJECTION.POSITION_AHEAD'], 503: ['PROJECTION.BEHIND'] })
  get(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Query() query: GetWalletHistoryQuery,
  ): Promise<WalletHistoryAnswer> {
    return this.handler.execute(
      customer.customerId,
      query.minPosition === undefined ? undefined : BigInt(query.minPosition),
      query.limit,
    );
  }
}
