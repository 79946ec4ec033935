import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, type VendorKeyReply } from '#contracts';
import { RpcReplyInterceptor } from '../shared/rpc-reply.interceptor.js';
import { VendorIdParam } from '../vendor/vendor-id.param.js';
import { GetVendorKeysHandler } from './get-vendor-keys.handler.js';

@Controller()
@UseInterceptors(RpcReplyInterceptor)
export class GetVendorKeysMessageController {
  constructor(private readonly handler: GetVendorKeysHandler) {}

  /** `subjects.vendorKeys`: `{ vendorId }` → `Reply<VendorKeyReply>` (VENDOR.NOT_FOUND when unknown). */
  @MessagePattern(subjects.vendorKeys)
  get(@Payload() request: VendorIdParam): Promise<VendorKeyReply> {
    return this.handler.execute(request.vendorId);
  }
}
