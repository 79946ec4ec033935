import { Controller, Get, Param, type Type } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NetPayError } from '#platform';
import { Paid } from '../netpay/paid.decorator.js';
import { PaidWith } from '../netpay/paid.metadata.js';
import type { SpendOutcome } from '../spend-coins/spend-coins.command.js';
import { ARTICLES, CARDS, type CatalogItem, CLIPS, listing } from './catalog.data.js';

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
  list(): Priced[] {
    return priced(ARTICLES, PRICES.article);
  }

  @Get(':id')
  @Paid(PRICES.article, { available: inCatalog(ARTICLES) })
  read(@Param('id') id: string, @PaidWith() paid?: SpendOutcome): Sold {
    return { item: find(ARTICLES, id), receiptId: paid?.receipt.receiptId };
  }
}

@ApiTags('e-greeting cards')
@Controller('cards')
export class GreetingCardsController {
  @Get()
  list(): Priced[] {
    return priced(CARDS, PRICES.card);
  }

  @Get(':id')
  @Paid(PRICES.card, { available: inCatalog(CARDS) })
  card(@Param('id') id: string, @PaidWith() paid?: SpendOutcome): Sold {
    return { item: find(CARDS, id), receiptId: paid?.receipt.receiptId };
  }
}

@ApiTags('e-music')
@Controller('clips')
export class MusicClipsController {
  @Get()
  list(): Priced[] {
    return priced(CLIPS, PRICES.clip);
  }

  @Get(':id')
  @Paid(PRICES.clip, { available: inCatalog(CLIPS) })
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
