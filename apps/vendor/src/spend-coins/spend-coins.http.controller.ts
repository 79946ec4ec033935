import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { parseTouchstone, ProtocolError, type Receipt } from '#protocol';
import { DEADLINE_HEADER } from '../engine/request-deadline.js';
import { VendorEngine } from '../engine/vendor-engine.js';
import { refusal, VENDOR } from '../engine/vendor-errors.js';
import { ApiRefusals, SPEND_ANSWER, SPEND_REFUSALS } from '../vendor.api.js';
import { SpendCoinsRequest } from './spend-coins.request.dto.js';

@ApiTags('spends')
@Controller('spends')
export class SpendCoinsHttpController {
  constructor(private readonly engine: VendorEngine) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    description: 'Recorded; the receipt (authorisation number = receiptId) is signed by the vendor.',
    schema: SPEND_ANSWER,
  })
  @ApiRefusals(SPEND_REFUSALS)
  @ApiHeader({
    name: 'X-NetPay-Deadline',
    required: false,
    description:
      'ISO 8601 instant after which you no longer wait: past it (or REQUEST_MAX_AGE after arrival) nothing is ' +
      'spent and the answer is 408 REQUEST.DEADLINE_EXCEEDED, so the same payment may be sent again.',
  })
  async spend(
    @Body() body: SpendCoinsRequest,
    @Headers('x-correlation-id') correlationId?: string,
    @Headers(DEADLINE_HEADER) deadline?: string,
  ): Promise<{ receipt: Receipt; duplicate: boolean }> {
    const outcome = await this.engine.spendCoins.execute({
      deadline: this.engine.deadlineOf(deadline),
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
