// P2P-NetPay (seed 000 §4): a requesting peer (R-peer) pays a supplying peer (S-peer) with
// paywords of a chain whose touchstone T the Central Index Server (CIS) signed, and with the
// index statement I, signed by the R-peer's pseudonym key. The S-peer verifies everything here
// off-line: T and the pseudonym certificate against the CIS keys it pinned, I against the
// certified pseudonym key, and the payword by hashing. No S-peer ever talks to another.
import { createHash } from 'node:crypto';
import { CanonicalWriter } from './encoding.js';
import { PROTOCOL, ProtocolError, reject, type Rejection } from './errors.js';
import { NONCE_BYTES } from './freshness.js';
import { paywordBytes } from './hash-chain.js';
import { parseHex } from './hex.js';
import {
  ED25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  verifyEd25519,
  type KeyRing,
  type Signer,
} from './keys.js';
import { parseTouchstone, readObject } from './parse.js';
import { verifySigned } from './signed.js';
import { verifyPaywordAgainst } from './spend.js';
import { checkTouchstoneUsable, verifyTouchstone } from './touchstone.js';
import type { Hex, Touchstone } from './types.js';
import { checkId, checkInt, checkText, checkTimestamp, MAX_TEXT_BYTES } from './validate.js';

export const PSEUDONYM_CERTIFICATE_TAG = 'netpay/p2p-pseudonym-certificate/v1';
export const INDEX_STATEMENT_TAG = 'netpay/p2p-index-statement/v1';
export const PEER_CALL_TAG = 'netpay/p2p-peer-call/v1';
export const PEER_REGISTRATION_TAG = 'netpay/p2p-peer-registration/v1';

/** A pseudonym: `ps_` and 16 hex digits. Only the CIS knows whose it is. */
export const PSEUDONYM_PATTERN = /^ps_[0-9a-f]{16}$/;
/** A P2P chain id names its holder's pseudonym: `<pseudonym>_c<8..32 hex>`; T (CIS-signed) binds the two. */
export const P2P_CHAIN_PATTERN = /^(ps_[0-9a-f]{16})_c[0-9a-f]{8,32}$/;

/** Rejection codes of the P2P checks: stable, shown to callers in problem+json. */
export const P2P = {
  TOUCHSTONE_INVALID: 'P2P.TOUCHSTONE_INVALID',
  TOUCHSTONE_UNUSABLE: 'P2P.TOUCHSTONE_UNUSABLE',
  CERTIFICATE_INVALID: 'P2P.CERTIFICATE_INVALID',
  CERTIFICATE_EXPIRED: 'P2P.CERTIFICATE_EXPIRED',
  /** The certificate's pseudonym is not the one the chain id names. */
  HOLDER_MISMATCH: 'P2P.HOLDER_MISMATCH',
  STATEMENT_SIGNATURE_INVALID: 'P2P.STATEMENT_SIGNATURE_INVALID',
  /** The statement pays another S-peer. */
  NOT_PAYEE: 'P2P.NOT_PAYEE',
  /** The statement pays its own holder: coins moved to oneself earn nothing and would count as supply. */
  SELF_PAYMENT: 'P2P.SELF_PAYMENT',
  WRONG_CONTENT: 'P2P.WRONG_CONTENT',
  WRONG_PRICE: 'P2P.WRONG_PRICE',
  OUT_OF_RANGE: 'P2P.OUT_OF_RANGE',
  PAYWORD_FORGED: 'P2P.PAYWORD_FORGED',
  /**
   * Two different statements of one pseudonym cover one position: the proof. Whether the S-peer
   * took the first itself or finds it in the store, it is this code (the same statement again is
   * a retry, answered the same).
   */
  DOUBLE_SPEND: 'P2P.DOUBLE_SPEND',
  PSEUDONYM_REVOKED: 'P2P.PSEUDONYM_REVOKED',
  PROOF_INVALID: 'P2P.PROOF_INVALID',
  CALL_SIGNATURE_INVALID: 'P2P.CALL_SIGNATURE_INVALID',
  CALL_STALE: 'P2P.CALL_STALE',
} as const;
export type P2PRejectionCode = (typeof P2P)[keyof typeof P2P];

export function pseudonymOfChain(chainId: string): string | undefined {
  return P2P_CHAIN_PATTERN.exec(chainId)?.[1];
}

// ---------------------------------------------------------------- pseudonym certificate

export interface PseudonymCertificateBody {
  readonly pseudonym: string;
  readonly keyId: string;
  /** The peer's Ed25519 public key (raw, hex). */
  readonly publicKey: Hex;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly cisKeyId: string;
}
export interface PseudonymCertificate extends PseudonymCertificateBody {
  readonly signature: Hex;
}

function checkPseudonym(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !PSEUDONYM_PATTERN.test(value))
    throw new ProtocolError(PROTOCOL.BAD_VALUE, field, 'expected a pseudonym ps_<16 hex>');
}

export function encodePseudonymCertificateBody(b: PseudonymCertificateBody): Buffer {
  checkPseudonym(b.pseudonym, 'pseudonym');
  checkId(b.keyId, 'keyId');
  parseHex(b.publicKey, { bytes: ED25519_KEY_BYTES, field: 'publicKey' });
  checkTimestamp(b.notBefore, 'notBefore');
  checkTimestamp(b.notAfter, 'notAfter');
  checkId(b.cisKeyId, 'cisKeyId');
  return new CanonicalWriter(PSEUDONYM_CERTIFICATE_TAG)
    .string(b.pseudonym)
    .string(b.keyId)
    .bytes(Buffer.from(b.publicKey, 'hex'))
    .string(b.notBefore)
    .string(b.notAfter)
    .string(b.cisKeyId)
    .toBytes();
}

export function signPseudonymCertificate(b: PseudonymCertificateBody, cis: Signer): PseudonymCertificate {
  if (b.cisKeyId !== cis.keyId) throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'cisKeyId', 'not the signer');
  const clean: PseudonymCertificateBody = {
    pseudonym: b.pseudonym,
    keyId: b.keyId,
    publicKey: b.publicKey,
    notBefore: b.notBefore,
    notAfter: b.notAfter,
    cisKeyId: b.cisKeyId,
  };
  return { ...clean, signature: cis.sign(encodePseudonymCertificateBody(clean)) };
}

const CERT_FIELDS = ['pseudonym', 'keyId', 'publicKey', 'notBefore', 'notAfter', 'cisKeyId', 'signature'];

export function parsePseudonymCertificate(value: unknown): PseudonymCertificate {
  const f = readObject(value, CERT_FIELDS);
  const cert = {
    pseudonym: f.pseudonym,
    keyId: f.keyId,
    publicKey: f.publicKey,
    notBefore: f.notBefore,
    notAfter: f.notAfter,
    cisKeyId: f.cisKeyId,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  } as PseudonymCertificate;
  encodePseudonymCertificateBody(cert);
  return cert;
}

export type CertificateCheck =
  { readonly ok: true; readonly certificate: PseudonymCertificate } | Rejection<P2PRejectionCode>;

export function checkPseudonymCertificate(
  cert: PseudonymCertificate,
  cisKeys: KeyRing,
  now: Date,
): CertificateCheck {
  const verified = verifySigned(
    { kind: 'pseudonym certificate', encode: encodePseudonymCertificateBody, keyId: (c) => c.cisKeyId },
    cert,
    cisKeys,
  );
  if (!verified.ok) return reject(P2P.CERTIFICATE_INVALID, verified.message);
  const t = now.getTime();
  if (t < Date.parse(cert.notBefore) || t >= Date.parse(cert.notAfter))
    return reject(
      P2P.CERTIFICATE_EXPIRED,
      `certificate of ${cert.pseudonym} is valid ${cert.notBefore}..${cert.notAfter}`,
    );
  return { ok: true, certificate: cert };
}

// ---------------------------------------------------------------- index statement I

/** "I, pseudonym P, pay positions fromIndex..fromIndex+count-1 of chain C to S-peer `payee` for `contentId`." */
export interface IndexStatementBody {
  readonly chainId: string;
  readonly pseudonym: string;
  readonly payee: string;
  readonly contentId: string;
  /** I: the first position paid. */
  readonly fromIndex: number;
  /** k: coins paid. */
  readonly count: number;
  /** W[I+k-1]: the payword that proves the k coins. */
  readonly payword: Hex;
  readonly at: string;
  /** 16 random bytes, hex: two honest statements never share one. */
  readonly nonce: Hex;
  readonly keyId: string;
}
export interface SignedIndexStatement extends IndexStatementBody {
  readonly signature: Hex;
}

export function statementEnd(s: IndexStatementBody): number {
  return s.fromIndex + s.count - 1;
}

export function encodeIndexStatementBody(b: IndexStatementBody): Buffer {
  checkId(b.chainId, 'chainId');
  checkPseudonym(b.pseudonym, 'pseudonym');
  checkPseudonym(b.payee, 'payee');
  checkText(b.contentId, 'contentId', MAX_TEXT_BYTES);
  checkInt(b.fromIndex, 'fromIndex', 1);
  checkInt(b.count, 'count', 1);
  parseHex(b.payword, { field: 'payword' });
  checkTimestamp(b.at, 'at');
  parseHex(b.nonce, { bytes: NONCE_BYTES, field: 'nonce' });
  checkId(b.keyId, 'keyId');
  return new CanonicalWriter(INDEX_STATEMENT_TAG)
    .string(b.chainId)
    .string(b.pseudonym)
    .string(b.payee)
    .string(b.contentId)
    .uint(b.fromIndex)
    .uint(b.count)
    .bytes(Buffer.from(b.payword, 'hex'))
    .string(b.at)
    .bytes(Buffer.from(b.nonce, 'hex'))
    .string(b.keyId)
    .toBytes();
}

function statementBody(b: IndexStatementBody): IndexStatementBody {
  return {
    chainId: b.chainId,
    pseudonym: b.pseudonym,
    payee: b.payee,
    contentId: b.contentId,
    fromIndex: b.fromIndex,
    count: b.count,
    payword: b.payword,
    at: b.at,
    nonce: b.nonce,
    keyId: b.keyId,
  };
}

export function signIndexStatement(b: IndexStatementBody, peer: Signer): SignedIndexStatement {
  if (b.keyId !== peer.keyId) throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'keyId', 'not the signer');
  const clean = statementBody(b);
  return { ...clean, signature: peer.sign(encodeIndexStatementBody(clean)) };
}

const STATEMENT_FIELDS = [
  'chainId',
  'pseudonym',
  'payee',
  'contentId',
  'fromIndex',
  'count',
  'payword',
  'at',
  'nonce',
  'keyId',
  'signature',
];

export function parseIndexStatement(value: unknown): SignedIndexStatement {
  const f = readObject(value, STATEMENT_FIELDS);
  const s = {
    ...statementBody(f as unknown as IndexStatementBody),
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  };
  encodeIndexStatementBody(s);
  return s;
}

export function verifyIndexStatement(s: SignedIndexStatement, publicKey: Hex): boolean {
  let bytes: Buffer;
  try {
    bytes = encodeIndexStatementBody(s);
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
  return verifyEd25519(publicKey, bytes, s.signature);
}

/** A stable id of a signed statement (what is de-duplicated on retry, and named in proofs). */
export function statementDigest(s: SignedIndexStatement): Hex {
  return createHash('sha256')
    .update(encodeIndexStatementBody(s))
    .update(Buffer.from(s.signature, 'hex'))
    .digest('hex');
}

// ---------------------------------------------------------------- the payment an S-peer checks

export interface P2PPayment {
  readonly touchstone: Touchstone;
  readonly certificate: PseudonymCertificate;
  readonly statement: SignedIndexStatement;
}

export function parseP2PPayment(value: unknown): P2PPayment {
  const f = readObject(value, ['touchstone', 'certificate', 'statement']);
  return {
    touchstone: parseTouchstone(f.touchstone),
    certificate: parsePseudonymCertificate(f.certificate),
    statement: parseIndexStatement(f.statement),
  };
}

export interface P2PPaymentContext {
  readonly cisKeys: KeyRing;
  /** The S-peer checking: the statement must pay it. */
  readonly payee: string;
  readonly contentId: string;
  readonly price: number;
  readonly now: Date;
  /** The last point of this chain the S-peer knows (W[position]): k hashes instead of I+k. */
  readonly known?: { readonly position: number; readonly word: Hex };
}

export type P2PPaymentCheck =
  | { readonly ok: true; readonly fromIndex: number; readonly toIndex: number; readonly hashes: number }
  | Rejection<P2PRejectionCode>;

/** Everything an S-peer verifies, off-line, in this order. */
export function checkP2PPayment(p: P2PPayment, ctx: P2PPaymentContext): P2PPaymentCheck {
  const t = p.touchstone;
  const ts = verifyTouchstone(t, ctx.cisKeys);
  if (!ts.ok) return reject(P2P.TOUCHSTONE_INVALID, ts.message);
  const usable = checkTouchstoneUsable(t, { now: ctx.now });
  if (!usable.ok) return reject(P2P.TOUCHSTONE_UNUSABLE, usable.message);
  const cert = checkPseudonymCertificate(p.certificate, ctx.cisKeys, ctx.now);
  if (!cert.ok) return cert;
  const s = p.statement;
  if (pseudonymOfChain(t.chainId) !== p.certificate.pseudonym || s.pseudonym !== p.certificate.pseudonym)
    return reject(P2P.HOLDER_MISMATCH, `chain ${t.chainId} is not held by ${s.pseudonym}`);
  if (s.chainId !== t.chainId || s.keyId !== p.certificate.keyId)
    return reject(P2P.STATEMENT_SIGNATURE_INVALID, 'statement names another chain or key');
  if (!verifyIndexStatement(s, p.certificate.publicKey))
    return reject(P2P.STATEMENT_SIGNATURE_INVALID, 'index statement does not verify with the pseudonym key');
  if (s.payee !== ctx.payee) return reject(P2P.NOT_PAYEE, `statement pays ${s.payee}, not ${ctx.payee}`);
  if (s.payee === s.pseudonym)
    return reject(P2P.SELF_PAYMENT, `statement pays its own holder ${s.payee}: a peer does not pay itself`);
  if (s.contentId !== ctx.contentId)
    return reject(P2P.WRONG_CONTENT, `statement is for ${s.contentId}, not ${ctx.contentId}`);
  if (s.count !== ctx.price)
    return reject(P2P.WRONG_PRICE, `price is ${ctx.price} coins, statement pays ${s.count}`);
  const end = statementEnd(s);
  if (end > t.length) return reject(P2P.OUT_OF_RANGE, `positions ${s.fromIndex}..${end} exceed ${t.length}`);
  if (s.payword.length !== paywordBytes(t.alg) * 2)
    return reject(P2P.PAYWORD_FORGED, 'payword has the wrong size');
  const from =
    ctx.known !== undefined && ctx.known.position === s.fromIndex - 1
      ? ctx.known
      : { position: 0, word: t.root };
  const hashed = verifyPaywordAgainst(t.alg, t.chainId, from.position, from.word, end, s.payword);
  if (!hashed.ok) return reject(P2P.PAYWORD_FORGED, hashed.message);
  return { ok: true, fromIndex: s.fromIndex, toIndex: end, hashes: end - from.position };
}

/** Whether a statement's payword hashes to the root of T (for the CIS and the auditor). */
export function statementPaywordValid(s: SignedIndexStatement, t: Touchstone): boolean {
  const end = statementEnd(s);
  if (s.chainId !== t.chainId || end > t.length) return false;
  return verifyPaywordAgainst(t.alg, t.chainId, 0, t.root, end, s.payword).ok;
}

// ---------------------------------------------------------------- double-spend proof

export interface DoubleSpendProof {
  readonly first: SignedIndexStatement;
  readonly second: SignedIndexStatement;
}

export type DoubleSpendCheck =
  | {
      readonly ok: true;
      readonly chainId: string;
      readonly pseudonym: string;
      readonly overlap: readonly [number, number];
    }
  | Rejection<P2PRejectionCode>;

/**
 * A proof that a pseudonym showed the same index twice: two different statements it signed that
 * cover at least one common position of one chain. An honest wallet never signs two (it retries
 * with the very same statement), so the two signatures are the proof; no S-peer has to vouch.
 */
export function checkDoubleSpendProof(proof: DoubleSpendProof, publicKey: Hex): DoubleSpendCheck {
  const { first: a, second: b } = proof;
  if (a.chainId !== b.chainId || a.pseudonym !== b.pseudonym)
    return reject(P2P.PROOF_INVALID, 'the statements are about different chains or pseudonyms');
  if (!verifyIndexStatement(a, publicKey) || !verifyIndexStatement(b, publicKey))
    return reject(P2P.PROOF_INVALID, 'a statement does not verify with the pseudonym key');
  if (statementDigest(a) === statementDigest(b))
    return reject(P2P.PROOF_INVALID, 'one statement shown twice is a retry');
  const lo = Math.max(a.fromIndex, b.fromIndex);
  const hi = Math.min(statementEnd(a), statementEnd(b));
  if (lo > hi) return reject(P2P.PROOF_INVALID, 'the statements cover no common position');
  return { ok: true, chainId: a.chainId, pseudonym: a.pseudonym, overlap: [lo, hi] };
}

// ---------------------------------------------------------------- a peer's signed call to the CIS

/** A peer authenticates each call to the CIS with its pseudonym key over the call's digest. */
export interface PeerCallBody {
  readonly pseudonym: string;
  /** `buy`, `announce`, `withdraw`, `redeem`, `heartbeat`, … */
  readonly action: string;
  /** SHA-256 of the canonical JSON of the call's payload. */
  readonly digest: Hex;
  readonly at: string;
  readonly nonce: Hex;
}
export interface SignedPeerCall extends PeerCallBody {
  readonly signature: Hex;
}

export function encodePeerCallBody(b: PeerCallBody): Buffer {
  checkPseudonym(b.pseudonym, 'pseudonym');
  checkId(b.action, 'action');
  parseHex(b.digest, { bytes: 32, field: 'digest' });
  checkTimestamp(b.at, 'at');
  parseHex(b.nonce, { bytes: NONCE_BYTES, field: 'nonce' });
  return new CanonicalWriter(PEER_CALL_TAG)
    .string(b.pseudonym)
    .string(b.action)
    .bytes(Buffer.from(b.digest, 'hex'))
    .string(b.at)
    .bytes(Buffer.from(b.nonce, 'hex'))
    .toBytes();
}

export function signPeerCall(b: PeerCallBody, peer: Signer): SignedPeerCall {
  const clean = { pseudonym: b.pseudonym, action: b.action, digest: b.digest, at: b.at, nonce: b.nonce };
  return { ...clean, signature: peer.sign(encodePeerCallBody(clean)) };
}

export function parsePeerCall(value: unknown): SignedPeerCall {
  const f = readObject(value, ['pseudonym', 'action', 'digest', 'at', 'nonce', 'signature']);
  const call = {
    pseudonym: f.pseudonym,
    action: f.action,
    digest: f.digest,
    at: f.at,
    nonce: f.nonce,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  } as SignedPeerCall;
  encodePeerCallBody(call);
  return call;
}

export function verifyPeerCall(call: SignedPeerCall, publicKey: Hex): boolean {
  return verifyEd25519(publicKey, encodePeerCallBody(call), call.signature);
}

/**
 * A registration, signed with the key being registered (proof of possession): nobody can
 * register somebody else's public key and so bind their own identity to that key's pseudonym.
 */
export interface PeerRegistrationBody {
  readonly identity: string;
  readonly publicKey: Hex;
  readonly keyId: string;
  readonly at: string;
  readonly nonce: Hex;
}
export interface SignedPeerRegistration extends PeerRegistrationBody {
  readonly signature: Hex;
}

export function encodePeerRegistration(b: PeerRegistrationBody): Buffer {
  checkText(b.identity, 'identity', MAX_TEXT_BYTES);
  parseHex(b.publicKey, { bytes: ED25519_KEY_BYTES, field: 'publicKey' });
  checkId(b.keyId, 'keyId');
  checkTimestamp(b.at, 'at');
  parseHex(b.nonce, { bytes: NONCE_BYTES, field: 'nonce' });
  return new CanonicalWriter(PEER_REGISTRATION_TAG)
    .string(b.identity)
    .bytes(Buffer.from(b.publicKey, 'hex'))
    .string(b.keyId)
    .string(b.at)
    .bytes(Buffer.from(b.nonce, 'hex'))
    .toBytes();
}

export function signPeerRegistration(b: PeerRegistrationBody, peer: Signer): SignedPeerRegistration {
  const clean = { identity: b.identity, publicKey: b.publicKey, keyId: b.keyId, at: b.at, nonce: b.nonce };
  return { ...clean, signature: peer.sign(encodePeerRegistration(clean)) };
}

export function parsePeerRegistration(value: unknown): SignedPeerRegistration {
  const f = readObject(value, ['identity', 'publicKey', 'keyId', 'at', 'nonce', 'signature']);
  const r = {
    identity: f.identity,
    publicKey: f.publicKey,
    keyId: f.keyId,
    at: f.at,
    nonce: f.nonce,
    signature: parseHex(f.signature, { bytes: ED25519_SIGNATURE_BYTES, field: 'signature' }),
  } as SignedPeerRegistration;
  encodePeerRegistration(r);
  return r;
}

/** The registration is signed by the very key it registers. */
export function verifyPeerRegistration(r: SignedPeerRegistration): boolean {
  return verifyEd25519(r.publicKey, encodePeerRegistration(r), r.signature);
}

/** SHA-256 of JSON with sorted keys: what a peer call's digest covers. */
export function payloadDigest(payload: unknown): Hex {
  return createHash('sha256').update(sortedJson(payload)).digest('hex');
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
