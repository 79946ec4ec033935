import type {
  CustomerEvent,
  PurchaseEvent,
  RedemptionEvent,
  RedemptionItem,
  RecordSignature,
  RedemptionLedgerEvent,
  ServerWalletSeedStored,
  VendorEvent,
  WalletSeedEvent,
} from '#events';
import { CUSTOMER_REVOCATION_REASONS } from '#events';
import {
  parsePublicKeyRecord,
  parseSignedRevocationNotice,
  ProtocolError,
  type PublicKeyRecord,
  type SignedRevocationNotice,
} from '#protocol';
import {
  currency,
  hex,
  id,
  idList,
  int,
  list,
  MalformedData,
  object,
  oneOf,
  text,
  timestamp,
  type Fields,
} from './schema.js';

type BrokerEvent =
  CustomerEvent | PurchaseEvent | VendorEvent | WalletSeedEvent | RedemptionEvent | RedemptionLedgerEvent;
type DataOf<T extends BrokerEvent['type']> = Extract<BrokerEvent, { type: T }>['data'];

function publicKey(f: Fields, key: string): PublicKeyRecord {
  try {
    return parsePublicKeyRecord(f[key]);
  } catch (error) {
    if (error instanceof ProtocolError) throw new MalformedData(`${key}.${error.field}`, error.message);
    throw error;
  }
}

function range(f: Fields, prefix = ''): { fromIndex: number; toIndex: number } {
  const fromIndex = int(f, 'fromIndex', 1, prefix);
  const toIndex = int(f, 'toIndex', 1, prefix);
  if (toIndex < fromIndex)
    throw new MalformedData(`${prefix}toIndex`, `${toIndex} is before fromIndex ${fromIndex}`);
  return { fromIndex, toIndex };
}

function redemptionItem(f: Fields, prefix: string): RedemptionItem {
  return {
    chainId: id(f, 'chainId', prefix),
    ...range(f, prefix),
    proofPayword: hex(f, 'proofPayword', prefix),
  };
}

/** The redemption worker's signature on its record, when it carries one (checked by the rules, not here). */
function signature(f: Fields): { signature?: RecordSignature } {
  if (f.signature === undefined) return {};
  const s = object(f.signature, 'signature');
  return { signature: { keyId: text(s, 'keyId', 'signature.'), value: text(s, 'value', 'signature.') } };
}

/** A revocation notice's shape (its signature is checked by the R7 rules, not here). */
function textList(f: Fields, key: string): string[] {
  const v = f[key];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
    throw new MalformedData(key, 'expected an array of strings');
  return v;
}

function notice(f: Fields, key: string): SignedRevocationNotice {
  try {
    return parseSignedRevocationNotice(f[key]);
  } catch (error) {
    if (error instanceof ProtocolError) throw new MalformedData(`${key}.${error.field}`, error.message);
    throw error;
  }
}

/** A worker verdict carried as fraud evidence: its stream and its data (signature checked by R7). */
function evidence(value: Fields, prefix: string): DataOf<'VendorFraudRecorded'>['evidence'] {
  const verdict = object(value.verdict, `${prefix}verdict`);
  return {
    stream: text(value, 'stream', prefix),
    verdict: brokerParsers.RedemptionItemRejected(verdict),
  };
}

function itemOf(f: Fields): { item?: number } {
  return f.item === undefined ? {} : { item: int(f, 'item', 0) };
}

/** The auditor cannot open it (no wallet key), only check it is shaped as sealed. */
function sealedSeed(f: Fields): ServerWalletSeedStored['data']['sealedSeed'] {
  if (f.v !== 1) throw new MalformedData('sealedSeed.v', 'expected 1');
  return {
    v: 1,
    keyId: text(f, 'keyId', 'sealedSeed.'),
    iv: text(f, 'iv', 'sealedSeed.'),
    ciphertext: text(f, 'ciphertext', 'sealedSeed.'),
    tag: text(f, 'tag', 'sealedSeed.'),
  };
}

export const brokerParsers: { readonly [T in BrokerEvent['type']]: (f: Fields) => DataOf<T> } = {
  CustomerRegistered: (f) => ({
    customerId: id(f, 'customerId'),
    name: text(f, 'name'),
    tokenHash: hex(f, 'tokenHash'),
    bankAccount: text(f, 'bankAccount'),
    at: timestamp(f, 'at'),
  }),
  VendorAuthorised: (f) => ({
    customerId: id(f, 'customerId'),
    vendorId: id(f, 'vendorId'),
    at: timestamp(f, 'at'),
  }),
  VendorDeauthorised: (f) => ({
    customerId: id(f, 'customerId'),
    vendorId: id(f, 'vendorId'),
    at: timestamp(f, 'at'),
  }),
  CoinsPurchased: (f) => ({
    purchaseId: id(f, 'purchaseId'),
    customerId: id(f, 'customerId'),
    chainIds: idList(f, 'chainIds'),
    coins: int(f, 'coins', 1),
    coinValue: int(f, 'coinValue', 1),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    wallet: oneOf(f, 'wallet', ['client', 'server'] as const),
    paymentRef: text(f, 'paymentRef'),
    ...(f.reconciled === true ? { reconciled: true as const } : {}),
    at: timestamp(f, 'at'),
  }),
  PurchaseRequested: (f) => ({
    purchaseId: id(f, 'purchaseId'),
    customerId: id(f, 'customerId'),
    bankAccount: text(f, 'bankAccount'),
    coins: int(f, 'coins', 1),
    coinValue: int(f, 'coinValue', 1),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    wallet: oneOf(f, 'wallet', ['client', 'server'] as const),
    expiresInDays: int(f, 'expiresInDays', 1),
    ...(f.vendors === undefined ? {} : { vendors: idList(f, 'vendors') }),
    at: timestamp(f, 'at'),
  }),
  PurchaseVoided: (f) => ({
    purchaseId: id(f, 'purchaseId'),
    customerId: id(f, 'customerId'),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    at: timestamp(f, 'at'),
  }),
  PurchaseDeclined: (f) => ({
    purchaseId: id(f, 'purchaseId'),
    customerId: id(f, 'customerId'),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    reason: text(f, 'reason'),
    at: timestamp(f, 'at'),
  }),
  CoinsRefunded: (f) => ({
    customerId: id(f, 'customerId'),
    chainId: id(f, 'chainId'),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    paymentRef: text(f, 'paymentRef'),
    ...(f.bankAccount === undefined ? {} : { bankAccount: text(f, 'bankAccount') }),
    at: timestamp(f, 'at'),
  }),
  RefundDeclined: (f) => ({
    customerId: id(f, 'customerId'),
    chainId: id(f, 'chainId'),
    bankAccount: text(f, 'bankAccount'),
    amount: int(f, 'amount', 1),
    currency: currency(f, 'currency'),
    reason: text(f, 'reason'),
    at: timestamp(f, 'at'),
  }),
  RefundAccountChosen: (f) => ({
    customerId: id(f, 'customerId'),
    chainId: id(f, 'chainId'),
    bankAccount: text(f, 'bankAccount'),
    at: timestamp(f, 'at'),
  }),
  CoinsExpiredSettled: (f) => ({
    customerId: id(f, 'customerId'),
    chainId: id(f, 'chainId'),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    policy: oneOf(f, 'policy', ['refunded', 'kept'] as const),
    ...(f.paymentRef === undefined ? {} : { paymentRef: text(f, 'paymentRef') }),
    at: timestamp(f, 'at'),
  }),
  ChainReissued: (f) => ({
    customerId: id(f, 'customerId'),
    fromChainId: id(f, 'fromChainId'),
    toChainId: id(f, 'toChainId'),
    coins: int(f, 'coins', 1),
    at: timestamp(f, 'at'),
  }),
  ServerWalletSeedStored: (f) => ({
    chainId: id(f, 'chainId'),
    customerId: id(f, 'customerId'),
    purchaseId: id(f, 'purchaseId'),
    sealedSeed: sealedSeed(object(f.sealedSeed, 'sealedSeed')),
    at: timestamp(f, 'at'),
  }),
  VendorRegistered: (f) => ({
    vendorId: id(f, 'vendorId'),
    name: text(f, 'name'),
    key: publicKey(f, 'key'),
    bankAccount: text(f, 'bankAccount'),
    at: timestamp(f, 'at'),
  }),
  VendorKeyRotated: (f) => ({
    vendorId: id(f, 'vendorId'),
    key: publicKey(f, 'key'),
    at: timestamp(f, 'at'),
  }),
  VendorShopOriginsSet: (f) => ({
    vendorId: id(f, 'vendorId'),
    origins: textList(f, 'origins'),
    at: timestamp(f, 'at'),
  }),
  VendorKeyRetired: (f) => ({
    vendorId: id(f, 'vendorId'),
    keyId: text(f, 'keyId'),
    at: timestamp(f, 'at'),
  }),
  VendorFraudRecorded: (f) => ({
    vendorId: id(f, 'vendorId'),
    evidence: evidence(object(f.evidence, 'evidence'), 'evidence.'),
    at: timestamp(f, 'at'),
  }),
  VendorSuspended: (f) => ({
    vendorId: id(f, 'vendorId'),
    reason: text(f, 'reason'),
    evidence: list(f, 'evidence', (e, prefix) => evidence(e, prefix)),
    notice: notice(f, 'notice'),
    at: timestamp(f, 'at'),
  }),
  VendorReinstated: (f) => ({
    vendorId: id(f, 'vendorId'),
    note: typeof f.note === 'string' ? f.note : '',
    notice: notice(f, 'notice'),
    at: timestamp(f, 'at'),
  }),
  CustomerRevoked: (f) => ({
    customerId: id(f, 'customerId'),
    reason: oneOf(f, 'reason', CUSTOMER_REVOCATION_REASONS),
    evidence: textList(f, 'evidence'),
    notice: notice(f, 'notice'),
    at: timestamp(f, 'at'),
  }),
  CustomerReinstated: (f) => ({
    customerId: id(f, 'customerId'),
    note: typeof f.note === 'string' ? f.note : '',
    notice: notice(f, 'notice'),
    at: timestamp(f, 'at'),
  }),
  RedemptionBatchSealed: (f) => ({
    batchId: id(f, 'batchId'),
    vendorId: id(f, 'vendorId'),
    businessDay: text(f, 'businessDay'),
    items: list(f, 'items', redemptionItem),
    ...(f.source === undefined ? {} : { source: oneOf(f, 'source', ['broker', 'vendor'] as const) }),
    at: timestamp(f, 'at'),
  }),
  RedemptionItemAccepted: (f) => ({
    batchId: id(f, 'batchId'),
    ...itemOf(f),
    chainId: id(f, 'chainId'),
    ...range(f),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    at: timestamp(f, 'at'),
    ...signature(f),
  }),
  RedemptionItemRejected: (f) => ({
    batchId: id(f, 'batchId'),
    ...itemOf(f),
    chainId: id(f, 'chainId'),
    ...range(f),
    reason: text(f, 'reason'),
    detail: typeof f.detail === 'string' ? f.detail : '',
    at: timestamp(f, 'at'),
    ...signature(f),
  }),
  VendorPayoutDeclined: (f) => ({
    batchId: id(f, 'batchId'),
    vendorId: id(f, 'vendorId'),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    attempt: int(f, 'attempt', 0),
    reason: text(f, 'reason'),
    at: timestamp(f, 'at'),
  }),
  RangeRedeemed: (f) => ({
    chainId: id(f, 'chainId'),
    vendorId: id(f, 'vendorId'),
    batchId: id(f, 'batchId'),
    item: int(f, 'item', 0),
    ...range(f),
    at: timestamp(f, 'at'),
    ...signature(f),
  }),
  RedemptionForgeryDetected: (f) => ({
    batchId: id(f, 'batchId'),
    vendorId: id(f, 'vendorId'),
    reason: text(f, 'reason'),
    stream: text(f, 'stream'),
    eventId: text(f, 'eventId'),
    eventType: text(f, 'eventType'),
    detail: typeof f.detail === 'string' ? f.detail : '',
    at: timestamp(f, 'at'),
  }),
  VendorPaid: (f) => ({
    batchId: id(f, 'batchId'),
    vendorId: id(f, 'vendorId'),
    amount: int(f, 'amount', 0),
    currency: currency(f, 'currency'),
    paymentRef: text(f, 'paymentRef'),
    at: timestamp(f, 'at'),
    ...signature(f),
  }),
};
