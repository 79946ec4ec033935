import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, type WalletCheckoutReply } from '#contracts';
import { BrokerMetrics } from '../shared/broker-metrics.js';
import { RpcReplyInterceptor } from '../shared/rpc-reply.interceptor.js';
import { CheckoutWalletHandler } from './checkout-wallet.handler.js';
import { CheckoutWalletRequest } from './checkout-wallet.request.dto.js';

@Controller()
@UseInterceptors(RpcReplyInterceptor)
export class CheckoutWalletMessageController {
  constructor(
    private readonly handler: CheckoutWalletHandler,
    private readonly metrics: BrokerMetrics,
  ) {}

  /**
   * `subjects.walletCheckout`: `WalletCheckoutRequest` → `Reply<WalletCheckoutReply>`. Refusals:
   * CHECKOUT.TOKEN_INVALID | TOKEN_EXPIRED | VENDOR_NOT_AUTHORISED | HELD_ELSEWHERE | NO_COINS, and
   * CHAIN.REVOKED when every server-side chain with coins left is revoked.
   */
  @MessagePattern(subjects.walletCheckout)
  async checkout(@Payload() request: CheckoutWalletRequest): Promise<WalletCheckoutReply> {
    try {
      const reply = await this.handler.execute(request);
      this.metrics.checkouts.inc({ outcome: 'ok' });
      return reply;
    } catch (error) {
      this.metrics.checkouts.inc({ outcome: (error as { code?: string }).code ?? 'INTERNAL' });
      throw error;
    }
  }
}
