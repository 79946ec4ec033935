import { ConcurrencyError, type EventMetadata, type EventStore, type NewEvent } from '#event-store';
import {
  deterministicEventId,
  redemptionLedgerStream,
  type NetPayEvent,
  type RangeRedeemed,
  type RedemptionBatchSealed,
  type RedemptionForgeryDetected,
} from '#events';
import type { KeyRing } from '#protocol';
import { type Clock, inSpan, tracer } from '#platform';
import type { PaymentGateway } from '../../../broker/src/bank/payment-gateway.port.js';
import {
  acceptedTotal,
  foldBatchStream,
  isVerified,
  recordedVerdicts,
  type BatchRecord,
} from '../domain/batch-record.js';
import { keyRetryBatchId, payoutIdempotencyKey } from '../domain/batch-ids.js';
import { REDEMPTION } from '../domain/reasons.js';
import { replayChain, type ChainLedger } from '../domain/chain-ledger.js';
import { FORGERY } from '../domain/reasons.js';
import { verifyBatch, type BatchVerdict } from '../domain/verify-batch.js';
import { mapLimit } from './map-limit.js';
import type { RecordTrust } from './record-trust.js';
import { verdictEvents } from './verdict-events.js';
import type { RedemptionTelemetry } from './redemption-telemetry.js';
import type { ForgedRecord, RedemptionReads, VendorRecord } from './store-reads.js';

const REDEEM_TRACER = tracer('redemption');

/** `refused`: an accepted item did not hold against the chain's stream at payment; nothing was paid. */
export type RedeemStatus = 'paid' | 'nothing-to-pay' | 'declined' | 'unpaid' | 'refused' | 'missing';

export interface RedeemOutcome {
  readonly batchId: string;
  readonly vendorId: string;
  readonly stream: string;
  readonly status: RedeemStatus;
  readonly accepted: number;
  readonly rejected: number;
  readonly amount: number;
  readonly currency?: string;
  readonly paymentRef?: string;
}

export interface BatchRedeemerDeps {
  readonly store: EventStore;
  readonly reads: RedemptionReads;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
  /**
   * The broker's public keys (current and retired): touchstones are checked against them. A
   * lookup function lets them grow while the worker runs (the broker's key list).
   */
  readonly brokerKeys: KeyRing;
  /**
   * Days after its business day during which an item refused only because its touchstone's key
   * is unknown is sealed again for another look (default 30); after that the refusal stands.
   */
  readonly keyRetryDays?: number;
  readonly telemetry: RedemptionTelemetry;
  /** Signs the worker's verdicts and reservations; tells them apart from anyone else's. */
  readonly trust: RecordTrust;
}

const ATTEMPTS = 8;
/** Stream reads in flight at once: enough to hide latency, few enough not to swamp the store. */
const READS_IN_FLIGHT = 64;

/**
 * Verifies and pays one sealed batch, idempotently, in three steps that each survive a crash:
 * 1. verify every item from the chains' own streams and reserve the accepted ranges in each
 *    chain's redemption ledger (expected revision: no range is ever reserved twice);
 * 2. record all verdicts in the batch stream in one append (deterministic ids);
 * 3. pay the accepted total through the gateway with a key derived from the batch id, then
 *    record `VendorPaid`. A rerun skips what is recorded; the bank replays a key it has seen.
 * Reservations and verdicts are signed with the worker's key, and only signed ones are relied
 * on: anyone else's are reported (`RedemptionForgeryDetected`) and left out. Before paying, every
 * accepted item is verified again from the chain's stream and its signed reservation.
 */
export class BatchRedeemer {
  /** Touchstones and certificates this process has already found validly signed. */
  private readonly verified = new Set<string>();

  constructor(private readonly deps: BatchRedeemerDeps) {}

  async redeem(stream: string, batchId: string, metadata: EventMetadata): Promise<RedeemOutcome> {
    let record = await this.record(stream, batchId);
    if (record === undefined) {
      return { batchId, vendorId: '', stream, status: 'missing', accepted: 0, rejected: 0, amount: 0 };
    }
    if (!isVerified(record)) {
      const unverified = record;
      await inSpan(REDEEM_TRACER, 'verify batch', {}, () => this.verify(stream, unverified, metadata));
      record = (await this.record(stream, batchId))!;
    }
    await this.sealKeyRetry(stream, record, metadata);
    const verified = record;
    return inSpan(REDEEM_TRACER, 'pay batch', {}, () => this.pay(stream, verified, metadata));
  }

  /**
   * Items refused only because their touchstone's broker key was unknown are sealed again, in a
   * retry batch of the same vendor-day that the next night verifies with the keys known then (the
   * worker learns keys from the broker's key list), so a key rotation never costs a vendor a coin.
   * Idempotent (the retry batch's id derives from this batch's); stops REDEMPTION_KEY_RETRY_DAYS
   * after the business day, when the refusal stands.
   */
  private async sealKeyRetry(stream: string, record: BatchRecord, metadata: EventMetadata): Promise<void> {
    const unknown = record.rejected.filter((r) => r.reason === REDEMPTION.UNKNOWN_BROKER_KEY);
    if (unknown.length === 0) return;
    const batch = record.sealed;
    const days = this.deps.keyRetryDays ?? 30;
    const dayStart = Date.parse(`${batch.businessDay}T00:00:00.000Z`);
    if (this.deps.clock.now().getTime() > dayStart + days * 86_400_000) return;
    const items = unknown.flatMap((r) => {
      const item = batch.items[r.item];
      return item === undefined ? [] : [item];
    });
    if (items.length === 0) return;
    const retryId = keyRetryBatchId(batch.batchId);
    const seal = {
      type: 'RedemptionBatchSealed',
      version: 1,
      data: {
        batchId: retryId,
        vendorId: batch.vendorId,
        businessDay: batch.businessDay,
        items,
        source: 'broker' as const,
        at: this.deps.clock.now().toISOString(),
      },
    };
    if (
      await this.appendOnce(
        stream,
        (b) => b.has(retryId),
        () => [this.newEvent(seal, metadata, 'seal', retryId)],
      )
    ) {
      this.deps.telemetry.sealed(retryId, batch.vendorId, batch.businessDay, items.length);
    }
  }

  private async record(stream: string, batchId: string): Promise<BatchRecord | undefined> {
    return foldBatchStream((await this.deps.reads.batchStream(stream)).events).get(batchId);
  }

  /** Verdicts of this batch in its stream that the worker did not sign. */
  private async forgedVerdicts(stream: string, batchId: string): Promise<readonly ForgedRecord[]> {
    return (await this.deps.reads.batchStream(stream)).forged.filter((f) => f.batchId === batchId);
  }

  private async verify(stream: string, record: BatchRecord, metadata: EventMetadata): Promise<void> {
    const batch = record.sealed;
    // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
    for (let attempt = 1; ; attempt++) {
      const chainIds = [...new Set(batch.items.map((i) => i.chainId))];
      const chains = await this.replayChains(chainIds);
      const ledgers = new Map(
        await mapLimit(
          chainIds,
          READS_IN_FLIGHT,
          async (id) => [id, await this.deps.reads.redeemed(id)] as const,
        ),
      );
      const redeemed = new Map([...ledgers].map(([id, l]) => [id, l.events] as const));
      // Items whose verdict is recorded already (a crash cut the verdicts' append short) keep it.
      const decided = recordedVerdicts(record);
      const all = verifyBatch({ batch, chains, redeemed });
      const verdict = { ...all, verdicts: all.verdicts.slice(decided) };
      try {
        await this.reserve(batch.batchId, batch.vendorId, verdict, ledgers, metadata);
      } catch (error) {
        // Another batch reserved on one of these chains meanwhile: decide again on the new ledger.
        if (error instanceof ConcurrencyError && attempt < ATTEMPTS) continue;
        throw error;
      }
      if (
        await this.appendOnce(
          stream,
          (b) => b.has(batch.batchId) && isVerified(b.get(batch.batchId)!),
          (b) => {
            const from = recordedVerdicts(b.get(batch.batchId)!);
            const at = this.deps.clock.now().toISOString();
            return verdictEvents(batch.batchId, all, at, (v) => this.deps.trust.signVerdict(stream, v))
              .slice(from)
              .map((e, i) => this.newEvent(e, metadata, 'verdict', batch.batchId, from + i));
          },
        )
      ) {
        this.report(batch.batchId, batch.vendorId, verdict);
      }
      return;
    }
  }

  private async replayChains(chainIds: readonly string[]): Promise<Map<string, ChainLedger>> {
    const histories = await mapLimit(
      chainIds,
      READS_IN_FLIGHT,
      async (id) => [id, await this.deps.reads.chainHistory(id, this.deps.brokerKeys)] as const,
    );
    // Hand-off certificates are checked with the keys their signers registered with the broker.
    const signers = new Set<string>();
    for (const [, history] of histories) {
      for (const e of history) if (e.type === 'IndexHandedOff') signers.add(e.data.certificate.fromVendor);
    }
    const vendors = new Map<string, VendorRecord | undefined>();
    await Promise.all([...signers].map(async (v) => vendors.set(v, await this.deps.reads.vendor(v))));
    const vendorKeys = (vendorId: string): KeyRing => vendors.get(vendorId)?.keys ?? [];
    const keys = { broker: this.deps.brokerKeys, vendorKeys, verified: this.verified };
    return new Map(histories.map(([id, history]) => [id, replayChain(id, history, keys)]));
  }

  private async reserve(
    batchId: string,
    vendorId: string,
    verdict: BatchVerdict,
    ledgers: ReadonlyMap<string, { revision: number | undefined }>,
    metadata: EventMetadata,
  ): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    const byChain = new Map<string, RangeRedeemed[]>();
    for (const v of verdict.verdicts) {
      if (!v.ok || v.reserved) continue;
      const unsigned = {
        chainId: v.chainId,
        vendorId,
        batchId,
        item: v.item,
        fromIndex: v.fromIndex,
        toIndex: v.toIndex,
        at,
      };
      const data = { ...unsigned, signature: this.deps.trust.signReservation(unsigned) };
      byChain.set(v.chainId, [
        ...(byChain.get(v.chainId) ?? []),
        { type: 'RangeRedeemed', version: 1, data },
      ]);
    }
    // The chains all at once; a conflict on any of them makes the caller decide again (what did get
    // reserved is then this batch's own reservation).
    const appends = [...byChain].map(([chainId, events]) =>
      this.reserveOnChain(chainId, events, ledgers.get(chainId)?.revision, metadata),
    );
    const failed = (await Promise.allSettled(appends)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * One range per append, each expecting the revision the previous one left: a store that does
   * not append a batch atomically (JetStream 2.9 goes on after another writer's event) would
   * otherwise let a range verified against the ledger before that writer's event in after it.
   */
  private async reserveOnChain(
    chainId: string,
    events: readonly RangeRedeemed[],
    revision: number | undefined,
    metadata: EventMetadata,
  ): Promise<void> {
    let expectedRevision: number | 'no_stream' = revision ?? 'no_stream';
    for (const e of events) {
      const appended = await this.deps.store.appendToStream(
        redemptionLedgerStream(chainId),
        [this.newEvent(e, metadata, 'reserve', e.data.batchId, e.data.item)],
        { expectedRevision },
      );
      expectedRevision = appended.nextExpectedRevision;
    }
  }

  private async pay(stream: string, record: BatchRecord, metadata: EventMetadata): Promise<RedeemOutcome> {
    const { batchId, vendorId } = record.sealed;
    const { amount, currency } = acceptedTotal(record);
    const base = {
      batchId,
      vendorId,
      stream,
      accepted: record.accepted.length,
      rejected: record.rejected.length,
      amount,
    };
    if (record.paid)
      return { ...base, status: 'paid', currency: record.paid.currency, paymentRef: record.paid.paymentRef };
    const recheck = await this.recheck(stream, record);
    await this.reportForgeries(
      stream,
      record.sealed,
      [...(await this.forgedVerdicts(stream, batchId)), ...recheck.forged, ...recheck.unverified],
      metadata,
    );
    if (recheck.unverified.length > 0) return { ...base, currency, status: 'refused' };
    if (amount === 0 || currency === undefined) return { ...base, status: 'nothing-to-pay' };
    const vendor = await this.deps.reads.vendor(vendorId, this.deps.brokerKeys);
    if (vendor === undefined) {
      this.deps.telemetry.unpaid(batchId, vendorId, 'the vendor is not registered (no bank account)');
      return { ...base, currency, status: 'unpaid' };
    }
    if (vendor.suspended) {
      // Held, not forfeited: a suspended vendor is paid nothing, not even coins it honestly
      // earned; once the operator lifts the suspension, running the night again pays them.
      this.deps.telemetry.unpaid(
        batchId,
        vendorId,
        `held: the vendor is suspended for fraud since ${vendor.suspended.at} (${vendor.suspended.reason})`,
      );
      return { ...base, currency, status: 'unpaid' };
    }
    const attempt = record.declines.length;
    const result = await this.deps.gateway.payout({
      account: vendor.bankAccount,
      amount,
      currency,
      idempotencyKey: payoutIdempotencyKey(batchId, attempt),
      reference: batchId,
    });
    const at = this.deps.clock.now().toISOString();
    if (result.ok) {
      const unsigned = { batchId, vendorId, amount, currency, paymentRef: result.paymentRef, at };
      const paid: NetPayEvent = {
        type: 'VendorPaid',
        version: 1,
        data: { ...unsigned, signature: this.deps.trust.signPayout(stream, unsigned) },
      };
      if (
        await this.appendOnce(
          stream,
          (b) => b.get(batchId)?.paid !== undefined,
          () => [this.newEvent(paid, metadata, 'paid', batchId)],
        )
      ) {
        this.deps.telemetry.paid(batchId, vendorId, amount, currency);
      }
      return { ...base, currency, status: 'paid', paymentRef: result.paymentRef };
    }
    const declined = {
      type: 'VendorPayoutDeclined' as const,
      version: 1 as const,
      data: { batchId, vendorId, amount, currency, attempt, reason: result.reason, at },
    };
    if (
      await this.appendOnce(
        stream,
        (b) => (b.get(batchId)?.declines.length ?? 0) > attempt,
        () => [this.newEvent(declined, metadata, 'declined', batchId, attempt)],
      )
    ) {
      this.deps.telemetry.payoutDeclined(batchId, vendorId, `${result.reason}: ${result.message}`);
    }
    return { ...base, currency, status: 'declined' };
  }

  /**
   * The payment step's own look, trusting no verdict: every accepted item is verified again from
   * its chain's stream, and must be covered by this batch's signed reservation, for the amount and
   * currency its verdict names. Also returns the unsigned reservations met on those chains.
   */
  private async recheck(
    stream: string,
    record: BatchRecord,
  ): Promise<{ forged: ForgedRecord[]; unverified: ForgedRecord[] }> {
    if (record.accepted.length === 0) return { forged: [], unverified: [] };
    const batch = record.sealed;
    const chainIds = [...new Set(record.accepted.map((a) => a.chainId))];
    const chains = await this.replayChains(chainIds);
    const ledgers = await mapLimit(
      chainIds,
      READS_IN_FLIGHT,
      async (id) => [id, await this.deps.reads.redeemed(id)] as const,
    );
    const fresh = verifyBatch({
      batch,
      chains,
      redeemed: new Map(ledgers.map(([id, l]) => [id, l.events] as const)),
    });
    const unverified: ForgedRecord[] = [];
    for (const a of record.accepted) {
      const v = fresh.verdicts[a.item];
      const holds =
        v !== undefined &&
        v.ok &&
        v.reserved &&
        v.chainId === a.chainId &&
        v.fromIndex === a.fromIndex &&
        v.toIndex === a.toIndex &&
        v.amount === a.amount &&
        v.currency === a.currency;
      if (holds) continue;
      const why =
        v === undefined
          ? 'the batch has no such item'
          : !v.ok
            ? `${v.reason}: ${v.detail}`
            : !v.reserved
              ? 'no reservation of this batch signed by the worker covers it'
              : `the chain gives ${v.amount} ${v.currency}, the verdict ${a.amount} ${a.currency}`;
      unverified.push({
        reason: FORGERY.UNVERIFIED_PAYMENT,
        detail: `accepted item ${a.item} (${a.chainId} ${a.fromIndex}..${a.toIndex}) does not hold: ${why}`,
        stream,
        eventId: `${batch.batchId}:${a.item}`,
        eventType: 'RedemptionItemAccepted',
        batchId: batch.batchId,
      });
    }
    return { forged: ledgers.flatMap(([, l]) => l.forged), unverified };
  }

  /** Records each refused record once in the batch's stream, with a log line and a metric. */
  private async reportForgeries(
    stream: string,
    batch: RedemptionBatchSealed['data'],
    found: readonly ForgedRecord[],
    metadata: EventMetadata,
  ): Promise<void> {
    if (found.length === 0) return;
    const reported = await this.deps.reads.reportedForgeries(stream);
    const fresh = found.filter(
      (f, i) =>
        !reported.has(`${f.reason}:${f.eventId}`) &&
        found.findIndex((g) => g.reason === f.reason && g.eventId === f.eventId) === i,
    );
    if (fresh.length === 0) return;
    const at = this.deps.clock.now().toISOString();
    const events = fresh.map((f): NewEvent => {
      const data: RedemptionForgeryDetected['data'] = {
        batchId: batch.batchId,
        vendorId: batch.vendorId,
        reason: f.reason,
        stream: f.stream,
        eventId: f.eventId,
        eventType: f.eventType,
        detail: f.detail,
        at,
      };
      const event = { type: 'RedemptionForgeryDetected', version: 1, data };
      return this.newEvent(event, metadata, 'forgery', batch.batchId, f.reason, f.eventId);
    });
    if (
      await this.appendOnce(
        stream,
        () => false,
        () => events,
      )
    ) {
      for (const f of fresh) this.deps.telemetry.forgery(batch.batchId, batch.vendorId, f.reason, f.detail);
    }
  }

  /**
   * Appends `events()` to the batch stream unless `done` already holds there; retries on a
   * concurrent append. `true` when this call appended them.
   */
  private async appendOnce(
    stream: string,
    done: (batches: Map<string, BatchRecord>) => boolean,
    events: (batches: Map<string, BatchRecord>) => NewEvent[],
  ): Promise<boolean> {
    // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.deps.reads.batchStream(stream);
      const batches = foldBatchStream(snapshot.events);
      if (done(batches)) return false;
      try {
        await this.deps.store.appendToStream(stream, events(batches), {
          expectedRevision: snapshot.revision ?? 'no_stream',
        });
        return true;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private newEvent(
    event: { type: string; version: number; data: unknown },
    metadata: EventMetadata,
    ...idParts: (string | number)[]
  ): NewEvent {
    return {
      id: deterministicEventId('redemption', ...idParts),
      type: event.type,
      version: event.version,
      data: event.data,
      metadata,
    };
  }

  private report(batchId: string, vendorId: string, verdict: BatchVerdict): void {
    let accepted = 0;
    for (const v of verdict.verdicts) {
      if (v.ok) accepted++;
      else this.deps.telemetry.itemRejected(batchId, vendorId, v);
    }
    if (accepted > 0) this.deps.telemetry.itemsAccepted(batchId, vendorId, accepted);
  }
}
