/**
 * `@netpay/nest-paid`: NetPay's pay-per-request plug-in for NestJS (Fastify adapter).
 *
 *     imports: [NetPayModule.forRoot({ vendorId, signingKey, brokerKeys, accepted, ... })]
 *     @Get(':id') @Paid(2) read(@PaidWith() paid?: SpendOutcome) { ... }
 *
 * An unpaid request answers 402 (application/problem+json) with the price and how to pay; a
 * paid one is verified and durably recorded before the handler runs. The module registers its
 * own exception filter: nothing else is needed.
 */
export { NetPayModule, type NetPayOptions } from './netpay.module.js';
export { NetPayVendorModule } from '../../../apps/vendor/src/netpay/netpay-vendor.module.js';
export type { NetPayVendorOptions } from '../../../apps/vendor/src/netpay/netpay-vendor.options.js';
export { Paid } from '../../../apps/vendor/src/netpay/paid.decorator.js';
export { PaidWith, type PaidRouteOptions } from '../../../apps/vendor/src/netpay/paid.metadata.js';
export { ANSWER_HEADERS, PAYMENT_HEADERS } from '../../../apps/vendor/src/netpay/payment-header.js';
export type { SpendOutcome } from '../../../apps/vendor/src/spend-coins/spend-coins.command.js';
export type { AcceptedChains } from '../../../apps/vendor/src/spend-coins/spend-coins.handler.js';
export { VendorEngine } from '../../../apps/vendor/src/engine/vendor-engine.js';
export { NetPayError, NetPayExceptionFilter } from '#platform';
export { eventStoreSettingsFromEnv, type EventStoreSettings } from '#event-store';
export { generateSigningKey, type PublicKeyRecord, signingKeyFromPrivate, type SigningKey } from '#protocol';
export { brokerKeys } from './broker-keys.js';
