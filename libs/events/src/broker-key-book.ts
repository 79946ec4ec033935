import type { EventMetadata, EventStore } from '#event-store';
import {
  brokerKeyRecords,
  newestBrokerKeyList,
  signBrokerKeyList,
  type PublicKeyRecord,
  type Signer,
  type SignedBrokerKeyList,
} from '#protocol';
import type { BrokerKeyListPublished } from './broker.events.js';
import { deterministicEventId } from './envelope.js';
import { streams } from './streams.js';

export interface BrokerKeyBookOptions {
  readonly store: Pick<EventStore, 'readStream'>;
  /** The pinned root keys (BROKER_ROOT_PUBLIC_KEYS): only lists they signed are believed. */
  readonly rootKeys: readonly PublicKeyRecord[];
  /** Keys pinned directly in configuration (BROKER_PUBLIC_KEYS); always trusted, may be empty. */
  readonly pinned?: readonly PublicKeyRecord[];
  readonly brokerId: string;
}

/**
 * The broker keys one party trusts: those pinned in its configuration, plus the keys of the newest
 * broker key list in the store that a pinned root key signed. `refresh()` reads the list again;
 * a party calls it at start, before a night, or when it meets a key id it does not know, so a
 * broker key rotation reaches every party without a change of their configuration.
 */
export class BrokerKeyBook {
  private current: readonly PublicKeyRecord[];
  private newest: SignedBrokerKeyList | undefined;
  private inFlight: Promise<boolean> | undefined;

  constructor(private readonly o: BrokerKeyBookOptions) {
    this.current = [...(o.pinned ?? [])];
  }

  /** Every trusted key, pinned ones first. */
  get keys(): readonly PublicKeyRecord[] {
    return this.current;
  }

  /** The newest verified list, when one was read. */
  get list(): SignedBrokerKeyList | undefined {
    return this.newest;
  }

  key(keyId: string): PublicKeyRecord | undefined {
    return this.current.find((k) => k.keyId === keyId);
  }

  /** Reads the store's key lists again; `true` when a newer verified list changed the keys. Concurrent calls share one read. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Takes a list learned elsewhere (a reply, a test) if it verifies and is newer. */
  learn(candidate: unknown): boolean {
    const list = newestBrokerKeyList([candidate], this.o.rootKeys, this.o.brokerId);
    if (list === undefined || (this.newest !== undefined && list.version <= this.newest.version))
      return false;
    this.newest = list;
    const pinned = this.o.pinned ?? [];
    const learned = brokerKeyRecords(list).filter((k) => !pinned.some((p) => p.keyId === k.keyId));
    this.current = [...pinned, ...learned];
    return true;
  }

  private async read(): Promise<boolean> {
    if (this.o.rootKeys.length === 0) return false;
    const recorded = await this.o.store.readStream(streams.brokerKeys());
    const list = newestBrokerKeyList(
      recorded.filter((e) => e.type === 'BrokerKeyListPublished').map((e) => e.data),
      this.o.rootKeys,
      this.o.brokerId,
    );
    return list !== undefined && this.learn(list);
  }
}

export interface PublishKeyListOptions {
  readonly brokerId: string;
  /** The root key that signs the list (BROKER_ROOT_SIGNING_KEY). */
  readonly root: Signer;
  /** The broker's working keys, current first. */
  readonly keys: readonly PublicKeyRecord[];
  readonly at: string;
  readonly metadata: EventMetadata;
}

const sameKeys = (list: SignedBrokerKeyList, keys: readonly PublicKeyRecord[]): boolean =>
  list.keys.length === keys.length &&
  list.keys.every((k, i) => k.keyId === keys[i]!.keyId && k.publicKey === keys[i]!.publicKey);

/**
 * Appends a new root-signed key list when the newest one in the store (signed by this root) does
 * not name exactly `keys`; idempotent, and safe with several broker replicas starting at once
 * (the version is taken with the stream's revision). Returns the list now in force.
 */
export async function publishBrokerKeyList(
  store: Pick<EventStore, 'readStream' | 'appendToStream'>,
  o: PublishKeyListOptions,
): Promise<{ list: SignedBrokerKeyList; published: boolean }> {
  const stream = streams.brokerKeys();
  const rootKeys = [{ keyId: o.root.keyId, publicKey: o.root.publicKey }];
  // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
  for (let attempt = 1; ; attempt++) {
    const recorded = await store.readStream(stream);
    const newest = newestBrokerKeyList(
      recorded.filter((e) => e.type === 'BrokerKeyListPublished').map((e) => e.data),
      rootKeys,
      o.brokerId,
    );
    if (newest !== undefined && sameKeys(newest, o.keys)) return { list: newest, published: false };
    const version = Math.max(newest?.version ?? 0, recorded.length) + 1;
    const list = signBrokerKeyList(
      {
        brokerId: o.brokerId,
        version,
        keys: o.keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
        issuedAt: o.at,
        rootKeyId: o.root.keyId,
      },
      o.root,
    );
    const event: BrokerKeyListPublished = { type: 'BrokerKeyListPublished', version: 1, data: list };
    const last = recorded.at(-1);
    try {
      await store.appendToStream(
        stream,
        [
          {
            id: deterministicEventId('broker', 'keylist', o.brokerId, version),
            type: event.type,
            version: event.version,
            data: event.data,
            metadata: o.metadata,
          },
        ],
        { expectedRevision: last === undefined ? 'no_stream' : last.revision },
      );
      return { list, published: true };
    } catch (error) {
      // Another broker replica published meanwhile: look again (type-only import keeps this lib light).
      const code = (error as { code?: unknown }).code;
      if (code !== 'EVENT_STORE.CONCURRENCY' || attempt >= 5) throw error;
    }
  }
}
