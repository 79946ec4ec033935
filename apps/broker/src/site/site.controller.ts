import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NetPayError } from '#platform';
import { PAGE_HEADERS, type WebAsset, WebAssets } from '#web';

const assets = new WebAssets();

/** Pages the broker's own site may frame: none, except the wallet frame vendors embed. */
const BROKER_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";
/** The wallet frame is embedded by vendor shops; it still talks only to this broker. */
const FRAME_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors http: https:";

/**
 * The broker's site for people: `/` (register, sign in, buy coins, balances, history, vendors,
 * lost wallet) and `/site/wallet-frame.html`, the browser e-wallet that vendor shops embed.
 * Plain HTML and ES modules over the broker's JSON API; the customer's identity stays here.
 */
@ApiExcludeController()
@Controller()
export class SiteController {
  @Get()
  async home(@Res() reply: FastifyReply): Promise<void> {
    await send(reply, await assets.asset('broker.html'), BROKER_CSP);
  }

  @Get('site/:name')
  async asset(@Param('name') name: string, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await assets.asset(name), name === 'wallet-frame.html' ? FRAME_CSP : BROKER_CSP);
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
