import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { type ChainRevokedAnswer, RevokeChainHandler } from './revoke-chain.handler.js';
import { ChainIdParam, RevokeChainRequest } from './revoke-chain.request.dto.js';

@ApiTags('chains')
@Controller()
export class RevokeChainHttpController {
  constructor(
    private readonly handler: RevokeChainHandler,
    private readonly projection: WalletProjection,
  ) {}

  @Post('chains/:chainId/revoke')
  @HttpCode(200)
  @Idempotent()
  @UseGuards(AdminAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke a chain (admin); broadcast on the CRL subject.' })
  revoke(@Param() params: ChainIdParam, @Body() body: RevokeChainRequest): Promise<ChainRevokedAnswer> {
    return this.handler.execute(params.chainId, body.reason);
  }

  @Get('revocations')
  @ApiOkResponse({
    description: 'The revocation list: every revoked chain, oldest first (for vendors starting up).',
  })
  async list(): Promise<{ revocations: { chainId: string; reason: string; at: string }[] }> {
    await this.projection.waitFor();
    return { revocations: this.projection.model.revocations() };
  }
}
