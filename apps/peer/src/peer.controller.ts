import { Body, Controller, Get, HttpCode, Param, Post, Query, Headers } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { contentId as contentIdSchema } from '#contracts';
import { ApiRefusalCodes, Idempotent, NetPayError } from '#platform';
import { type P2PPayment, parseP2PPayment, ProtocolError, readObject } from '#protocol';
import { PeerConfig } from './peer.config.js';
import type { IndexEntry, RedemptionSummary } from './cis-client.js';
import {
  ApiControlRefusals,
  ApiPurchaseRefusals,
  BOUGHT,
  BUY_REFUSALS,
  BuyBody,
  FETCH_REFUSALS,
  FETCHED,
  FetchBody,
  INDEX_ENTRIES,
  LINKS,
  LINKS_REFUSALS,
  LinksBody,
  OFFER,
  OFFERS,
  PEER_STATUS,
  PurchaseBody,
  REDEEM_REFUSALS,
  REDEEMED,
  SALE,
  SEARCH_REFUSALS,
  SEND_REFUSALS,
  SendBody,
} from './peer.api.js';
import { type Offer, PeerCore, type Sale } from './peer.core.js';
const ContentIdParam = (): MethodDecorator =>
  ApiParam({ name: 'contentId', description: '1-64 of A-Z a-z 0-9 _ . -', schema: contentIdSchema() });

/** Another peer's base URL: http(s), no credentials, at most 300 characters. */
function endpointOf(value: unknown): string {
  if (typeof value === 'string' && value.length <= 300 && /^https?:\/\//.test(value)) {
    try {
      const url = new URL(value);
      if (url.username === '' && url.password === '') return value.replace(/\/+$/, '');
    } catch {
      // falls through to the refusal
    }
  }
  throw new NetPayError('REQUEST.INVALID', 'endpoint: an http(s) URL of another peer');
}

function maxPriceOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new NetPayError('REQUEST.INVALID', 'maxPrice: a whole number of coins, at least 1');
  return value;
}

function contentIdOf(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value)) return value;
  throw new NetPayError('REQUEST.INVALID', 'contentId: 1-64 of A-Z a-z 0-9 _ . -');
}

/** The owner's prepared payment, parsed before it is sent: no S-peer is asked to read junk. */
function paymentOf(value: unknown): P2PPayment {
  try {
    return parseP2PPayment(value);
  } catch (error) {
    if (error instanceof ProtocolError) throw new NetPayError('P2P.MALFORMED', `payment: ${error.message}`);
    throw error;
  }
}

/** What other peers call: the catalogue, the purchase request (offer) and the paid download. */
@ApiTags('peer')
@Controller('content')
export class PeerContentController {
  constructor(private readonly peer: PeerCore) {}

  @Get()
  @ApiOperation({ summary: 'What this peer shares.' })
  @ApiOkResponse({ description: 'Its offers.', schema: OFFERS })
  catalogue(): Offer[] {
    return this.peer.catalogue();
  }

  @Get(':contentId/offer')
  @ApiOperation({
    summary: 'The purchase request: whom to pay (pseudonym), the price in coins, the content hash.',
  })
  @ContentIdParam()
  @ApiOkResponse({ description: 'The purchase request.', schema: OFFER })
  @ApiRefusalCodes({ 404: ['PEER.CONTENT_UNKNOWN'] })
  offer(@Param('contentId') contentId: string): Offer {
    return this.peer.offer(contentId);
  }

  @Post(':contentId/purchase')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pay with { payment: { touchstone, certificate, statement } } and download. Verified off-line by hashing; ' +
      'a retry of the same statement gets the same answer (idempotent by the statement itself).',
  })
  @ContentIdParam()
  @PurchaseBody()
  @ApiOkResponse({ description: 'The receipt and the content.', schema: SALE })
  @ApiPurchaseRefusals()
  purchase(@Param('contentId') contentId: string, @Body() body: unknown): Promise<Sale> {
    let payment: unknown;
    try {
      payment = readObject(body, ['payment']).payment;
    } catch (error) {
      throw new NetPayError('REQUEST.INVALID', `body: ${(error as Error).message}`);
    }
    return this.peer.sell(contentId, payment);
  }
}

/** The owner's control API (bearer PEER_CONTROL_TOKEN): buy coins, search, fetch, redeem, links. */
@ApiTags('control')
@ApiBearerAuth()
@Controller('control')
export class PeerControlController {
  constructor(
    private readonly peer: PeerCore,
    private readonly config: PeerConfig,
  ) {}

  private auth(authorization: string | undefined): void {
    if (authorization !== `Bearer ${this.config.controlToken}`)
      throw new NetPayError('AUTH.UNAUTHORISED', 'the control API needs the peer’s bearer token', {
        status: 401,
      });
  }

  @Get('status')
  @ApiOkResponse({ description: 'Pseudonym, wallet, links, counters.', schema: PEER_STATUS })
  @ApiControlRefusals()
  status(@Headers('authorization') a?: string): Record<string, unknown> {
    this.auth(a);
    return {
      pseudonym: this.peer.pseudonym ?? null,
      walletCoins: this.peer.walletRemaining,
      links: this.peer.links,
      store: this.peer.hasStore,
      stats: this.peer.stats,
      unredeemed: this.peer.journal.unredeemed().length,
    };
  }

  @Post('buy')
  @Idempotent()
  @HttpCode(201)
  @BuyBody()
  @ApiCreatedResponse({ description: 'One chain bought at the CIS, in the wallet.', schema: BOUGHT })
  @ApiControlRefusals(BUY_REFUSALS)
  buy(
    @Headers('authorization') a: string | undefined,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<{ chainId: string; coins: number }> {
    this.auth(a);
    const coins = readObject(body, ['coins']).coins;
    if (typeof coins !== 'number') throw new NetPayError('REQUEST.INVALID', 'coins: expected an integer');
    // The owner's key names the purchase: a retry after an error buys the same chain at the CIS.
    return this.peer.buy(coins, key === undefined ? undefined : `control:${key}`);
  }

  @Get('search')
  @ApiQuery({ name: 'q', required: false, schema: { type: 'string', maxLength: 200 } })
  @ApiOkResponse({ description: 'The CIS index.', schema: INDEX_ENTRIES })
  @ApiControlRefusals(SEARCH_REFUSALS)
  search(@Headers('authorization') a: string | undefined, @Query('q') q?: string): Promise<IndexEntry[]> {
    this.auth(a);
    return this.peer.search(q ?? '');
  }

  @Post('fetch')
  @Idempotent()
  @HttpCode(200)
  @FetchBody()
  @ApiOkResponse({
    description: 'Paid and downloaded (the content checked against its hash).',
    schema: FETCHED,
  })
  @ApiControlRefusals(FETCH_REFUSALS)
  async fetch(
    @Headers('authorization') a: string | undefined,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    this.auth(a);
    const f = readObject(body, ['endpoint', 'contentId'], ['maxPrice']);
    const { sale, payment, bytes } = await this.peer.fetch(
      endpointOf(f.endpoint),
      contentIdOf(f.contentId),
      maxPriceOf(f.maxPrice),
    );
    return { receipt: sale.receipt, bytes: bytes.length, sha256: sale.sha256, payment };
  }

  @Post('send')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a prepared payment as is (demo of a cheating R-peer showing one index twice).',
  })
  @SendBody()
  @ApiOkResponse({ description: 'The S-peer’s answer.', schema: SALE })
  @ApiControlRefusals(SEND_REFUSALS)
  async send(@Headers('authorization') a: string | undefined, @Body() body: unknown): Promise<Sale> {
    this.auth(a);
    const f = readObject(body, ['endpoint', 'contentId', 'payment']);
    return this.peer.send(endpointOf(f.endpoint), contentIdOf(f.contentId), paymentOf(f.payment));
  }

  @Post('redeem')
  @Idempotent()
  @HttpCode(200)
  @ApiOkResponse({ description: 'What the CIS paid and refused.', schema: REDEEMED })
  @ApiControlRefusals(REDEEM_REFUSALS)
  redeem(@Headers('authorization') a?: string): Promise<RedemptionSummary> {
    this.auth(a);
    return this.peer.redeem();
  }

  @Post('links')
  @HttpCode(200)
  @ApiOperation({ summary: 'Simulate losing or regaining the CIS / the event store (demo, tests).' })
  @LinksBody()
  @ApiOkResponse({ description: 'The links now.', schema: LINKS })
  @ApiControlRefusals(LINKS_REFUSALS)
  links(
    @Headers('authorization') a: string | undefined,
    @Body() body: unknown,
  ): { cis: boolean; store: boolean } {
    this.auth(a);
    const f = readObject(body, [], ['cis', 'store']);
    for (const k of ['cis', 'store'] as const)
      if (f[k] !== undefined && typeof f[k] !== 'boolean')
        throw new NetPayError('REQUEST.INVALID', `${k}: expected true or false`);
    if (typeof f.cis === 'boolean') this.peer.links.cis = f.cis;
    if (typeof f.store === 'boolean') this.peer.links.store = f.store;
    return this.peer.links;
  }
}
