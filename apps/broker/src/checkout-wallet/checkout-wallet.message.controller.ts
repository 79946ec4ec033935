import { Controller, UseInterceptors } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { subjects, type WalletCheckoutReply } from '#contracts';
import { RpcReplyInterceptor } from '../shared/rpc-reply.interceptor.js';
import { CheckoutWalletHandler } from './checkout-wallet.handler.js';
import { CheckoutWalletRequest } from './checkout-wallet.request.dto.js';

@Controller()
@UseInterceptors(RpcReplyInterceptor)
export class CheckoutWalletMessageController {
  constructor(private readonly handler: CheckoutWalletHandler) {}

  /**
   * `subjects.walletCheckout`: `WalletCheckoutRequest` → `Reply<WalletCheckoutReply>`. Refusals:
   * CHECKOUT.TOKEN_INVALID | TOKEN_EXPIRED | VENDOR_NOT_AUTHORISED | HELD_ELSEWHERE | NO_COINS.
   */
  @MessagePattern(subjects.walletCheckout)
  checkout(@Payload() request: CheckoutWalletRequest): Promise<WalletCheckoutReply> {
    return this.handler.execute(request);
  }
}
