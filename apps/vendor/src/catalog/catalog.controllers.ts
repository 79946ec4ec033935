import { Controller, Get, Param, type Type } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { NetPayError } from '#platform';
import { Paid } from '../netpay/paid.decorator.js';
import { PaidWith } from '../netpay/paid.metadata.js';
import type { SpendOutcome } from '../spend-coins/spend-coins.command.js';
import { PRICED_LIST, SOLD_ITEM } from '../vendor.api.js';
import { ARTICLES, CARDS, type CatalogItem, CLIPS, listing } from './catalog.data.js';

const PAID_HEADERS = {
  'X-NetPay-Receipt': { description: 'the signed receipt, base64url JSON', schema: { type: 'string' } },
  'X-NetPay-Receipt-Id': { description: 'its authorisation number', schema: { type: 'string' } },
};

/** Prices in coins of the demo content. */
export const PRICES = { article: 2, card: 3, clip: 5 } as const;

/** A listing entry with its price in coins (the 402 says the same). */
export type Priced = ReturnType<typeof listing>[number] & { readonly coins: number };

function priced(items: readonly CatalogItem[], coins: number): Priced[] {
  return listing(items).map((item) => ({ ...item, coins }));
}

interface Sold {
  readonly item: CatalogItem;
  readonly receiptId: string | undefined;
}

function find(items: readonly CatalogItem[], id: string): CatalogItem {
  const item = items.find((i) => i.id === id);
  if (!item) throw new NetPayError('CONTENT.NOT_FOUND', `no item ${id}`, { status: 404 });
  return item;
}

/** Unknown ids are answered 404 before any payment is taken. */
const inCatalog =
  (items: readonly CatalogItem[]) =>
  (params: Readonly<Record<string, string>>): boolean =>
    items.some((i) => i.id === params.id);

@ApiTags('e-newspaper')
@Controller('articles')
export class NewspaperController {
  @Get()
  @ApiOkResponse({ description: 'What is for sale, with the price of each in coins.', schema: PRICED_LIST })
  list(): Priced[] {
    return priced(ARTICLES, PRICES.article);
  }

  @Get(':id')
  @Paid(PRICES.article, { available: inCatalog(ARTICLES) })
  @ApiParam({ name: 'id', schema: { type: 'string', enum: ARTICLES.map((i) => i.id) } })
  @ApiOkResponse({
    description: 'Paid: the item; the signed receipt in X-NetPay-Receipt.',
    schema: SOLD_ITEM,
    headers: PAID_HEADERS,
  })
  @ApiNotFoundResponse({ description: 'CONTENT.NOT_FOUND (before any payment is taken)' })
  read(@Param('id') id: string, @PaidWith() paid?: SpendOutcome): Sold {
    return { item: find(ARTICLES, id), receiptId: paid?.receipt.receiptId };
  }
}

@ApiTags('e-greeting cards')
@Controller('cards')
export class GreetingCardsController {
  @Get()
  @ApiOkResponse({ description: 'What is for sale, with the price of each in coins.', schema: PRICED_LIST })
  list(): Priced[] {
    return priced(CARDS, PRICES.card);
  }

  @Get(':id')
  @Paid(PRICES.card, { available: inCatalog(CARDS) })
  @ApiParam({ name: 'id', schema: { type: 'string', enum: CARDS.map((i) => i.id) } })
  @ApiOkResponse({
    description: 'Paid: the item; the signed receipt in X-NetPay-Receipt.',
    schema: SOLD_ITEM,
    headers: PAID_HEADERS,
  })
  @ApiNotFoundResponse({ description: 'CONTENT.NOT_FOUND (before any payment is taken)' })
  card(@Param('id') id: string, @PaidWith() paid?: SpendOutcome): Sold {
    return { item: find(CARDS, id), receiptId: paid?.receipt.receiptId };
  }
}

@ApiTags('e-music')
@Controller('clips')
export class MusicClipsController {
  @Get()
  @ApiOkResponse({ description: 'What is for sale, with the price of each in coins.', schema: PRICED_LIST })
  list(): Priced[] {
    return priced(CLIPS, PRICES.clip);
  }

  @Get(':id')
  @Paid(PRICES.clip, { available: inCatalog(CLIPS) })
  @ApiParam({ name: 'id', schema: { type: 'string', enum: CLIPS.map((i) => i.id) } })
  @ApiOkResponse({
    description: 'Paid: the item; the signed receipt in X-NetPay-Receipt.',
    schema: SOLD_ITEM,
    headers: PAID_HEADERS,
  })
  @ApiNotFoundResponse({ description: 'CONTENT.NOT_FOUND (before any payment is taken)' })
  clip(@Param('id') id: string, @PaidWith() paid?: SpendOutcome): Sold {
    return { item: find(CLIPS, id), receiptId: paid?.receipt.receiptId };
  }
}

export const CATALOGS = {
  newspaper: NewspaperController,
  cards: GreetingCardsController,
  music: MusicClipsController,
} as const satisfies Record<string, Type>;

export type CatalogName = keyof typeof CATALOGS;
