import { ConcurrencyError, type EventStore } from '#event-store';
import { deterministicEventId, streams, type RedemptionBatchSealed } from '#events';
import { NetPayError, type Clock } from '#platform';
import { isHex } from '#protocol';
import { foldBatchStream } from '../domain/batch-record.js';
import { vendorBatchId } from '../domain/batch-ids.js';
import { isBusinessDay, isFutureBusinessDay } from '../domain/business-day.js';
import { checkVendorClaimSignature, type VendorClaim } from '../domain/vendor-claim.js';
import type { RedemptionReads } from '../night/store-reads.js';

export const CLAIM_ERROR = {
  INVALID: 'REDEMPTION.CLAIM_INVALID',
  VENDOR_NOT_FOUND: 'REDEMPTION.VENDOR_NOT_FOUND',
  SIGNATURE_INVALID: 'REDEMPTION.CLAIM_SIGNATURE_INVALID',
  CLAIM_ID_REUSED: 'REDEMPTION.CLAIM_ID_REUSED',
} as const;

const ID = /^[A-Za-z0-9_]{1,64}$/;
export const MAX_CLAIM_ITEMS = 10_000;
/** How far ahead of the worker's a vendor's clock may be when it claims a day that just began. */
const CLAIM_CLOCK_SLACK_MS = 10 * 60_000;

export interface SubmittedClaim {
  readonly batchId: string;
  readonly stream: string;
  /** `false` when this claim id was already sealed (a retry): nothing changed. */
  readonly created: boolean;
}

/**
 * A vendor claims its own items for a day. The claim must be signed with a key the vendor
 * registered; that only says who claims, not that the claim is true: the batch is sealed as
 * `source: vendor` and verified at the next night like any other, item by item.
 */
export class VendorClaims {
  constructor(
    private readonly store: EventStore,
    private readonly reads: RedemptionReads,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  async submit(claim: VendorClaim): Promise<SubmittedClaim> {
    checkShape(claim);
    // A vendor's clock may be a little ahead at midnight; a day later than that is not a claim.
    if (isFutureBusinessDay(claim.businessDay, this.clock.now(), this.timeZone, CLAIM_CLOCK_SLACK_MS)) {
      throw new NetPayError(CLAIM_ERROR.INVALID, `businessDay ${claim.businessDay} has not begun yet`, {
        status: 400,
      });
    }
    const vendor = await this.reads.vendor(claim.vendorId);
    if (vendor === undefined) {
      throw new NetPayError(CLAIM_ERROR.VENDOR_NOT_FOUND, `vendor ${claim.vendorId} is not registered`, {
        status: 404,
      });
    }
    // A retired key (lost or stolen) claims nothing: its holder could otherwise file false claims in
    // the vendor's name and earn it fraud strikes.
    const inUse = vendor.keys.filter((k) => !vendor.retiredKeyIds.has(k.keyId));
    const signature = checkVendorClaimSignature(claim, inUse);
    if (!signature.ok)
      throw new NetPayError(CLAIM_ERROR.SIGNATURE_INVALID, signature.message, { status: 401 });
    const batchId = vendorBatchId(claim.vendorId, claim.businessDay, claim.claimId);
    const stream = streams.redemption(claim.vendorId, claim.businessDay);
    const data: RedemptionBatchSealed['data'] = {
      batchId,
      vendorId: claim.vendorId,
      businessDay: claim.businessDay,
      items: claim.items.map((i) => ({
        chainId: i.chainId,
        fromIndex: i.fromIndex,
        toIndex: i.toIndex,
        proofPayword: i.proofPayword,
      })),
      source: 'vendor',
      at: this.clock.now().toISOString(),
    };
    // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.reads.batchStream(stream);
      const existing = foldBatchStream(snapshot.events).get(batchId);
      if (existing !== undefined) {
        if (JSON.stringify(existing.sealed.items) !== JSON.stringify(data.items)) {
          throw new NetPayError(
            CLAIM_ERROR.CLAIM_ID_REUSED,
            `claim ${claim.claimId} was sealed with other items`,
            { status: 409 },
          );
        }
        return { batchId, stream, created: false };
      }
      try {
        await this.store.appendToStream(
          stream,
          [
            {
              id: deterministicEventId('redemption', 'claim', batchId),
              type: 'RedemptionBatchSealed',
              version: 1,
              data,
              metadata: {
                correlationId: batchId,
                causationId: claim.claimId,
                actor: `vendor:${claim.vendorId}`,
              },
            },
          ],
          { expectedRevision: snapshot.revision ?? 'no_stream' },
        );
        return { batchId, stream, created: true };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
      }
    }
  }
}

/** Structure only (the DTO checks it too): whether the claim says anything true is for the night. */
function checkShape(claim: VendorClaim): void {
  const invalid = (why: string): never => {
    throw new NetPayError(CLAIM_ERROR.INVALID, why, { status: 400 });
  };
  if (!ID.test(claim.vendorId) || !ID.test(claim.claimId))
    invalid('vendorId and claimId must be ids ([A-Za-z0-9_], 1-64)');
  if (!isBusinessDay(claim.businessDay)) invalid(`businessDay "${claim.businessDay}" is not YYYY-MM-DD`);
  if (claim.items.length === 0 || claim.items.length > MAX_CLAIM_ITEMS)
    invalid(`a claim has 1..${MAX_CLAIM_ITEMS} items`);
  claim.items.forEach((item, i) => {
    if (!ID.test(item.chainId)) invalid(`items[${i}].chainId is not an id`);
    if (
      !Number.isSafeInteger(item.fromIndex) ||
      item.fromIndex < 1 ||
      !Number.isSafeInteger(item.toIndex) ||
      item.toIndex < item.fromIndex
    ) {
      invalid(`items[${i}]: ${item.fromIndex}..${item.toIndex} is not a range of positions`);
    }
    if (!isHex(item.proofPayword, 32) && !isHex(item.proofPayword, 16))
      invalid(`items[${i}].proofPayword is not a payword`);
  });
}
