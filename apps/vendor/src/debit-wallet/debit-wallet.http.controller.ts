import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { Receipt } from '#protocol';
import { VendorEngine } from '../engine/vendor-engine.js';
import { DebitWalletRequest } from './debit-wallet.request.dto.js';

@ApiTags('debits')
@Controller('debits')
export class DebitWalletHttpController {
  constructor(private readonly engine: VendorEngine) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'Recorded; the receipt is signed by the vendor.' })
  async debit(
    @Body() body: DebitWalletRequest,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<{ receipt: Receipt; duplicate: boolean }> {
    const outcome = await this.engine.debitWallet.execute({
      checkoutToken: body.checkoutToken,
      count: body.count,
      resource: body.resource ?? 'debit',
      correlationId: correlationId ?? randomUUID(),
    });
    return { receipt: outcome.receipt, duplicate: outcome.duplicate };
  }
}
