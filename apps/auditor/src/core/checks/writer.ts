import type { AuditedEvent } from '../parse/parse-event.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

const BROKER = ['broker', 'operator'] as const;
const WORKER = ['redemption'] as const;

/**
 * Who may write an event, by its type and data: the actors (`EventMetadata.actor`) the services
 * record. `undefined`: the auditor has no rule for it.
 */
function allowedWriters(event: AuditedEvent): readonly string[] | undefined {
  switch (event.type) {
    case 'CoinsSpent':
      return [`vendor:${event.data.vendorId}`];
    case 'IndexHandedOff':
      // The holder hands over: it appends the certificate it signed.
      return [`vendor:${event.data.certificate.fromVendor}`];
    case 'ChainClaimed':
      return [`vendor:${event.data.toVendor}`];
    case 'ChainIssued':
    case 'WalletCheckedOut':
    case 'ChainRevoked':
    case 'ChainClosed':
    case 'SliceWithdrawn':
    case 'VendorWithdrawn':
    case 'VendorRegistered':
    case 'VendorKeyRotated':
    case 'VendorShopOriginsSet':
    case 'VendorKeyRetired':
    case 'ServerWalletSeedStored':
    case 'VendorFraudRecorded':
    case 'VendorSuspended':
    case 'VendorReinstated':
    case 'CustomerRevoked':
    case 'CustomerReinstated':
      return BROKER;
    case 'CustomerRegistered':
    case 'VendorAuthorised':
    case 'VendorDeauthorised':
    case 'PurchaseRequested':
    case 'CoinsPurchased':
    case 'PurchaseDeclined':
    case 'PurchaseVoided':
    case 'CoinsRefunded':
    case 'RefundDeclined':
    case 'RefundAccountChosen':
    case 'CoinsExpiredSettled':
    case 'ChainReissued':
      return [...BROKER, `customer:${event.data.customerId}`];
    case 'RedemptionBatchSealed':
      // A vendor's own claim is sealed under its name; every other seal is the worker's.
      return (event.data.source ?? 'broker') === 'vendor' ? [`vendor:${event.data.vendorId}`] : WORKER;
    case 'RedemptionItemAccepted':
    case 'RedemptionItemRejected':
    case 'VendorPaid':
    case 'VendorPayoutDeclined':
    case 'RangeRedeemed':
    case 'RedemptionForgeryDetected':
      return WORKER;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/**
 * R0: every event names its writer (`metadata.actor`), and the writer must be the role that owns
 * the event: a vendor writes only its own spends, hand-offs and claims, the redemption worker its
 * bookkeeping, the broker the rest. The actor is what the writer declared: this catches a service
 * writing what is not its to write, and a forger that names itself; a forger that lies about its
 * name is caught by the signatures (touchstones, certificates, the worker's records) and by the
 * store's per-role write permissions, not here. Customer identities are never printed.
 */
export function checkWriter(ctx: CheckContext, event: AuditedEvent, actor: unknown): void {
  const allowed = allowedWriters(event);
  if (allowed === undefined) return;
  if (typeof actor === 'string' && allowed.includes(actor)) return;
  const shown = (a: unknown): string =>
    typeof a !== 'string' ? 'no actor' : a.startsWith('customer:') ? 'customer:…' : a;
  ctx.report.violation(
    RULES.WRITER_NOT_ALLOWED,
    `${event.type} written by ${shown(actor)}; only ${allowed.map(shown).join(' or ')} may write it`,
    'chainId' in event.data && typeof event.data.chainId === 'string' ? event.data.chainId : undefined,
  );
}
