import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { VENDOR_KEY_REPLY_SCHEMA, type VendorKeyReply } from '#contracts';
import { ApiRefusalCodes, Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { VendorIdParam } from '../vendor/vendor-id.param.js';
import { VendorKeyDto } from '../vendor/vendor-key.dto.js';
import { RotateVendorKeyHandler } from './rotate-vendor-key.handler.js';

@ApiTags('vendors')
@ApiBearerAuth()
@Controller('vendors')
@UseGuards(AdminAuthGuard)
export class RotateVendorKeyHttpController {
  constructor(private readonly handler: RotateVendorKeyHandler) {}

  @Post(':vendorId/keys')
  @HttpCode(201)
  @Idempotent()
  @ApiCreatedResponse({
    schema: VENDOR_KEY_REPLY_SCHEMA,
    description: 'Key added (admin); every key of the vendor, oldest first.',
  })
  @ApiRefusalCodes({ 403: ['VENDOR.SUSPENDED'], 404: ['VENDOR.NOT_FOUND'], 409: ['VENDOR.KEY_ID_TAKEN'] })
  rotate(@Param() params: VendorIdParam, @Body() body: VendorKeyDto): Promise<VendorKeyReply> {
    return this.handler.execute(params.vendorId, body);
  }
}
