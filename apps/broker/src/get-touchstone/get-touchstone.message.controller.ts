import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, type TouchstoneReply } from '#contracts';
import { RpcReplyInterceptor } from '../shared/rpc-reply.interceptor.js';
import { GetTouchstoneHandler } from './get-touchstone.handler.js';
import { GetTouchstoneRequest } from './get-touchstone.request.dto.js';

@Controller()
@UseInterceptors(RpcReplyInterceptor)
export class GetTouchstoneMessageController {
  constructor(private readonly handler: GetTouchstoneHandler) {}

  /** `subjects.touchstone`: `{ chainId }` → `Reply<TouchstoneReply>`. */
  @MessagePattern(subjects.touchstone)
  get(@Payload() request: GetTouchstoneRequest): Promise<TouchstoneReply> {
    return this.handler.execute(request.chainId);
  }
}
