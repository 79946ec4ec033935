import { Body, Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiRefusalCodes, Idempotent } from '#platform';
import {
  type AuthenticatedCustomer,
  CurrentCustomer,
  CustomerAuthGuard,
} from '../customer/customer-auth.guard.js';
import { VendorIdParam } from '../vendor/vendor-id.param.js';
import {
  AuthoriseVendorHandler,
  type DeauthorisedAnswer,
  type VendorAuthorisedAnswer,
} from './authorise-vendor.handler.js';
import { AuthoriseVendorRequest } from './authorise-vendor.request.dto.js';
import { VENDOR_AUTHORISED, VENDOR_DEAUTHORISED } from '../shared/answer-schemas.js';

@ApiTags('wallet')
@ApiBearerAuth()
@Controller('wallet/vendors')
@UseGuards(CustomerAuthGuard)
export class AuthoriseVendorHttpController {
  constructor(private readonly handler: AuthoriseVendorHandler) {}

  @Post()
  @HttpCode(201)
  // A bearer secret for the vendor: never kept at rest; a replay has `withheld: ['checkoutToken']`
  // (authorising again with a new Idempotency-Key issues a new token).
  @Idempotent({ secretFields: ['checkoutToken'] })
  @ApiCreatedResponse({
    schema: VENDOR_AUTHORISED,
    description:
      'The vendor may check out your server-side wallet with this opaque token (shown once: a replay has `withheld: ["checkoutToken"]`).',
  })
  @ApiNotFoundResponse({ description: 'VENDOR.NOT_FOUND' })
  @ApiForbiddenResponse({ description: 'VENDOR.SUSPENDED (the vendor is suspended for fraud)' })
  authorise(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Body() body: AuthoriseVendorRequest,
  ): Promise<VendorAuthorisedAnswer> {
    return this.handler.authorise(customer.customerId, body.vendorId);
  }

  @Delete(':vendorId')
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({
    schema: VENDOR_DEAUTHORISED,
    description:
      'At once: the vendor’s checkout tokens stop working, and every slice of your server-side wallet it ' +
      'holds ends (its next debit is refused with CHAIN.SLICE_WITHDRAWN; the unspent rest is yours again).',
  })
  // The wallet view (which chains are yours) not caught up within its time-out.
  @ApiRefusalCodes({ 503: ['PROJECTION.BEHIND'] })
  deauthorise(
    @CurrentCustomer() customer: AuthenticatedCustomer,
    @Param() params: VendorIdParam,
  ): Promise<DeauthorisedAnswer> {
    return this.handler.deauthorise(customer.customerId, params.vendorId);
  }
}
