import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NetPayError } from '#platform';
import { PAGE_HEADERS, WebAssets } from '#web';
import { VendorEngine } from '../engine/vendor-engine.js';
import { ApiRefusals, MOBILE_WALLET } from '../vendor.api.js';
import { PAYMENT_HEADERS } from '../netpay/payment-header.js';
import { isSubscriberToken, MOBILE_REFUSAL_STATUS, openSubscriberToken } from './subscriber-token.js';

const assets = new WebAssets();

/** The phone page runs its own script and styles from this vendor, nothing else (no frames). */
const MOBILE_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

export interface MobileWalletAnswer {
  /** The subscriber as this vendor knows them (the operator's pseudonym, never the number). */
  readonly subscriber: string;
  /** Coins left in the subscriber's server-side wallet that this vendor may take. */
  readonly coinsLeft: number;
  /** Until when the operator vouches for this visit (the token's end). */
  readonly until: string;
}

/**
 * Mobile-NetPay at a vendor: the phone-sized content pages (`GET /m`: list with prices, one tap to
 * buy, coins left after each purchase, a clear page per refusal) and what they ask besides the
 * catalogue and the paid routes: `GET /m/wallet`, the coins left. Both are reached through the
 * operator's gateway, which injects the subscriber token into `X-NetPay-Checkout`; the page never
 * sees it, and the vendor learns only the operator's pseudonym of the subscriber.
 */
@ApiTags('mobile')
@Controller('m')
export class MobileShopController {
  constructor(private readonly engine: VendorEngine) {}

  @Get()
  @ApiOkResponse({ description: 'The phone page.', content: { 'text/html': { schema: { type: 'string' } } } })
  async page(@Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, 'mobile.html');
  }

  @Get('wallet')
  @ApiHeader({
    name: PAYMENT_HEADERS.checkout,
    required: true,
    description: "the subscriber token the operator's gateway injects",
  })
  @ApiOkResponse({
    schema: MOBILE_WALLET,
    description:
      'Coins left in the subscriber’s server-side wallet for this vendor (403 SUBSCRIBER_TOKEN.* for a token ' +
      'the operator did not sign for this vendor, or one that expired; 401 SUBSCRIBER_TOKEN.MISSING without one).',
  })
  @ApiRefusals(['SUBSCRIBER_TOKEN.MISSING', ...Object.keys(MOBILE_REFUSAL_STATUS)])
  async wallet(@Headers(PAYMENT_HEADERS.checkout) compact?: string): Promise<MobileWalletAnswer> {
    if (compact === undefined || compact === '' || !isSubscriberToken(compact)) {
      throw new NetPayError(
        'SUBSCRIBER_TOKEN.MISSING',
        'Open this shop through your mobile operator: its gateway vouches for you (X-NetPay-Checkout).',
        { status: 401 },
      );
    }
    const now = this.engine.now();
    const token = openSubscriberToken(compact, this.engine.vendorId, this.engine.keys.broker, now);
    let coinsLeft = 0;
    for (const chainId of token.chainIds) {
      // The chain's stream: another vendor may have spent from it since this process last looked.
      const state = await this.engine.states.reload(chainId);
      if (state.status !== 'open') continue;
      const t = state.touchstone;
      const at = now.toISOString();
      if (at < t.issuedAt || at >= t.expiresAt) continue;
      if (t.vendorRestriction !== undefined && !t.vendorRestriction.includes(this.engine.vendorId)) continue;
      coinsLeft += t.length - state.index + 1;
    }
    return { subscriber: token.subscriber, coinsLeft, until: token.notAfter };
  }

  private async send(reply: FastifyReply, name: string): Promise<void> {
    const asset = await assets.asset(name);
    if (!asset) throw new NetPayError('PAGE.NOT_FOUND', 'no such page', { status: 404 });
    await reply
      .headers({ ...PAGE_HEADERS, 'content-type': asset.contentType, 'content-security-policy': MOBILE_CSP })
      .send(asset.body);
  }
}
