import { LRUCache } from 'lru-cache';
import {
  BROKER_SIGNATURE_FIELD,
  checkChainEventSignature,
  resolveKey,
  signChainEvent,
  type KeyRing,
  type PublicKeyRecord,
  type Signer,
} from '#protocol';
import type { ChainEvent, ChainEventType } from './chain.events.js';

// A record, so that a new chain event type must be classed as the broker's or a vendor's.
const AUTHOR: Record<ChainEventType, 'broker' | 'vendor'> = {
  ChainIssued: 'broker',
  WalletCheckedOut: 'broker',
  SliceWithdrawn: 'broker',
  ChainRevoked: 'broker',
  ChainClosed: 'broker',
  CoinsSpent: 'vendor',
  IndexHandedOff: 'vendor',
  ChainClaimed: 'vendor',
};

/**
 * The chain events only the broker writes. Vendors may append to every chain stream (their
 * spends, hand-offs, claims), so one of these is believed only when it carries the broker's
 * signature over (stream, revision, type, data) by a key of the root-signed broker key list.
 */
export const BROKER_CHAIN_EVENT_TYPES: ReadonlySet<string> = new Set(
  Object.entries(AUTHOR)
    .filter(([, author]) => author === 'broker')
    .map(([type]) => type),
);

/** `event` with the broker's signature for the revision it will take in `stream`. */
export function sealChainEvent<E extends ChainEvent>(
  signer: Signer,
  stream: string,
  revision: number,
  event: E,
): E {
  if (!BROKER_CHAIN_EVENT_TYPES.has(event.type)) return event;
  const { [BROKER_SIGNATURE_FIELD]: _old, ...data } = event.data as Record<string, unknown>;
  const brokerSignature = signChainEvent(signer, stream, revision, event.type, data);
  return { ...event, data: { ...data, brokerSignature } };
}

/** `vendor` (not the broker's to sign), or the broker signature's status. */
export type ChainEventVerdict = 'vendor' | 'valid' | 'unsigned' | 'invalid';

/** What a reader needs of a recorded chain event: where it is, and its type and data as stored. */
export interface RecordedChainEvent {
  readonly id?: string;
  readonly type: string;
  readonly revision: number;
  readonly data: unknown;
  readonly metadata?: { readonly actor?: string };
}

/** Judges a recorded event of `stream` (its raw data, before any upcast). Pure, synchronous. */
export function judgeChainEvent(
  stream: string,
  recorded: RecordedChainEvent,
  keys: KeyRing,
): ChainEventVerdict {
  if (!BROKER_CHAIN_EVENT_TYPES.has(recorded.type)) return 'vendor';
  return checkChainEventSignature(stream, recorded.revision, recorded.type, recorded.data, keys);
}

/**
 * A `ChainIssued` whose signature names a key the reader does not know, the same key its touchstone
 * names: the reader's touchstone check answers "unknown broker key" (worth another look once the
 * key list is read again) instead of "no such chain". Nothing it holds is believed until then.
 */
export function issuedWithUnknownKey(recorded: RecordedChainEvent, keys: KeyRing): boolean {
  if (recorded.type !== 'ChainIssued') return false;
  const data = recorded.data as
    { brokerSignature?: { keyId?: unknown }; touchstone?: { brokerKeyId?: unknown } } | null | undefined;
  const keyId = data?.brokerSignature?.keyId;
  return (
    typeof keyId === 'string' &&
    data?.touchstone?.brokerKeyId === keyId &&
    resolveKey(keys, keyId) === undefined
  );
}

/** A broker-typed event a reader ignored because its signature did not verify. */
export interface ForgedChainEvent {
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly id?: string;
  /** The writer the event claims to be (metadata.actor), unauthenticated. */
  readonly actor?: string;
  readonly verdict: 'unsigned' | 'invalid';
}

export type BrokerKeyLookup = (
  keyId: string,
) => PublicKeyRecord | undefined | Promise<PublicKeyRecord | undefined>;

const CAPACITY = 100_000;

/**
 * A reader's gate on chain events: vendor-typed events pass; a broker-typed one passes only when
 * its signature verifies. Each broker event is verified once per process (the verdict is kept by
 * stream, revision and id), so the spend path never verifies a signature. Ignored events are
 * counted and reported to `onForged`.
 */
export class ChainEventTrust {
  private readonly verdicts = new LRUCache<string, boolean>({ max: CAPACITY });
  private ignored = 0;

  constructor(
    private readonly lookup: BrokerKeyLookup,
    private readonly onForged: (forged: ForgedChainEvent) => void = () => undefined,
  ) {}

  /** How many broker-typed events this process ignored. */
  get forgedCount(): number {
    return this.ignored;
  }

  /** Whether a reader may fold `recorded` into the chain's state. */
  async admits(stream: string, recorded: RecordedChainEvent): Promise<boolean> {
    if (!BROKER_CHAIN_EVENT_TYPES.has(recorded.type)) return true;
    const cacheKey = `${stream}\u001f${recorded.revision}\u001f${recorded.id ?? ''}`;
    const known = this.verdicts.get(cacheKey);
    if (known !== undefined) return known;
    const signature = (recorded.data as Record<string, unknown> | null)?.[BROKER_SIGNATURE_FIELD] as
      { keyId?: unknown } | undefined;
    const keyId = typeof signature?.keyId === 'string' ? signature.keyId : undefined;
    const key = keyId === undefined ? undefined : await this.lookup(keyId);
    const verdict = judgeChainEvent(stream, recorded, key ? [key] : []);
    const admitted = verdict === 'valid';
    if (!admitted) {
      this.ignored++;
      this.onForged({
        stream,
        revision: recorded.revision,
        type: recorded.type,
        ...(recorded.id === undefined ? {} : { id: recorded.id }),
        ...(recorded.metadata?.actor === undefined ? {} : { actor: recorded.metadata.actor }),
        verdict: verdict === 'unsigned' ? 'unsigned' : 'invalid',
      });
    }
    this.verdicts.set(cacheKey, admitted);
    return admitted;
  }

  /** The events of one stream a reader may fold, in order. */
  async filter<R extends RecordedChainEvent>(stream: string, recorded: readonly R[]): Promise<R[]> {
    const out: R[] = [];
    for (const r of recorded) if (await this.admits(stream, r)) out.push(r);
    return out;
  }
}
