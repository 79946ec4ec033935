import type { EventStore, RecordedEvent, StreamRevision } from '#event-store';
import {
  CHAIN_EVENT_TYPES,
  decode,
  redemptionLedgerStream,
  streams,
  type ChainEvent,
  type RangeRedeemed,
} from '#events';
import type { PublicKeyRecord } from '#protocol';
import { BATCH_STREAM_EVENT_TYPES, type BatchStreamEvent } from '../domain/batch-record.js';
import type { RedeemedRange } from '../domain/verify-batch.js';

const ID = /^[A-Za-z0-9_]{1,64}$/;

/** A vendor as the broker registered it: where to pay, and the keys its certificates may use. */
export interface VendorRecord {
  readonly vendorId: string;
  readonly bankAccount: string;
  readonly keys: readonly PublicKeyRecord[];
}

export interface StreamSnapshot<T> {
  readonly events: readonly T[];
  /** Revision of the stream's last event; `undefined` when the stream does not exist. */
  readonly revision: StreamRevision | undefined;
}

/** Current-version events of the given types; anything else in the stream is skipped. */
function typed<T>(recorded: readonly RecordedEvent[], types: ReadonlySet<string>): T[] {
  return recorded.flatMap((r) => {
    if (!types.has(r.type)) return [];
    const event = decode(r);
    return event === undefined ? [] : [{ type: event.type, version: event.version, data: event.data } as T];
  });
}

/** What the redemption worker reads from the store: chain histories, vendors, ledgers, batches. */
export class RedemptionReads {
  constructor(private readonly store: EventStore) {}

  /** The chain's stream (empty for an id that is not even a valid id: such a chain is unknown). */
  async chainHistory(chainId: string): Promise<ChainEvent[]> {
    if (!ID.test(chainId)) return [];
    return typed<ChainEvent>(await this.store.readStream(streams.chain(chainId)), CHAIN_EVENT_TYPES);
  }

  async vendor(vendorId: string): Promise<VendorRecord | undefined> {
    if (!ID.test(vendorId)) return undefined;
    const recorded = await this.store.readStream(streams.vendor(vendorId));
    let vendor: VendorRecord | undefined;
    for (const r of recorded) {
      const e = decode(r);
      if (e?.type === 'VendorRegistered' && vendor === undefined) {
        const key = { ...e.data.key, ownerId: vendorId };
        vendor = { vendorId, bankAccount: e.data.bankAccount, keys: [key] };
      } else if (e?.type === 'VendorKeyRotated' && vendor !== undefined) {
        vendor = { ...vendor, keys: [...vendor.keys, { ...e.data.key, ownerId: vendorId }] };
      }
    }
    return vendor;
  }

  /** Ranges already redeemed on a chain, and the ledger stream's revision for the next append. */
  async redeemed(chainId: string): Promise<StreamSnapshot<RedeemedRange>> {
    if (!ID.test(chainId)) return { events: [], revision: undefined };
    const recorded = await this.store.readStream(redemptionLedgerStream(chainId));
    const ranges = typed<RangeRedeemed>(recorded, new Set(['RangeRedeemed'])).map(({ data }) => ({
      fromIndex: data.fromIndex,
      toIndex: data.toIndex,
      vendorId: data.vendorId,
      batchId: data.batchId,
      item: data.item,
    }));
    return { events: ranges, revision: recorded.at(-1)?.revision };
  }

  /** A vendor-day stream's redemption events. */
  async batchStream(stream: string): Promise<StreamSnapshot<BatchStreamEvent>> {
    const recorded = await this.store.readStream(stream);
    return {
      events: typed<BatchStreamEvent>(recorded, BATCH_STREAM_EVENT_TYPES),
      revision: recorded.at(-1)?.revision,
    };
  }
}
