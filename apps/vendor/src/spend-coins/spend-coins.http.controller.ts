import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { parseTouchstone, ProtocolError, type Receipt } from '#protocol';
import { VendorEngine } from '../engine/vendor-engine.js';
import { refusal, VENDOR } from '../engine/vendor-errors.js';
import { SpendCoinsRequest } from './spend-coins.request.dto.js';

@ApiTags('spends')
@Controller('spends')
export class SpendCoinsHttpController {
  constructor(private readonly engine: VendorEngine) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    description: 'Recorded; the receipt (authorisation number = receiptId) is signed by the vendor.',
  })
  @ApiConflictResponse({ description: 'SPEND.PAYWORD_REPLAYED, CHAIN.CONTENDED' })
  @ApiUnprocessableEntityResponse({ description: 'SPEND.PAYWORD_FORGED | PAYWORD_SKIPPED | …' })
  async spend(
    @Body() body: SpendCoinsRequest,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<{ receipt: Receipt; duplicate: boolean }> {
    const outcome = await this.engine.spendCoins.execute({
      chainId: body.chainId,
      position: body.position,
      payword: body.payword,
      count: body.count,
      resource: body.resource ?? 'spend',
      correlationId: correlationId ?? randomUUID(),
      ...(body.touchstone ? { touchstone: touchstoneOf(body.touchstone) } : {}),
    });
    return { receipt: outcome.receipt, duplicate: outcome.duplicate };
  }
}

function touchstoneOf(value: unknown) {
  try {
    return parseTouchstone(value);
  } catch (error) {
    throw refusal(
      VENDOR.TOUCHSTONE_INVALID,
      `touchstone: ${error instanceof ProtocolError ? error.message : String(error)}`,
    );
  }
}
