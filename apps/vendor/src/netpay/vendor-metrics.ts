import type { Logger } from '@nestjs/common';
import type { MetricsService } from '#platform';
import type { VendorObserver } from '../engine/vendor-observer.js';

/** Prometheus counters (when the app has `MetricsModule`) and a log line per claim. */
export function vendorObserver(vendorId: string, logger: Logger, metrics?: MetricsService): VendorObserver {
  const spends = metrics?.counter('netpay_vendor_spends_total', 'Spends recorded', [
    'vendor',
    'wallet',
    'duplicate',
  ]);
  const coins = metrics?.counter('netpay_vendor_coins_total', 'Coins accepted (retries not counted)', [
    'vendor',
    'wallet',
  ]);
  const refusals = metrics?.counter('netpay_vendor_refusals_total', 'Spends refused, by code', [
    'vendor',
    'code',
  ]);
  const handOffs = metrics?.counter('netpay_vendor_hand_offs_total', 'Chains that changed hands', [
    'vendor',
    'direction',
  ]);
  const busRefusals = metrics?.counter(
    'netpay_vendor_bus_refusals_total',
    'Bus messages from other parties refused or dropped, by message and code',
    ['vendor', 'message', 'code'],
  );
  const handOffSeconds = metrics?.histogram(
    'netpay_vendor_hand_off_seconds',
    'Hand-offs this vendor asked for, from request to the chain in hand, by outcome',
    ['vendor', 'outcome'],
  );
  // Every series a dashboard or alert reads exists from the start, at 0 (an absent series shows
  // "no data" and makes a rate over it empty, not 0).
  for (const wallet of ['client', 'server']) {
    for (const duplicate of ['false', 'true']) spends?.inc({ vendor: vendorId, wallet, duplicate }, 0);
    coins?.inc({ vendor: vendorId, wallet }, 0);
  }
  for (const direction of ['given', 'taken', 'claimed']) handOffs?.inc({ vendor: vendorId, direction }, 0);
  return {
    handOffTimed(outcome, seconds) {
      handOffSeconds?.observe(seconds, { vendor: vendorId, outcome });
    },
    messageRefused(message, code) {
      busRefusals?.inc({ vendor: vendorId, message, code });
    },
    forgedChainEvent(forged) {
      // A broker-typed chain event without the broker's valid signature, or a hand-off or claim
      // without its vendor's: ignored, counted, logged.
      const signer = forged.type === 'IndexHandedOff' || forged.type === 'ChainClaimed' ? 'VENDOR' : 'BROKER';
      const code = `${signer}_SIGNATURE.${forged.verdict === 'unsigned' ? 'MISSING' : 'INVALID'}`;
      busRefusals?.inc({ vendor: vendorId, message: 'chain-event', code });
      logger.warn(
        `ignored a forged ${forged.type} at ${forged.stream}@${forged.revision} (${code}, written as ` +
          `${forged.actor ?? 'unknown'})`,
      );
    },
    ignoredChainEvent(ignored) {
      // A spend another vendor appended whose payword does not hash down to the chain, or a
      // hand-off or claim not from the holder at the chain's state: not believed.
      const code = ignored.type === 'CoinsSpent' ? 'SPEND.PAYWORD_FORGED' : 'HOLDER.MOVE_MISMATCH';
      busRefusals?.inc({ vendor: vendorId, message: 'chain-event', code });
      logger.warn(
        `ignored a forged ${ignored.type} at chain-${ignored.chainId}@${ignored.revision} ` +
          `(${code}, names ${ignored.vendorId}: ${ignored.reason})`,
      );
    },
    spent(wallet, count, duplicate) {
      spends?.inc({ vendor: vendorId, wallet, duplicate: String(duplicate) });
      if (!duplicate) coins?.inc({ vendor: vendorId, wallet }, count);
    },
    refused(code) {
      refusals?.inc({ vendor: vendorId, code });
    },
    handedOff() {
      handOffs?.inc({ vendor: vendorId, direction: 'given' });
    },
    tookOver(chainId, fromVendor, how, reason) {
      handOffs?.inc({ vendor: vendorId, direction: how === 'claim' ? 'claimed' : 'taken' });
      if (how === 'claim')
        logger.warn(`claimed chain ${chainId} from silent holder ${fromVendor} (${reason ?? 'timeout'})`);
    },
  };
}
