import type { EventStore, RecordedEvent, StreamRevision } from '#event-store';
import {
  CHAIN_EVENT_TYPES,
  decode,
  issuedWithUnknownKey,
  judgeChainEvent,
  redemptionLedgerStream,
  streams,
  type ChainEvent,
  type RangeRedeemed,
  type RedemptionForgeryDetected,
} from '#events';
import { type KeyRing, type PublicKeyRecord, verifyRevocationNotice } from '#protocol';
import { BATCH_STREAM_EVENT_TYPES, type BatchStreamEvent } from '../domain/batch-record.js';
import type { RedeemedRange } from '../domain/verify-batch.js';
import type { Distrust, RecordTrust } from './record-trust.js';

const ID = /^[A-Za-z0-9_]{1,64}$/;
const RANGE_REDEEMED: ReadonlySet<string> = new Set(['RangeRedeemed']);

/** A vendor as the broker registered it: where to pay, and the keys its certificates may use. */
export interface VendorRecord {
  readonly vendorId: string;
  readonly bankAccount: string;
  /** Every key it registered, retired ones too: hand-offs signed before a retirement still verify. */
  readonly keys: readonly PublicKeyRecord[];
  /** Ids of keys the operator retired (`VendorKeyRetired`): no claim signed with one is taken. */
  readonly retiredKeyIds: ReadonlySet<string>;
  /**
   * The vendor's fraud suspension in force (`VendorSuspended` not followed by `VendorReinstated`),
   * believed only when its notice verifies with the broker keys given to `vendor()`.
   */
  readonly suspended?: { readonly at: string; readonly reason: string };
}

export interface StreamSnapshot<T> {
  readonly events: readonly T[];
  /** Revision of the stream's last event; `undefined` when the stream does not exist. */
  readonly revision: StreamRevision | undefined;
  /** Records left out of `events`: they look like the worker's own but it did not sign them. */
  readonly forged: readonly ForgedRecord[];
}

/** A verdict or reservation in the store that the worker did not write. */
export interface ForgedRecord extends Distrust {
  readonly stream: string;
  readonly eventId: string;
  readonly eventType: string;
  /** The batch the record names. */
  readonly batchId: string;
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
  /** Without `trust` every record is taken as written (reads that only need the seals). */
  constructor(
    private readonly store: EventStore,
    private readonly trust?: RecordTrust,
  ) {}

  /**
   * The chain's stream (empty for an id that is not even a valid id: such a chain is unknown).
   * A broker-typed event (issue, checkout, withdrawal, revocation, close) is kept only with the
   * broker's valid signature by one of `brokerKeys`: any vendor may append to a chain stream.
   */
  async chainHistory(chainId: string, brokerKeys: KeyRing): Promise<ChainEvent[]> {
    if (!ID.test(chainId)) return [];
    const stream = streams.chain(chainId);
    const recorded = await this.store.readStream(stream);
    const believed = recorded.filter((r) => {
      const verdict = judgeChainEvent(stream, r, brokerKeys);
      // An issue under a key not learned yet goes on to the touchstone check ("unknown key", retried).
      return verdict === 'vendor' || verdict === 'valid' || issuedWithUnknownKey(r, brokerKeys);
    });
    return typed<ChainEvent>(believed, CHAIN_EVENT_TYPES);
  }

  async vendor(vendorId: string, brokerKeys: KeyRing = []): Promise<VendorRecord | undefined> {
    if (!ID.test(vendorId)) return undefined;
    const recorded = await this.store.readStream(streams.vendor(vendorId));
    let vendor: VendorRecord | undefined;
    let suspended: VendorRecord['suspended'];
    for (const r of recorded) {
      const e = decode(r);
      if (e?.type === 'VendorRegistered' && vendor === undefined) {
        const key = { ...e.data.key, ownerId: vendorId };
        vendor = { vendorId, bankAccount: e.data.bankAccount, keys: [key], retiredKeyIds: new Set() };
      } else if (e?.type === 'VendorKeyRotated' && vendor !== undefined) {
        vendor = { ...vendor, keys: [...vendor.keys, { ...e.data.key, ownerId: vendorId }] };
      } else if (e?.type === 'VendorKeyRetired' && vendor !== undefined) {
        vendor = { ...vendor, retiredKeyIds: new Set([...vendor.retiredKeyIds, e.data.keyId]) };
      } else if (e?.type === 'VendorSuspended' || e?.type === 'VendorReinstated') {
        // Only the broker's own notice about this vendor counts (anyone able to append could write one).
        const n = e.data.notice;
        const ok =
          n.kind === 'vendor' &&
          n.id === vendorId &&
          (n.lifted === true) === (e.type === 'VendorReinstated') &&
          verifyRevocationNotice(n, brokerKeys).ok;
        if (ok) suspended = e.type === 'VendorSuspended' ? { at: n.at, reason: n.reason } : undefined;
      }
    }
    return vendor && suspended ? { ...vendor, suspended } : vendor;
  }

  /** Ranges already redeemed on a chain, and the ledger stream's revision for the next append. */
  async redeemed(chainId: string): Promise<StreamSnapshot<RedeemedRange>> {
    if (!ID.test(chainId)) return { events: [], revision: undefined, forged: [] };
    const stream = redemptionLedgerStream(chainId);
    const recorded = await this.store.readStream(stream);
    const ranges: RedeemedRange[] = [];
    const forged: ForgedRecord[] = [];
    for (const r of recorded) {
      const [event] = typed<RangeRedeemed>([r], RANGE_REDEEMED);
      if (event === undefined) continue;
      const { data } = event;
      const distrust = this.trust?.reservation(data, r.position);
      if (distrust !== undefined) {
        forged.push({ ...distrust, stream, eventId: r.id, eventType: r.type, batchId: data.batchId });
        continue;
      }
      ranges.push({
        fromIndex: data.fromIndex,
        toIndex: data.toIndex,
        vendorId: data.vendorId,
        batchId: data.batchId,
        item: data.item,
      });
    }
    return { events: ranges, revision: recorded.at(-1)?.revision, forged };
  }

  /** A vendor-day stream's redemption events: verdicts and payouts only when the worker signed them. */
  async batchStream(stream: string): Promise<StreamSnapshot<BatchStreamEvent>> {
    const recorded = await this.store.readStream(stream);
    const events: BatchStreamEvent[] = [];
    const forged: ForgedRecord[] = [];
    for (const r of recorded) {
      const [event] = typed<BatchStreamEvent>([r], BATCH_STREAM_EVENT_TYPES);
      if (event === undefined) continue;
      if (
        event.type === 'RedemptionItemAccepted' ||
        event.type === 'RedemptionItemRejected' ||
        event.type === 'VendorPaid'
      ) {
        const distrust =
          event.type === 'VendorPaid'
            ? this.trust?.payout(stream, event.data, r.position)
            : this.trust?.verdict(stream, event, r.position);
        if (distrust !== undefined) {
          forged.push({ ...distrust, stream, eventId: r.id, eventType: r.type, batchId: event.data.batchId });
          continue;
        }
      }
      events.push(event);
    }
    return { events, revision: recorded.at(-1)?.revision, forged };
  }

  /** Ids of the records already reported as forged in a vendor-day stream. */
  async reportedForgeries(stream: string): Promise<Set<string>> {
    const reported = new Set<string>();
    for (const r of await this.store.readStream(stream)) {
      if (r.type !== 'RedemptionForgeryDetected') continue;
      // Only suppresses a repeated report: nothing is paid or refused on the strength of it.
      const d = r.data as Partial<RedemptionForgeryDetected['data']>;
      if (typeof d.reason === 'string' && typeof d.eventId === 'string')
        reported.add(`${d.reason}:${d.eventId}`);
    }
    return reported;
  }
}
