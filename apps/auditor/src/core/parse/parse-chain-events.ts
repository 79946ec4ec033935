import { type ChainEvent, REVOCATION_REASONS } from '#events';
import type { AuditedEvent } from './parse-event.js';
import { parseHandOffCertificate, parseTouchstone, ProtocolError } from '#protocol';
import { hex, id, int, MalformedData, oneOf, optionalId, text, timestamp, type Fields } from './schema.js';

type DataOf<T extends ChainEvent['type']> = Extract<ChainEvent, { type: T }>['data'];

/** The protocol's own strict parsers, with their errors turned into ours. */
function viaProtocol<T>(field: string, parse: (value: unknown) => T, value: unknown): T {
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof ProtocolError) {
      throw new MalformedData(error.field ? `${field}.${error.field}` : field, error.message);
    }
    throw error;
  }
}

export const chainParsers: { readonly [T in ChainEvent['type']]: (f: Fields) => DataOf<T> } = {
  ChainIssued: (f) => ({
    chainId: id(f, 'chainId'),
    touchstone: viaProtocol('touchstone', parseTouchstone, f.touchstone),
    wallet: oneOf(f, 'wallet', ['client', 'server'] as const),
    at: timestamp(f, 'at'),
  }),
  WalletCheckedOut: (f) => ({
    chainId: id(f, 'chainId'),
    vendorId: id(f, 'vendorId'),
    index: int(f, 'index', 1),
    lastPayword: hex(f, 'lastPayword'),
    sliceEnd: int(f, 'sliceEnd', 0),
    at: timestamp(f, 'at'),
  }),
  CoinsSpent: (f) => {
    const fromIndex = int(f, 'fromIndex', 1);
    const toIndex = int(f, 'toIndex', 1);
    if (toIndex < fromIndex)
      throw new MalformedData('toIndex', `${toIndex} is before fromIndex ${fromIndex}`);
    return {
      chainId: id(f, 'chainId'),
      vendorId: id(f, 'vendorId'),
      fromIndex,
      toIndex,
      payword: hex(f, 'payword'),
      receiptId: text(f, 'receiptId'),
      at: timestamp(f, 'at'),
    };
  },
  IndexHandedOff: (f) => ({
    certificate: viaProtocol('certificate', parseHandOffCertificate, f.certificate),
    at: timestamp(f, 'at'),
  }),
  ChainClaimed: (f) => ({
    chainId: id(f, 'chainId'),
    fromVendor: id(f, 'fromVendor'),
    toVendor: id(f, 'toVendor'),
    index: int(f, 'index', 1),
    lastPayword: hex(f, 'lastPayword'),
    reason: oneOf(f, 'reason', ['holder-timeout'] as const),
    at: timestamp(f, 'at'),
  }),
  SliceWithdrawn: (f) => ({
    chainId: id(f, 'chainId'),
    vendorId: id(f, 'vendorId'),
    index: int(f, 'index', 1),
    lastPayword: hex(f, 'lastPayword'),
    at: timestamp(f, 'at'),
  }),
  VendorWithdrawn: (f) => ({
    chainId: id(f, 'chainId'),
    vendorId: id(f, 'vendorId'),
    at: timestamp(f, 'at'),
  }),
  ChainRevoked: (f) => ({
    chainId: id(f, 'chainId'),
    reason: oneOf(f, 'reason', REVOCATION_REASONS),
    at: timestamp(f, 'at'),
  }),
  ChainClosed: (f) => {
    const reissuedAs = optionalId(f, 'reissuedAs');
    return {
      chainId: id(f, 'chainId'),
      index: int(f, 'index', 1),
      reason: oneOf(f, 'reason', ['lost-wallet', 'expired', 'exhausted', 'revoked', 'cashed-out'] as const),
      ...(reissuedAs === undefined ? {} : { reissuedAs }),
      at: timestamp(f, 'at'),
    };
  },
};

const CHAIN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(chainParsers));

export function isChainEvent(event: AuditedEvent): event is ChainEvent {
  return CHAIN_EVENT_TYPES.has(event.type);
}

/** The chain a chain event is about (the certificate carries it for hand-offs). */
export function chainIdOf(event: ChainEvent): string {
  return event.type === 'IndexHandedOff' ? event.data.certificate.chainId : event.data.chainId;
}
