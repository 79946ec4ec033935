import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { TouchstoneReply } from '#contracts';
import { ApiRefusalCodes } from '#platform';
import { GetTouchstoneHandler } from './get-touchstone.handler.js';
import { GetTouchstoneRequest } from './get-touchstone.request.dto.js';
import { TOUCHSTONE_ANSWER } from '../shared/answer-schemas.js';

@ApiTags('chains')
@Controller('chains')
export class GetTouchstoneHttpController {
  constructor(private readonly handler: GetTouchstoneHandler) {}

  @Get(':chainId/touchstone')
  @ApiOkResponse({
    schema: TOUCHSTONE_ANSWER,
    description: 'The broker-signed touchstone (never names the customer).',
  })
  @ApiNotFoundResponse({ description: 'CHAIN.NOT_FOUND' })
  @ApiRefusalCodes({ 409: ['CHAIN.CLOSED'], 410: ['CHAIN.REVOKED'] })
  get(@Param() params: GetTouchstoneRequest): Promise<TouchstoneReply> {
    return this.handler.execute(params.chainId);
  }
}
