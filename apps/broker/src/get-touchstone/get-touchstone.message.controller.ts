import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, type TouchstoneReply } from '#contracts';
import { BrokerMetrics } from '../shared/broker-metrics.js';
import { RpcReplyInterceptor } from '../shared/rpc-reply.interceptor.js';
import { GetTouchstoneHandler } from './get-touchstone.handler.js';
import { GetTouchstoneRequest } from './get-touchstone.request.dto.js';

@Controller()
@UseInterceptors(RpcReplyInterceptor)
export class GetTouchstoneMessageController {
  constructor(
    private readonly handler: GetTouchstoneHandler,
    private readonly metrics: BrokerMetrics,
  ) {}

  /** `subjects.touchstone`: `{ chainId }` → `Reply<TouchstoneReply>`. */
  @MessagePattern(subjects.touchstone)
  async get(@Payload() request: GetTouchstoneRequest): Promise<TouchstoneReply> {
    try {
      const reply = await this.handler.execute(request.chainId);
      this.metrics.touchstones.inc({ outcome: 'ok' });
      return reply;
    } catch (error) {
      this.metrics.touchstones.inc({ outcome: (error as { code?: string }).code ?? 'INTERNAL' });
      throw error;
    }
  }
}
