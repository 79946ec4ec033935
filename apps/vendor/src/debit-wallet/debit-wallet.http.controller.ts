import { randomUUID } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER } from '#platform';
import type { Receipt } from '#protocol';
import { DEADLINE_HEADER } from '../engine/request-deadline.js';
import { VendorEngine } from '../engine/vendor-engine.js';
import { ApiRefusals, DEBIT_REFUSALS, SPEND_ANSWER } from '../vendor.api.js';
import { requireIdempotencyKey } from './debit-idempotency.js';
import { DebitWalletRequest } from './debit-wallet.request.dto.js';

@ApiTags('debits')
@Controller('debits')
export class DebitWalletHttpController {
  constructor(private readonly engine: VendorEngine) {}

  @Post()
  @HttpCode(201)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description:
      'One per purchase (a UUID), the same on a retry: 8–255 characters of A–Z a–z 0–9 _ . : -. A retry with ' +
      'the same key, token, resource and count gets the recorded receipt (duplicate: true) instead of paying again.',
  })
  @ApiHeader({
    name: 'X-NetPay-Deadline',
    required: false,
    description:
      'ISO 8601 instant after which you no longer wait: past it nothing is spent (408 REQUEST.DEADLINE_EXCEEDED).',
  })
  @ApiCreatedResponse({ description: 'Recorded; the receipt is signed by the vendor.', schema: SPEND_ANSWER })
  @ApiRefusals([...DEBIT_REFUSALS, 'IDEMPOTENCY.KEY_REQUIRED', 'IDEMPOTENCY.KEY_INVALID'])
  async debit(
    @Body() body: DebitWalletRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey?: string,
    @Headers('x-correlation-id') correlationId?: string,
    @Headers(DEADLINE_HEADER) deadline?: string,
  ): Promise<{ receipt: Receipt; duplicate: boolean }> {
    const outcome = await this.engine.debitWallet.execute({
      deadline: this.engine.deadlineOf(deadline),
      checkoutToken: body.checkoutToken,
      count: body.count,
      resource: body.resource ?? 'debit',
      idempotencyKey: requireIdempotencyKey(idempotencyKey),
      correlationId: correlationId ?? randomUUID(),
    });
    return { receipt: outcome.receipt, duplicate: outcome.duplicate };
  }
}
