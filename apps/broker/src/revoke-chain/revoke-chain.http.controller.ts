import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiRefusalCodes, Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { signRevocationNotice, type SignedRevocationNotice } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { VendorStandings } from '../vendor/vendor-standings.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { type ChainRevokedAnswer, RevokeChainHandler } from './revoke-chain.handler.js';
import { ChainIdParam, RevokeChainRequest } from './revoke-chain.request.dto.js';
import { CHAIN_REVOKED, REVOCATIONS } from '../shared/answer-schemas.js';

@ApiTags('chains')
@Controller()
export class RevokeChainHttpController {
  constructor(
    private readonly handler: RevokeChainHandler,
    private readonly projection: WalletProjection,
    private readonly ring: BrokerKeyRing,
    private readonly standings: VendorStandings,
    private readonly customers: CustomerStandings,
  ) {}

  @Post('chains/:chainId/revoke')
  @HttpCode(200)
  @Idempotent()
  @UseGuards(AdminAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke a chain (admin); broadcast on the CRL subject.' })
  @ApiOkResponse({ description: 'Revoked (or revoked already: no `position`).', schema: CHAIN_REVOKED })
  // No such chain; a chain closed already (cashed out, re-issued, expired) is not revoked.
  @ApiRefusalCodes({ 404: ['CHAIN.NOT_FOUND'], 409: ['CHAIN.CLOSED'] })
  revoke(@Param() params: ChainIdParam, @Body() body: RevokeChainRequest): Promise<ChainRevokedAnswer> {
    return this.handler.execute(params.chainId, body.reason);
  }

  @Get('revocations')
  @ApiOkResponse({
    schema: REVOCATIONS,
    description:
      'The revocation list: every revoked chain, oldest first (for vendors starting up); each entry ' +
      'carries the broker-signed notice vendors verify before acting on it; `vendors`: the latest ' +
      'notice about each vendor suspended for fraud (a suspension or its lift); `customers`: the latest ' +
      'notice about each customer revoked for fraud (a revocation or its lift).',
  })
  // The wallet view or the vendors' / customers' notices not read yet within their time-out.
  @ApiRefusalCodes({ 503: ['PROJECTION.BEHIND'] })
  async list(): Promise<{
    revocations: RevocationEntry[];
    vendors: SignedRevocationNotice[];
    customers: SignedRevocationNotice[];
  }> {
    await this.projection.waitFor();
    const brokerKeyId = this.ring.currentKeyId;
    return {
      revocations: this.projection.model.revocations().map((r) => ({
        ...r,
        notice: signRevocationNotice(
          { kind: 'chain', id: r.chainId, reason: r.reason, at: r.at, brokerKeyId },
          this.ring.signer,
        ),
      })),
      vendors: await this.standings.vendorNotices(),
      customers: await this.customers.customerNotices(),
    };
  }
}

interface RevocationEntry {
  readonly chainId: string;
  readonly reason: string;
  readonly at: string;
  readonly notice: SignedRevocationNotice;
}
