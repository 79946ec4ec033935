import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, Matches } from 'class-validator';
import { CUSTOMER_REVOCATION_REASONS, type CustomerRevocationReason } from '#events';
import { ApiRefusalCodes, Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { CUSTOMER_STANDING } from '../shared/answer-schemas.js';
import { type CustomerStandingAnswer, CustomerStandings } from './customer-standings.js';

export class CustomerIdParam {
  @ApiProperty({ example: 'cus_0123456789abcdef' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'customerId must be 1-64 characters of A-Z a-z 0-9 _' })
  customerId!: string;
}

export class RevokeCustomerRequest {
  /** A code, never free text: it goes into the public signed notice. */
  @ApiProperty({ enum: CUSTOMER_REVOCATION_REASONS, example: 'FRAUD.DOUBLE_SPEND_ATTEMPT' })
  @IsIn(CUSTOMER_REVOCATION_REASONS, {
    message: `reason must be one of ${CUSTOMER_REVOCATION_REASONS.join(', ')}`,
  })
  reason!: CustomerRevocationReason;

  /** References to the operator's records (case ids, event ids); no personal data. */
  @ApiPropertyOptional({ type: [String], maxItems: 20, example: ['case_2026_0042'] })
  @IsOptional()
  @IsArray({ message: 'evidence must be an array of references' })
  @ArrayMaxSize(20, { message: 'evidence holds at most 20 references' })
  @Matches(/^[A-Za-z0-9_.:/-]{1,128}$/, {
    each: true,
    message: 'each evidence reference must be 1-128 characters of A-Z a-z 0-9 _ . : / -',
  })
  evidence?: string[];
}

/** The operator's revocation of a customer for fraud, and its lift (admin token). */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
@UseGuards(AdminAuthGuard)
export class CustomerStandingHttpController {
  constructor(private readonly standings: CustomerStandings) {}

  @Get(':customerId/standing')
  @ApiOperation({ summary: 'A customer’s fraud revocation, if any (admin).' })
  @ApiOkResponse({ schema: CUSTOMER_STANDING })
  @ApiNotFoundResponse({ description: 'CUSTOMER.NOT_FOUND' })
  @ApiRefusalCodes({ 503: ['PROJECTION.BEHIND'] })
  standing(@Param() params: CustomerIdParam): Promise<CustomerStandingAnswer> {
    return this.standings.standing(params.customerId);
  }

  @Post(':customerId/revoke')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary:
      'Revoke a customer for fraud (admin): a broker-signed CustomerRevoked and notice, every open chain revoked ' +
      '(reason fraud), purchases/checkouts/re-issues/cash-outs refused with CUSTOMER.REVOKED; unspent value is kept ' +
      'pending review. A revoked customer is answered as it is (its open chains revoked again if any were left).',
  })
  @ApiOkResponse({ schema: CUSTOMER_STANDING })
  @ApiNotFoundResponse({ description: 'CUSTOMER.NOT_FOUND' })
  @ApiRefusalCodes({ 503: ['PROJECTION.BEHIND'] })
  revoke(
    @Param() params: CustomerIdParam,
    @Body() body: RevokeCustomerRequest,
  ): Promise<CustomerStandingAnswer> {
    return this.standings.revoke(params.customerId, body.reason, body.evidence ?? []);
  }

  @Post(':customerId/reinstate')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary:
      'Lift a customer’s revocation (admin): a broker-signed CustomerReinstated and lift notice; revoked chains stay ' +
      'revoked, new purchases are allowed again. A customer not revoked is answered as it is.',
  })
  @ApiOkResponse({ schema: CUSTOMER_STANDING })
  @ApiNotFoundResponse({ description: 'CUSTOMER.NOT_FOUND' })
  reinstate(@Param() params: CustomerIdParam): Promise<CustomerStandingAnswer> {
    return this.standings.reinstate(params.customerId);
  }
}
