import { Controller, Delete, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { VENDOR_KEY_REPLY_SCHEMA, type VendorKeyReply } from '#contracts';
import { ApiRefusalCodes, Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { VendorIdParam } from '../vendor/vendor-id.param.js';
import { RetireVendorKeyHandler } from './retire-vendor-key.handler.js';

export class VendorKeyParams extends VendorIdParam {
  @ApiProperty({ example: 'v1-2026' })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'keyId must be 1-64 of A-Z a-z 0-9 _ . : -' })
  keyId!: string;
}

@ApiTags('vendors')
@ApiBearerAuth()
@Controller('vendors')
@UseGuards(AdminAuthGuard)
export class RetireVendorKeyHttpController {
  constructor(private readonly handler: RetireVendorKeyHandler) {}

  @Delete(':vendorId/keys/:keyId')
  @Idempotent()
  @ApiOkResponse({
    schema: VENDOR_KEY_REPLY_SCHEMA,
    description:
      'Key retired (admin): the broker certifies it no more and takes no checkout signed with it; the ' +
      'redemption worker takes no claim signed with it. Every key still in use, oldest first. Idempotent.',
  })
  @ApiRefusalCodes({ 404: ['VENDOR.NOT_FOUND', 'VENDOR.KEY_NOT_FOUND'], 409: ['VENDOR.LAST_KEY'] })
  retire(@Param() params: VendorKeyParams): Promise<VendorKeyReply> {
    return this.handler.execute(params.vendorId, params.keyId);
  }
}
