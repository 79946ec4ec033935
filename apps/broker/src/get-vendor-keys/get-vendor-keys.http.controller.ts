import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { VENDOR_KEY_REPLY_SCHEMA, type VendorKeyReply } from '#contracts';
import { ApiRefusalCodes } from '#platform';
import { VendorIdParam } from '../vendor/vendor-id.param.js';
import { GetVendorKeysHandler } from './get-vendor-keys.handler.js';

@ApiTags('vendors')
@Controller('vendors')
export class GetVendorKeysHttpController {
  constructor(private readonly handler: GetVendorKeysHandler) {}

  @Get(':vendorId/keys')
  @ApiOkResponse({
    schema: VENDOR_KEY_REPLY_SCHEMA,
    description: 'The vendor’s public keys, oldest first.',
  })
  @ApiNotFoundResponse({ description: 'VENDOR.NOT_FOUND' })
  @ApiRefusalCodes({ 403: ['VENDOR.SUSPENDED'] })
  get(@Param() params: VendorIdParam): Promise<VendorKeyReply> {
    return this.handler.execute(params.vendorId);
  }
}
