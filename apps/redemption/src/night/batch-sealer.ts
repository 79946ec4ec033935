import { ConcurrencyError, type EventMetadata, type EventStore } from '#event-store';
import { deterministicEventId, streams, type RedemptionBatchSealed, type RedemptionItem } from '#events';
import type { Clock } from '#platform';
import { brokerBatchId } from '../domain/batch-ids.js';
import { mergeSegments } from '../domain/segments.js';
import { UNKNOWN_CURRENCY } from '../projection/redemption-projector.js';
import type { RedemptionViewReader, VendorDay } from '../projection/redemption-view.js';
import type { RedemptionTelemetry } from './redemption-telemetry.js';
import type { RedemptionReads } from './store-reads.js';

export interface SealedBatch {
  readonly batchId: string;
  readonly stream: string;
  readonly vendorId: string;
  readonly businessDay: string;
  readonly currency: string;
  readonly items: number;
}

/** A batch the next seal would make (no id yet): the day's view for operators, and rebuild checks. */
export interface PlannedBatch {
  readonly vendorId: string;
  readonly businessDay: string;
  readonly currency: string;
  readonly items: readonly RedemptionItem[];
  /** Σ coins × coin value, minor units of `currency`. */
  readonly amount: number;
}

export interface BatchSealerDeps {
  readonly store: EventStore;
  readonly reads: RedemptionReads;
  readonly view: RedemptionViewReader;
  readonly clock: Clock;
  readonly telemetry: RedemptionTelemetry;
  /** Waits until the model has folded everything in the log (the projection's catch-up). */
  readonly catchUp?: () => Promise<void>;
}

/**
 * A vendor's batch stream holds a seal the read model does not know, even after catching up:
 * the model lost part of its storage. Sealing from it could seal spends twice, skipping would
 * leave them unpaid for ever: the night stops, and the model is rebuilt.
 */
export class ProjectionInconsistentError extends Error {
  readonly code = 'REDEMPTION.PROJECTION_INCONSISTENT';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionInconsistentError';
  }
}

/**
 * Seals the broker's redemption batches from the projection: per vendor and business day, one
 * batch per currency of every not-yet-sealed spend, contiguous spends on a chain merged into one
 * item. The caller has waited for the projection to reach the log's head, so a seal appended
 * earlier has already taken its spends out of pending: sealing again finds nothing to seal.
 */
export class BatchSealer {
  constructor(private readonly deps: BatchSealerDeps) {}

  /** Seals every vendor-day up to and including `businessDay` that has unsealed spends. */
  async sealUpTo(businessDay: string, metadata: EventMetadata): Promise<SealedBatch[]> {
    const sealed: SealedBatch[] = [];
    for (const vendorDay of await this.deps.view.pendingVendorDays(businessDay)) {
      sealed.push(...(await this.sealVendorDay(vendorDay, metadata)));
    }
    return sealed;
  }

  /** What `sealUpTo(businessDay)` would seal now, vendor-day by vendor-day. */
  async preview(businessDay: string): Promise<PlannedBatch[]> {
    const planned: PlannedBatch[] = [];
    for (const { vendorId, businessDay: day } of await this.deps.view.pendingVendorDays(businessDay)) {
      for (const [currency, items] of await this.itemsByCurrency(vendorId, day)) {
        let amount = 0;
        for (const i of items)
          amount +=
            (i.toIndex - i.fromIndex + 1) * ((await this.deps.view.chainTerms(i.chainId))?.coinValue ?? 0);
        planned.push({ vendorId, businessDay: day, currency, items, amount });
      }
    }
    return planned;
  }

  private async sealVendorDay(
    { vendorId, businessDay }: VendorDay,
    metadata: EventMetadata,
  ): Promise<SealedBatch[]> {
    const stream = streams.redemption(vendorId, businessDay);
    let caughtUpForUnknown = false;
    // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
    for (let attempt = 1; ; attempt++) {
      // The stream first, then the model: a seal the model knows has already taken its spends
      // out of pending (both change in one commit); one appended after the snapshot makes the
      // append below fail on the stream's revision.
      const snapshot = await this.deps.reads.batchStream(stream);
      const brokerSeals = snapshot.events.flatMap((e) =>
        e.type === 'RedemptionBatchSealed' && (e.data.source ?? 'broker') === 'broker'
          ? [e.data.batchId]
          : [],
      );
      const unknown = await this.firstUnknown(brokerSeals);
      if (unknown !== undefined) {
        // Another run may have sealed after this one caught up: catch up again and look anew
        // (its seal then takes the spends out of pending). Still unknown: the model is broken.
        if (caughtUpForUnknown || this.deps.catchUp === undefined)
          throw new ProjectionInconsistentError(
            `${stream} holds seal ${unknown}, which the redemption read model does not know`,
          );
        caughtUpForUnknown = true;
        await this.deps.catchUp();
        attempt--;
        continue;
      }
      const byCurrency = await this.itemsByCurrency(vendorId, businessDay);
      if (byCurrency.size === 0) return [];
      const at = this.deps.clock.now().toISOString();
      const batches = [...byCurrency].map(([currency, items], i): [string, RedemptionBatchSealed] => {
        const batchId = brokerBatchId(vendorId, businessDay, brokerSeals.length + 1 + i, currency);
        return [
          currency,
          {
            type: 'RedemptionBatchSealed',
            version: 1,
            data: { batchId, vendorId, businessDay, items, source: 'broker', at },
          },
        ];
      });
      try {
        await this.deps.store.appendToStream(
          stream,
          batches.map(([, e]) => ({
            id: deterministicEventId('redemption', 'seal', e.data.batchId),
            type: e.type,
            version: e.version,
            data: e.data,
            metadata,
          })),
          { expectedRevision: snapshot.revision ?? 'no_stream' },
        );
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
        // A vendor's claim may land in between (retry); a broker seal means another run sealed these spends.
        const now = await this.deps.reads.batchStream(stream);
        const sealedMeanwhile = now.events
          .slice(snapshot.events.length)
          .some((e) => e.type === 'RedemptionBatchSealed' && (e.data.source ?? 'broker') === 'broker');
        if (sealedMeanwhile) return [];
        continue;
      }
      // Two runs sealing the same spends make the same events (deterministic ids): the store
      // takes the second as a duplicate. Only the run whose events were written reports them.
      if (!(await this.writtenBy(stream, batches[0]![1].data.batchId, metadata))) return [];
      return batches.map(([currency, e]) => {
        this.deps.telemetry.sealed(e.data.batchId, vendorId, businessDay, e.data.items.length);
        return {
          batchId: e.data.batchId,
          stream,
          vendorId,
          businessDay,
          currency,
          items: e.data.items.length,
        };
      });
    }
  }

  private async writtenBy(stream: string, batchId: string, metadata: EventMetadata): Promise<boolean> {
    const recorded = await this.deps.store.readStream(stream);
    const seal = recorded.find(
      (e) => e.type === 'RedemptionBatchSealed' && (e.data as { batchId?: unknown }).batchId === batchId,
    );
    return seal?.metadata.correlationId === metadata.correlationId;
  }

  private async firstUnknown(batchIds: readonly string[]): Promise<string | undefined> {
    for (const batchId of batchIds) if ((await this.deps.view.batch(batchId)) === undefined) return batchId;
    return undefined;
  }

  /** Pending spends as redemption items, grouped by the chains' currencies, in a stable order. */
  private async itemsByCurrency(
    vendorId: string,
    businessDay: string,
  ): Promise<Map<string, RedemptionItem[]>> {
    const pending = await this.deps.view.pendingChains(vendorId, businessDay);
    const byCurrency = new Map<string, RedemptionItem[]>();
    for (const chainId of [...pending.keys()].sort()) {
      const currency = (await this.deps.view.chainTerms(chainId))?.currency ?? UNKNOWN_CURRENCY;
      const items = byCurrency.get(currency) ?? [];
      for (const range of mergeSegments(pending.get(chainId)!)) items.push({ chainId, ...range });
      byCurrency.set(currency, items);
    }
    return new Map(
      [...byCurrency].filter(([, items]) => items.length > 0).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
}
