import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { VENDOR_KEY_REPLY_SCHEMA, type VendorKeyReply } from '#contracts';
import { Idempotent } from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import { RegisterVendorHandler } from './register-vendor.handler.js';
import { RegisterVendorRequest } from './register-vendor.request.dto.js';

@ApiTags('vendors')
@ApiBearerAuth()
@Controller('vendors')
@UseGuards(AdminAuthGuard)
export class RegisterVendorHttpController {
  constructor(private readonly handler: RegisterVendorHandler) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiCreatedResponse({
    schema: VENDOR_KEY_REPLY_SCHEMA,
    description: 'Registered (admin): the vendor’s keys as served to other vendors.',
  })
  @ApiConflictResponse({ description: 'VENDOR.ALREADY_REGISTERED' })
  register(@Body() body: RegisterVendorRequest): Promise<VendorKeyReply> {
    return this.handler.execute(body);
  }
}
