import { LRUCache } from 'lru-cache';
import {
  BROKER_SIGNATURE_FIELD,
  checkChainEventSignature,
  checkVendorKeyCertificate,
  DEFAULT_FRESHNESS_WINDOW_MS,
  parseHandOffCertificate,
  parseVendorKeyCertificate,
  resolveKey,
  signChainEvent,
  signVendorChainEvent,
  verifyHandOffCertificate,
  verifyVendorChainEvent,
  VENDOR_SIGNATURE_FIELD,
  type BrokerEventSignature,
  type KeyRing,
  type PublicKeyRecord,
  type Signer,
  type VendorKeyCertificate,
} from '#protocol';
import type { ChainClaimed, ChainEvent, ChainEventType } from './chain.events.js';
import { streams } from './streams.js';

/**
 * Who vouches for each chain event type: the broker's signature; a vendor's signature by a key
 * the broker certified (hand-offs and claims: one Ed25519 verification per event, the vendor's
 * key certificate once per process); or the chain itself (a spend: its payword must hash down,
 * checked by the fold, no public-key operation). A record, so a new type must be classed.
 */
const AUTHOR: Record<ChainEventType, 'broker' | 'vendor' | 'hash'> = {
  ChainIssued: 'broker',
  WalletCheckedOut: 'broker',
  SliceWithdrawn: 'broker',
  VendorWithdrawn: 'broker',
  ChainRevoked: 'broker',
  ChainClosed: 'broker',
  CoinsSpent: 'hash',
  IndexHandedOff: 'vendor',
  ChainClaimed: 'vendor',
};

/** Chain events a vendor signs in its own name (hand-offs, claims): believed only when they verify. */
export const VENDOR_SIGNED_CHAIN_EVENT_TYPES: ReadonlySet<string> = new Set(
  Object.entries(AUTHOR)
    .filter(([, author]) => author === 'vendor')
    .map(([type]) => type),
);

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

/**
 * `vendor`: a spend, vouched for by its payword (the fold hashes it down); otherwise the status of
 * the signature the type needs (the broker's, or for a hand-off or claim its vendor's).
 */
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
  if (VENDOR_SIGNED_CHAIN_EVENT_TYPES.has(recorded.type))
    return checkVendorSignedChainEvent(stream, recorded, keys).verdict;
  if (!BROKER_CHAIN_EVENT_TYPES.has(recorded.type)) return 'vendor';
  return checkChainEventSignature(stream, recorded.revision, recorded.type, recorded.data, keys);
}

/** Whether `stream` is chain `chainId`'s (an id that is no valid id has none). */
function isStreamOf(chainId: string, stream: string): boolean {
  try {
    return streams.chain(chainId) === stream;
  } catch {
    return false;
  }
}

/** A hand-off's or claim's signature status, and why when it is not valid. */
export interface VendorSignatureCheck {
  readonly verdict: 'valid' | 'unsigned' | 'invalid';
  readonly message?: string;
}

const certificateCache = new Map<string, PublicKeyRecord | string>();
const CERTIFICATE_CACHE_CAPACITY = 10_000;

/**
 * The key `certificate` vouches for, if a broker key of `keys` signed it, it is for `vendorId`
 * and `keyId`, and valid at `at` (the event's own time: a hand-off stays believable after the
 * certificate lapses); otherwise why not. The broker's signature on one certificate is verified
 * once per process (cached by the whole certificate and the broker key), so a reader pays one
 * Ed25519 verification per hand-off or claim: the vendor's own.
 */
function certifiedVendorKey(
  value: unknown,
  keys: KeyRing,
  use: { vendorId: string; keyId: string; at: string },
): PublicKeyRecord | string {
  let certificate: VendorKeyCertificate;
  try {
    certificate = parseVendorKeyCertificate(value);
  } catch (error) {
    return `malformed vendor key certificate: ${(error as Error).message}`;
  }
  const brokerKey = resolveKey(keys, certificate.brokerKeyId);
  if (brokerKey === undefined)
    return `vendor key certificate signed by unknown broker key ${certificate.brokerKeyId}`;
  const cacheKey = JSON.stringify([
    brokerKey.publicKey,
    certificate.vendorId,
    certificate.keyId,
    certificate.publicKey,
    certificate.notBefore,
    certificate.notAfter,
    certificate.brokerKeyId,
    certificate.signature,
  ]);
  let signed = certificateCache.get(cacheKey);
  if (signed === undefined) {
    // Validity is checked below, at the event's time: here only the broker's signature.
    const check = checkVendorKeyCertificate(certificate, [brokerKey], { now: certificate.notBefore });
    signed = check.ok ? check.key : check.message;
    if (certificateCache.size >= CERTIFICATE_CACHE_CAPACITY)
      certificateCache.delete(certificateCache.keys().next().value!);
    certificateCache.set(cacheKey, signed);
  }
  if (typeof signed === 'string') return signed;
  if (certificate.vendorId !== use.vendorId || certificate.keyId !== use.keyId)
    return `vendor key certificate is for ${certificate.vendorId}/${certificate.keyId}, the event names ${use.vendorId}/${use.keyId}`;
  const at = Date.parse(use.at);
  if (
    !Number.isFinite(at) ||
    at + DEFAULT_FRESHNESS_WINDOW_MS < Date.parse(certificate.notBefore) ||
    at >= Date.parse(certificate.notAfter)
  )
    return `vendor key certificate of ${certificate.vendorId} (${certificate.notBefore}..${certificate.notAfter}) is not valid at ${use.at}`;
  return signed;
}

/**
 * An `IndexHandedOff` is believed only with the giving vendor's (`fromVendor`) key certificate
 * (`holderCertificate`, broker-signed) and the hand-off certificate's signature by that key; a
 * `ChainClaimed` only with the claiming vendor's (`toVendor`) key certificate and its signature
 * over (stream, revision, type, data). Pure, synchronous; `keys` are the broker's.
 */
export function checkVendorSignedChainEvent(
  stream: string,
  recorded: RecordedChainEvent,
  keys: KeyRing,
): VendorSignatureCheck {
  const data = recorded.data as Record<string, unknown> | null | undefined;
  if (typeof data !== 'object' || data === null) return { verdict: 'invalid', message: 'no event data' };
  if (recorded.type === 'IndexHandedOff') {
    let hand;
    try {
      hand = parseHandOffCertificate(data.certificate);
    } catch (error) {
      return { verdict: 'invalid', message: `malformed hand-off certificate: ${(error as Error).message}` };
    }
    if (!isStreamOf(hand.chainId, stream))
      return { verdict: 'invalid', message: `hand-off certificate is for chain ${hand.chainId}` };
    if (data.holderCertificate === undefined)
      return { verdict: 'unsigned', message: `no key certificate of ${hand.fromVendor}` };
    const key = certifiedVendorKey(data.holderCertificate, keys, {
      vendorId: hand.fromVendor,
      keyId: hand.vendorKeyId,
      at: hand.at,
    });
    if (typeof key === 'string') return { verdict: 'invalid', message: key };
    const check = verifyHandOffCertificate(hand, [key]);
    return check.ok ? { verdict: 'valid' } : { verdict: 'invalid', message: check.message };
  }
  if (recorded.type === 'ChainClaimed') {
    const signature = data[VENDOR_SIGNATURE_FIELD] as Partial<BrokerEventSignature> | undefined;
    if (signature === undefined)
      return { verdict: 'unsigned', message: 'the claim is not signed by its claimant' };
    if (
      typeof signature !== 'object' ||
      signature === null ||
      typeof signature.keyId !== 'string' ||
      typeof signature.value !== 'string' ||
      typeof data.toVendor !== 'string' ||
      typeof data.at !== 'string'
    )
      return { verdict: 'invalid', message: 'malformed claim signature' };
    if (typeof data.chainId !== 'string' || !isStreamOf(data.chainId, stream))
      return { verdict: 'invalid', message: `claim is for chain ${JSON.stringify(data.chainId)}` };
    const key = certifiedVendorKey(data.vendorCertificate, keys, {
      vendorId: data.toVendor,
      keyId: signature.keyId,
      at: data.at,
    });
    if (typeof key === 'string') return { verdict: 'invalid', message: key };
    const good = verifyVendorChainEvent(
      stream,
      recorded.revision,
      recorded.type,
      data,
      signature as BrokerEventSignature,
      key.publicKey,
    );
    return good
      ? { verdict: 'valid' }
      : { verdict: 'invalid', message: `the claim's signature by ${data.toVendor} does not verify` };
  }
  return { verdict: 'invalid', message: `${recorded.type} is not signed by a vendor` };
}

/** The broker key a reader needs to judge `recorded` (its own signature's, or its vendor certificate's). */
export function brokerKeyIdOf(recorded: RecordedChainEvent): string | undefined {
  const data = recorded.data as Record<string, unknown> | null | undefined;
  if (typeof data !== 'object' || data === null) return undefined;
  const holder =
    recorded.type === 'IndexHandedOff'
      ? data.holderCertificate
      : recorded.type === 'ChainClaimed'
        ? data.vendorCertificate
        : data[BROKER_SIGNATURE_FIELD];
  const keyId =
    typeof holder === 'object' && holder !== null
      ? (holder as Record<string, unknown>)[
          recorded.type === 'IndexHandedOff' || recorded.type === 'ChainClaimed' ? 'brokerKeyId' : 'keyId'
        ]
      : undefined;
  return typeof keyId === 'string' ? keyId : undefined;
}

/**
 * A claim signed by its claimant for the revision it will take in `stream`, with the claimant's
 * broker-signed key certificate.
 */
export function signClaim(
  signer: Signer,
  certificate: VendorKeyCertificate,
  stream: string,
  revision: number,
  event: ChainClaimed,
): ChainClaimed {
  const { [VENDOR_SIGNATURE_FIELD]: _old, ...rest } = event.data;
  const data = { ...rest, vendorCertificate: certificate };
  const vendorSignature = signVendorChainEvent(signer, stream, revision, event.type, data);
  return { ...event, data: { ...data, vendorSignature } };
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
 * A reader's gate on chain events: spends pass (the fold hashes them); a broker-typed one passes
 * only when the broker's signature verifies, a hand-off or claim only when its vendor's does
 * (`checkVendorSignedChainEvent`). Each such event is verified once per process (the verdict is
 * kept by stream, revision and id), so the spend path never verifies a signature. Ignored events
 * are counted and reported to `onForged`.
 */
export class ChainEventTrust {
  private readonly verdicts = new LRUCache<string, boolean>({ max: CAPACITY });
  private ignored = 0;

  constructor(
    private readonly lookup: BrokerKeyLookup,
    private readonly onForged: (forged: ForgedChainEvent) => void = () => undefined,
  ) {}

  /** How many signed-typed events (broker events, hand-offs, claims) this process ignored. */
  get forgedCount(): number {
    return this.ignored;
  }

  /** Whether a reader may fold `recorded` into the chain's state. */
  async admits(stream: string, recorded: RecordedChainEvent): Promise<boolean> {
    if (!BROKER_CHAIN_EVENT_TYPES.has(recorded.type) && !VENDOR_SIGNED_CHAIN_EVENT_TYPES.has(recorded.type))
      return true;
    const cacheKey = `${stream}\u001f${recorded.revision}\u001f${recorded.id ?? ''}`;
    const known = this.verdicts.get(cacheKey);
    if (known !== undefined) return known;
    const keyId = brokerKeyIdOf(recorded);
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
