import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { publicKeyRecord, type PublicKeyRecord } from '#protocol';
import { VendorEngine } from '../engine/vendor-engine.js';
import { refusal, VENDOR } from '../engine/vendor-errors.js';
import { CHAIN_VIEW, VENDOR_IDENTITY } from '../vendor.api.js';
import type { ChainView } from './get-chain.query.js';

const CHAIN_ID = /^[A-Za-z0-9_]{1,64}$/;

@ApiTags('chains')
@Controller()
export class GetChainHttpController {
  constructor(private readonly engine: VendorEngine) {}

  @Get('chains/:chainId')
  @ApiParam({ name: 'chainId', schema: { type: 'string', pattern: CHAIN_ID.source } })
  @ApiOkResponse({
    description: 'status open | handoff-pending | revoked | closed, holder, index, revision',
    schema: CHAIN_VIEW,
  })
  @ApiNotFoundResponse({ description: 'CHAIN.NOT_FOUND' })
  chain(@Param('chainId') chainId: string): Promise<ChainView> {
    if (!CHAIN_ID.test(chainId))
      throw refusal(VENDOR.BAD_REQUEST, 'chainId must be 1-64 characters of A-Z a-z 0-9 _');
    return this.engine.getChain.execute(chainId);
  }

  /** Who this vendor is and the key its receipts verify with (content servers fetch it once). */
  @Get('vendor')
  @ApiOkResponse({
    description: 'This vendor and the key its receipts verify with.',
    schema: VENDOR_IDENTITY,
  })
  vendor(): { vendorId: string; keys: PublicKeyRecord[] } {
    return {
      vendorId: this.engine.vendorId,
      keys: [publicKeyRecord(this.engine.signer, this.engine.vendorId)],
    };
  }
}
