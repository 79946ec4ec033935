import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiRefusalCodes,
  IDEMPOTENCY_KEY_FORMAT,
  Idempotent,
  idempotencyKeyReused,
  NetPayError,
  PLATFORM_ERROR,
} from '#platform';
import { AdminAuthGuard } from '../admin/admin-auth.guard.js';
import {
  AuthoriseVendorHandler,
  type DeauthorisedAnswer,
} from '../authorise-vendor/authorise-vendor.handler.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { BuyCoinsHandler } from '../buy-coins/buy-coins.handler.js';
import { COINS_PURCHASED, VENDOR_DEAUTHORISED } from '../shared/answer-schemas.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { type WalletAnswer, GetWalletHandler } from '../wallet-view/get-wallet.handler.js';
import type { DeclineReason } from '../bank/payment-gateway.port.js';
import { operatorDeclineMessage } from './operator-account.js';
import { OperatorBilling, type SubscriberAccountView } from './operator-billing.js';
import { MOBILE_ACCOUNT, SUBSCRIBER_ACCOUNT, SUBSCRIBER_TOKEN } from './operator-answer-schemas.js';
import { OPERATOR_ERROR } from './operator-errors.js';
import { CurrentSubscriber, MSISDN_HEADER, OperatorGatewayGuard } from './operator-gateway.guard.js';
import {
  MobileBuyCoinsRequest,
  MsisdnParam,
  OpenSubscriberRequest,
  TopUpRequest,
  VendorTokenParam,
} from './operator.request.dto.js';
import { type SubscriberTokenAnswer, SubscriberTokens } from './subscriber-tokens.js';
import { type Subscriber, Subscribers } from './subscribers.js';

/** A write that lost its optimistic-concurrency race every time it was tried (other replicas). */
const CONCURRENCY = 'EVENT_STORE.CONCURRENCY';

/** The operator's own calls (admin token): open, look at and bar subscriber accounts. */
@ApiTags('mobile: operator')
@ApiBearerAuth()
@Controller('operator/subscribers')
@UseGuards(AdminAuthGuard)
export class OperatorAdminHttpController {
  constructor(
    private readonly subscribers: Subscribers,
    private readonly billing: OperatorBilling,
  ) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: 'Open a prepaid or postpaid subscriber account (admin).' })
  @ApiCreatedResponse({ description: 'The account opened.', schema: SUBSCRIBER_ACCOUNT })
  @ApiRefusalCodes({
    409: [OPERATOR_ERROR.SUBSCRIBER_EXISTS, CONCURRENCY],
  })
  async open(@Body() body: OpenSubscriberRequest): Promise<SubscriberAccountView> {
    const opened = await this.subscribers.provision(body);
    if (!opened) throw brokerError(OPERATOR_ERROR.SUBSCRIBER_EXISTS, `subscriber ${body.msisdn} exists`, 409);
    return this.view(body.msisdn);
  }

  @Get(':msisdn')
  @ApiOperation({ summary: 'Balance or current bill of a subscriber (admin).' })
  @ApiOkResponse({ description: 'The account.', schema: SUBSCRIBER_ACCOUNT })
  @ApiRefusalCodes({ 404: [OPERATOR_ERROR.SUBSCRIBER_NOT_FOUND] })
  get(@Param() params: MsisdnParam): Promise<SubscriberAccountView> {
    return this.view(params.msisdn);
  }

  @Post(':msisdn/bar')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Bar the account: later charges are declined (admin).' })
  @ApiOkResponse({
    description: 'The account, barred (a repeat changes nothing).',
    schema: SUBSCRIBER_ACCOUNT,
  })
  @ApiRefusalCodes({ 404: [OPERATOR_ERROR.SUBSCRIBER_NOT_FOUND], 409: [CONCURRENCY] })
  async bar(@Param() params: MsisdnParam): Promise<SubscriberAccountView> {
    await this.billing.bar(this.billing.accountIdOf(params.msisdn));
    return this.view(params.msisdn);
  }

  private async view(msisdn: string): Promise<SubscriberAccountView> {
    const view = await this.billing.view(this.billing.accountIdOf(msisdn));
    if (!view) throw brokerError(OPERATOR_ERROR.SUBSCRIBER_NOT_FOUND, `no subscriber ${msisdn}`, 404);
    return view;
  }
}

export interface MobileAccountAnswer {
  readonly account: SubscriberAccountView;
  readonly wallet: Pick<WalletAnswer, 'balances' | 'chains'>;
}

/**
 * What a subscriber does at the SP, through the operator's gateway (which sets X-MSISDN): see
 * the balance or bill and the e-wallet, top up, buy e-coins into the server-side wallet, and get
 * the subscriber token for a vendor. Mutating calls need an Idempotency-Key; they are idempotent
 * per subscriber in the handlers themselves (the gateway's bearer token is shared by everyone).
 */
@ApiTags('mobile: subscribers')
@ApiBearerAuth()
@ApiHeader({ name: 'X-MSISDN', required: true, description: "set by the operator's gateway" })
@Controller('mobile')
@UseGuards(OperatorGatewayGuard)
export class MobileSubscriberHttpController {
  constructor(
    private readonly billing: OperatorBilling,
    private readonly buyCoins: BuyCoinsHandler,
    private readonly wallets: GetWalletHandler,
    private readonly tokens: SubscriberTokens,
    private readonly vendors: AuthoriseVendorHandler,
  ) {}

  @Get('account')
  @ApiOperation({ summary: 'Prepaid balance or current bill, and the coins left in the e-wallet.' })
  @ApiOkResponse({ description: 'The account and the e-wallet.', schema: MOBILE_ACCOUNT })
  // No billing account (the guard's 403 too); the wallet view not caught up within its time-out.
  @ApiRefusalCodes({ 403: [OPERATOR_ERROR.SUBSCRIBER_UNKNOWN], 503: [BROKER_ERROR.PROJECTION_BEHIND] })
  async account(@CurrentSubscriber() subscriber: Subscriber): Promise<MobileAccountAnswer> {
    const account = await this.billing.view(subscriber.accountId);
    if (!account) throw brokerError(OPERATOR_ERROR.SUBSCRIBER_UNKNOWN, 'no billing account', 403);
    const { balances, chains } = await this.wallets.execute(subscriber.customerId);
    return { account, wallet: { balances, chains } };
  }

  @Post('top-ups')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Put money on a prepaid account (once per Idempotency-Key). OPERATOR.TOP_UP_REFUSED names its `reason`: ' +
      'not-prepaid, currency-mismatch, account-closed (barred), over-limit, account-unknown.',
  })
  @ApiCreatedResponse({ description: 'The account after the top-up.', schema: SUBSCRIBER_ACCOUNT })
  @ApiRefusalCodes({
    400: [PLATFORM_ERROR.IDEMPOTENCY_KEY_REQUIRED, PLATFORM_ERROR.IDEMPOTENCY_KEY_INVALID],
    409: [CONCURRENCY],
    422: [OPERATOR_ERROR.TOP_UP_REFUSED, PLATFORM_ERROR.IDEMPOTENCY_KEY_REUSED],
  })
  async topUp(
    @CurrentSubscriber() subscriber: Subscriber,
    @Body() body: TopUpRequest,
    @Headers('idempotency-key') key?: string,
  ): Promise<SubscriberAccountView> {
    const result = await this.billing.topUp(subscriber.accountId, body.amount, body.currency, keyOf(key));
    if (!result.ok && result.reason === 'idempotency-key-reused') {
      // The same answer as every other route's key reused with another body.
      throw idempotencyKeyReused(
        'This Idempotency-Key was already used with another top-up; use a new key for a new operation.',
      );
    }
    if (!result.ok) {
      throw brokerError(OPERATOR_ERROR.TOP_UP_REFUSED, `top-up refused: ${result.reason}`, 422, {
        reason: result.reason,
      });
    }
    return (await this.billing.view(subscriber.accountId))!;
  }

  @Post('purchases')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Buy e-coins into the server-side wallet, paid from the prepaid balance or on the bill (PURCHASE.DECLINED 402 ' +
      'with reason prepaid-balance-insufficient or postpaid-cap-reached). A retry with the same key answers as before.',
  })
  @ApiCreatedResponse({
    description: 'Bought: the chains in the server-side wallet (never a seed).',
    schema: COINS_PURCHASED,
  })
  // The web purchase's refusals (BuyCoinsHandler), less the vendors it cannot name.
  @ApiRefusalCodes({
    400: [PLATFORM_ERROR.IDEMPOTENCY_KEY_REQUIRED, PLATFORM_ERROR.IDEMPOTENCY_KEY_INVALID],
    402: [BROKER_ERROR.PURCHASE_DECLINED],
    403: [BROKER_ERROR.CUSTOMER_REVOKED],
    409: [BROKER_ERROR.PURCHASE_VOIDED, 'CHAIN.ALREADY_ISSUED'],
    422: [
      BROKER_ERROR.PURCHASE_CURRENCY_NOT_SOLD,
      BROKER_ERROR.PURCHASE_TOO_LARGE,
      PLATFORM_ERROR.IDEMPOTENCY_KEY_REUSED,
    ],
    500: ['WALLET.SEED_UNREADABLE'],
    503: [BROKER_ERROR.PAYMENT_UNAVAILABLE, BROKER_ERROR.PROJECTION_BEHIND],
  })
  async buy(
    @CurrentSubscriber() subscriber: Subscriber,
    @Body() body: MobileBuyCoinsRequest,
    @Headers('idempotency-key') key?: string,
  ): Promise<CoinsPurchasedAnswer> {
    try {
      return await this.buyCoins.execute({
        ...body,
        wallet: 'server',
        customerId: subscriber.customerId,
        bankAccount: subscriber.accountId,
        idempotencyKey: keyOf(key),
      });
    } catch (error) {
      throw operatorDecline(error);
    }
  }

  @Post('vendors/:vendorId/token')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'The operator-signed subscriber token for one vendor (what the gateway injects): a pseudonym, the wallet ' +
      'handle and wallet grants, bound to that vendor, expiring after SUBSCRIBER_TOKEN_TTL.',
  })
  @ApiCreatedResponse({ description: 'The subscriber token.', schema: SUBSCRIBER_TOKEN })
  // Browsing the vendor authorises it (VENDOR.*, a customer-stream write); then the wallet view is read.
  @ApiRefusalCodes({
    403: [BROKER_ERROR.VENDOR_SUSPENDED],
    404: [BROKER_ERROR.VENDOR_NOT_FOUND],
    409: [CONCURRENCY],
    503: [BROKER_ERROR.PROJECTION_BEHIND],
  })
  token(
    @CurrentSubscriber() subscriber: Subscriber,
    @Param() params: VendorTokenParam,
  ): Promise<SubscriberTokenAnswer> {
    return this.tokens.issue(subscriber, params.vendorId);
  }

  @Delete('vendors/:vendorId')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Withdraw a vendor (the web customers’ DELETE /wallet/vendors/:id): at once its subscriber tokens stop ' +
      'opening the wallet and every slice of the wallet it holds ends (its next debit is refused with ' +
      'CHAIN.SLICE_WITHDRAWN; the unspent rest is the subscriber’s again). Idempotent: a repeat changes nothing. ' +
      'Browsing the vendor again (a new subscriber token) authorises it again.',
  })
  @ApiOkResponse({ description: 'Withdrawn (or withdrawn already).', schema: VENDOR_DEAUTHORISED })
  @ApiRefusalCodes({ 409: [CONCURRENCY], 503: [BROKER_ERROR.PROJECTION_BEHIND] })
  withdraw(
    @CurrentSubscriber() subscriber: Subscriber,
    @Param() params: VendorTokenParam,
  ): Promise<DeauthorisedAnswer> {
    return this.vendors.deauthorise(subscriber.customerId, params.vendorId);
  }
}

/**
 * The purchase handler words a decline for the bank (the web broker's macro-payment); here the
 * operator's billing declined it. Same code, status and reason, the message names the operator.
 */
function operatorDecline(error: unknown): unknown {
  if (!(error instanceof NetPayError) || error.code !== BROKER_ERROR.PURCHASE_DECLINED) return error;
  const reason = typeof error.details?.reason === 'string' ? error.details.reason : 'declined';
  return brokerError(
    BROKER_ERROR.PURCHASE_DECLINED,
    `Your operator declined the charge: ${operatorDeclineMessage(reason as DeclineReason)}. Nothing was charged.`,
    error.status,
    error.details === undefined ? undefined : { ...error.details },
  );
}

export { MSISDN_HEADER };

function keyOf(raw: string | undefined): string {
  if (raw === undefined || raw === '') {
    throw new NetPayError(
      PLATFORM_ERROR.IDEMPOTENCY_KEY_REQUIRED,
      'This operation needs an Idempotency-Key header.',
      {
        status: 400,
      },
    );
  }
  if (!IDEMPOTENCY_KEY_FORMAT.test(raw)) {
    throw new NetPayError(
      PLATFORM_ERROR.IDEMPOTENCY_KEY_INVALID,
      'Idempotency-Key must be 8–255 characters of A–Z a–z 0–9 _ . : - (a UUID fits).',
      { status: 400 },
    );
  }
  return raw;
}
