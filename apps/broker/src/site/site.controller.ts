import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NetPayError } from '#platform';
import { PAGE_HEADERS, type WebAsset, WebAssets } from '#web';
import { ShopOriginsHandler } from '../shop-origins/shop-origins.handler.js';

const assets = new WebAssets();

/** Pages the broker's own site may frame: none, except the wallet frame vendors embed. */
const BROKER_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";
const FRAME = 'wallet-frame.html';
const VENDOR_ID = /^[A-Za-z0-9_]{1,64}$/;

/**
 * The wallet frame hands the page that embeds it paywords and checkout tokens, so only the named
 * vendor's registered shop origins may embed it (`PUT /vendors/{vendorId}/shop-origins`): a page
 * of any other site, or a frame naming no known vendor, is not shown by the browser at all.
 */
function frameCsp(origins: readonly string[]): string {
  const ancestors = origins.length > 0 ? origins.join(' ') : "'none'";
  return `default-src 'self'; img-src 'self' data:; frame-ancestors ${ancestors}; form-action 'self'`;
}

/**
 * The broker's site for people: `/` (register, sign in, buy coins, balances, history, vendors,
 * lost wallet) and `/site/wallet-frame.html`, the browser e-wallet that vendor shops embed.
 * Plain HTML and ES modules over the broker's JSON API; the customer's identity stays here.
 */
@ApiExcludeController()
@Controller()
export class SiteController {
  constructor(private readonly shops: ShopOriginsHandler) {}

  @Get()
  async home(@Res() reply: FastifyReply): Promise<void> {
    await send(reply, await assets.asset('broker.html'), BROKER_CSP);
  }

  @Get('site/:name')
  async asset(
    @Param('name') name: string,
    @Query('vendor') vendor: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const asset = await assets.asset(name);
    if (name !== FRAME || !asset) return send(reply, asset, BROKER_CSP);
    const vendorId = typeof vendor === 'string' && VENDOR_ID.test(vendor) ? vendor : undefined;
    await send(reply, asset, frameCsp(vendorId ? await this.shops.origins(vendorId) : []));
  }

  @Get('site/wallet/:name')
  async wallet(@Param('name') name: string, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await assets.walletModule(name), BROKER_CSP);
  }
}

async function send(reply: FastifyReply, asset: WebAsset | undefined, csp: string): Promise<void> {
  if (!asset) throw new NetPayError('PAGE.NOT_FOUND', 'no such page', { status: 404 });
  await reply
    .headers({ ...PAGE_HEADERS, 'content-type': asset.contentType, 'content-security-policy': csp })
    .send(asset.body);
}
