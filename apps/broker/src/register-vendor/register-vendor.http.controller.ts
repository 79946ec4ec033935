import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { VENDOR_KEY_REPLY_SCHEMA, type VendorKeyReply } from '#contracts';
import { Idempotent } from '#platform';
import { RegisterVendorHandler } from './register-vendor.handler.js';
import { RegisterVendorRequest } from './register-vendor.request.dto.js';
import { VendorRegistrationGuard } from './vendor-registration.guard.js';

@ApiTags('vendors')
@ApiBearerAuth()
@Controller('vendors')
@UseGuards(VendorRegistrationGuard)
export class RegisterVendorHttpController {
  constructor(private readonly handler: RegisterVendorHandler) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiCreatedResponse({
    schema: VENDOR_KEY_REPLY_SCHEMA,
    description:
      'Registered (admin token, or the vendor’s own registration token for its vendorId): the vendor’s keys as ' +
      'served to other vendors.',
  })
  @ApiConflictResponse({ description: 'VENDOR.ALREADY_REGISTERED' })
  register(@Body() body: RegisterVendorRequest): Promise<VendorKeyReply> {
    return this.handler.execute(body);
  }
}
