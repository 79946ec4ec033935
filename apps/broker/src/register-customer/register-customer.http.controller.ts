import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { ApiRefusalCodes, Idempotent } from '#platform';
import type { CustomerRegisteredAnswer } from './register-customer.command.js';
import { RegisterCustomerHandler } from './register-customer.handler.js';
import { RegisterCustomerRequest } from './register-customer.request.dto.js';
import { CUSTOMER_REGISTERED } from '../shared/answer-schemas.js';

@ApiTags('customers')
@Controller('customers')
export class RegisterCustomerHttpController {
  constructor(private readonly handler: RegisterCustomerHandler) {}

  @Post()
  @HttpCode(201)
  // The token is shown once: a replay answers the customer id with `withheld: ['token']`.
  @Idempotent({ secretFields: ['token'] })
  @ApiCreatedResponse({
    schema: CUSTOMER_REGISTERED,
    description:
      'Registered; the bearer token is shown only in this answer (a replay has `withheld: ["token"]` instead).',
  })
  @ApiConflictResponse({ description: 'CUSTOMER.ALREADY_REGISTERED' })
  @ApiRefusalCodes({
    // The bank does not confirm the mandate; the account belongs to a revoked customer.
    403: ['BANK.MANDATE_INVALID', 'CUSTOMER.REVOKED'],
    // The bank did not answer the mandate check; the customers' revocations are not read yet.
    503: ['PAYMENT.UNAVAILABLE', 'PROJECTION.BEHIND'],
  })
  register(
    @Body() body: RegisterCustomerRequest,
    @Headers('idempotency-key') idempotencyKey: string,
  ): Promise<CustomerRegisteredAnswer> {
    return this.handler.execute({ ...body, idempotencyKey });
  }
}
