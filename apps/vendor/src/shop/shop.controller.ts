import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NetPayError } from '#platform';
import { PAGE_HEADERS, WebAssets } from '#web';
import { PRICES } from '../catalog/catalog.controllers.js';
import { ARTICLES, CARDS, type CatalogItem, CLIPS } from '../catalog/catalog.data.js';
import { SHOP_CATALOG } from '../vendor.api.js';
import type { VendorConfig } from '../vendor.config.js';
import { VENDOR_CONFIG } from '../vendor.tokens.js';

const assets = new WebAssets();

/** The shop page fetches from this vendor and embeds the broker's wallet frame, nothing else. */
const SHOP_CSP =
  "default-src 'self'; img-src 'self' data:; media-src 'self' data:; frame-src http: https:; frame-ancestors 'none'";

const SECTIONS = {
  newspaper: {
    title: 'e-newspaper',
    path: '/articles',
    action: 'Read',
    items: ARTICLES,
    coins: PRICES.article,
  },
  cards: { title: 'e-greeting cards', path: '/cards', action: 'Send', items: CARDS, coins: PRICES.card },
  music: { title: 'e-music', path: '/clips', action: 'Play', items: CLIPS, coins: PRICES.clip },
} as const;

const SHOP_NAMES: Readonly<Record<string, string>> = {
  newspaper: 'The Harbour Herald',
  cards: 'Paper Swallow cards',
  music: 'Harbour Sounds',
};

export interface ShopCatalog {
  readonly vendorId: string;
  readonly name: string;
  /** Where customers buy coins, and the wallet frame this shop embeds. */
  readonly brokerUrl: string;
  readonly accept: { readonly currency: string; readonly coinValue: number };
  readonly sections: readonly {
    readonly key: string;
    readonly title: string;
    readonly path: string;
    readonly action: string;
    readonly items: readonly { id: string; title: string; teaser: string; coins: number }[];
  }[];
}

/** The vendor's shop for people: `/` (the page) and `GET /catalog` (what it lists, with prices). */
@ApiTags('shop')
@Controller()
export class ShopController {
  constructor(@Inject(VENDOR_CONFIG) private readonly config: VendorConfig) {}

  @Get('catalog')
  @ApiOkResponse({
    description: 'Every item this vendor sells, with its price in coins, and the broker to buy coins at.',
    schema: SHOP_CATALOG,
  })
  catalog(): ShopCatalog {
    const catalogs = [...new Set(this.config.catalog)];
    return {
      vendorId: this.config.vendorId,
      name: catalogs.map((c) => SHOP_NAMES[c]).join(' · ') || this.config.vendorId,
      brokerUrl: this.config.brokerUrl.replace(/\/+$/, ''),
      accept: { currency: this.config.acceptCurrency, coinValue: this.config.acceptCoinValue },
      sections: catalogs.map((key) => {
        const s = SECTIONS[key];
        return {
          key,
          title: s.title,
          path: s.path,
          action: s.action,
          items: s.items.map((i: CatalogItem) => ({
            id: i.id,
            title: i.title,
            teaser: i.teaser,
            coins: s.coins,
          })),
        };
      }),
    };
  }

  @Get()
  @ApiOkResponse({ description: 'The shop page.', content: { 'text/html': { schema: { type: 'string' } } } })
  async home(@Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, 'shop.html');
  }

  @Get('shop/:name')
  @ApiParam({
    name: 'name',
    schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}\\.(?:html|css|mjs|js|svg)$' },
  })
  @ApiOkResponse({
    description: 'A file of the shop page.',
    content: Object.fromEntries(
      ['text/html', 'text/css', 'text/javascript', 'image/svg+xml'].map((t) => [
        t,
        { schema: { type: 'string' } },
      ]),
    ),
  })
  @ApiNotFoundResponse({ description: 'PAGE.NOT_FOUND' })
  async asset(@Param('name') name: string, @Res() reply: FastifyReply): Promise<void> {
    await this.send(reply, name);
  }

  private async send(reply: FastifyReply, name: string): Promise<void> {
    const asset = await assets.asset(name);
    if (!asset) throw new NetPayError('PAGE.NOT_FOUND', 'no such page', { status: 404 });
    await reply
      .headers({ ...PAGE_HEADERS, 'content-type': asset.contentType, 'content-security-policy': SHOP_CSP })
      .send(asset.body);
  }
}
