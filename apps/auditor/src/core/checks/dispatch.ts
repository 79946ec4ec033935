import type { AuditedEvent } from '../parse/parse-event.js';
import type { CheckContext } from './context.js';
import {
  onChainClaimed,
  onIndexHandedOff,
  onSliceWithdrawn,
  onVendorWithdrawn,
  onWalletCheckedOut,
} from './holder.js';
import { onCoinsExpiredSettled } from './expiry.js';
import { onRefundAccountChosen, onRefundDeclined } from './refunds.js';
import {
  onCustomerReinstated,
  onCustomerRevoked,
  onVendorFraudRecorded,
  onVendorReinstated,
  onVendorSuspended,
} from './fraud.js';
import { onChainIssued } from './issue.js';
import { onChainClosed, onChainReissued, onChainRevoked } from './lifecycle.js';
import {
  onCustomerRegistered,
  onVendorAuthorisation,
  onVendorKeyRotated,
  onVendorRegistered,
} from './parties.js';
import {
  onCoinsPurchased,
  onCoinsRefunded,
  onPurchaseDeclined,
  onPurchaseRequested,
  onPurchaseVoided,
} from './purchases.js';
import { onRangeRedeemed } from './redemption-ledger.js';
import {
  onBatchSealed,
  onItemAccepted,
  onItemRejected,
  onVendorPaid,
  onVendorPayoutDeclined,
} from './redemption.js';
import { onCoinsSpent } from './spend.js';

/** One parsed event through the checks that concern it. */
export function applyEvent(ctx: CheckContext, event: AuditedEvent): void {
  switch (event.type) {
    case 'ChainIssued':
      return onChainIssued(ctx, event.data);
    case 'WalletCheckedOut':
      return onWalletCheckedOut(ctx, event.data);
    case 'CoinsSpent':
      return onCoinsSpent(ctx, event.data);
    case 'IndexHandedOff':
      return onIndexHandedOff(ctx, event.data);
    case 'ChainClaimed':
      return onChainClaimed(ctx, event.data);
    case 'SliceWithdrawn':
      return onSliceWithdrawn(ctx, event.data);
    case 'VendorWithdrawn':
      return onVendorWithdrawn(ctx, event.data);
    case 'ChainRevoked':
      return onChainRevoked(ctx, event.data);
    case 'ChainClosed':
      return onChainClosed(ctx, event.data);
    case 'CustomerRegistered':
      return onCustomerRegistered(ctx, event.data);
    case 'VendorAuthorised':
    case 'VendorDeauthorised':
      return onVendorAuthorisation(ctx, event.type, event.data);
    case 'CoinsPurchased':
      return onCoinsPurchased(ctx, event.data);
    case 'PurchaseDeclined':
      return onPurchaseDeclined(ctx, event.data);
    case 'PurchaseRequested':
      return onPurchaseRequested(ctx, event.data);
    case 'PurchaseVoided':
      return onPurchaseVoided(ctx, event.data);
    case 'CoinsRefunded':
      return onCoinsRefunded(ctx, event.data);
    case 'RefundDeclined':
      return onRefundDeclined(ctx, event.data);
    case 'RefundAccountChosen':
      return onRefundAccountChosen(ctx, event.data);
    case 'CoinsExpiredSettled':
      return onCoinsExpiredSettled(ctx, event.data);
    case 'ChainReissued':
      return onChainReissued(ctx, event.data);
    case 'ServerWalletSeedStored':
      ctx.ledger.customerOfChain.set(event.data.chainId, event.data.customerId);
      return ctx.ledger.identities.add(event.data.customerId, 'customer id', event.data.customerId);
    case 'VendorRegistered':
      return onVendorRegistered(ctx, event.data);
    case 'VendorKeyRotated':
      return onVendorKeyRotated(ctx, event.data);
    case 'VendorShopOriginsSet':
      // Where the broker's wallet frame may be embedded: no money, nothing to check.
      return;
    case 'VendorKeyRetired':
      // The key verifies what it signed before; its embedded certificates bound when that was.
      return;
    case 'VendorFraudRecorded':
      return onVendorFraudRecorded(ctx, event.data);
    case 'VendorSuspended':
      return onVendorSuspended(ctx, event.data);
    case 'VendorReinstated':
      return onVendorReinstated(ctx, event.data);
    case 'CustomerRevoked':
      return onCustomerRevoked(ctx, event.data);
    case 'CustomerReinstated':
      return onCustomerReinstated(ctx, event.data);
    case 'RedemptionBatchSealed':
      return onBatchSealed(ctx, event.data);
    case 'RedemptionItemAccepted':
      return onItemAccepted(ctx, event.data);
    case 'RedemptionItemRejected':
      return onItemRejected(ctx, event.data);
    case 'VendorPaid':
      return onVendorPaid(ctx, event.data);
    case 'VendorPayoutDeclined':
      return onVendorPayoutDeclined(ctx, event.data);
    case 'RangeRedeemed':
      return onRangeRedeemed(ctx, event.data);
    case 'RedemptionForgeryDetected':
      // The worker's own report; the auditor finds the refused record itself (R3.UNSIGNED_REDEMPTION_RECORD).
      return;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
