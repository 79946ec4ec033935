import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { type BrokerKeysReply, subjects } from '#contracts';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { RpcReplyInterceptor } from '../shared/rpc-reply.interceptor.js';

@Controller()
@UseInterceptors(RpcReplyInterceptor)
export class GetBrokerKeysMessageController {
  constructor(private readonly keys: BrokerKeyRing) {}

  /** `subjects.brokerKeys`: `{}` → `Reply<BrokerKeysReply>` (current key first). */
  @MessagePattern(subjects.brokerKeys)
  get(): BrokerKeysReply {
    return { keys: this.keys.publicKeys() };
  }
}
