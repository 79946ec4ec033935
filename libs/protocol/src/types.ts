/**
 * Wire types of the NetPay protocol. Every byte string travels as lowercase hex.
 * These shapes are shared by the broker, vendors, wallets and the auditor.
 */

/** Lowercase hexadecimal string (even length). */
export type Hex = string;

/**
 * Hash algorithm of a chain. `sha256` binds every step to the chain id and the
 * position (domain separation). `md5` reproduces the papers' plain h(W) for
 * interop demos only: it is WEAK and must be flagged wherever it appears.
 */
export type ChainAlgorithm = 'sha256' | 'md5';

/** The broker-signed commitment to a chain. It never names the customer. */
export interface TouchstoneBody {
  readonly chainId: string;
  readonly alg: ChainAlgorithm;
  /** W[0], the root of the chain. */
  readonly root: Hex;
  /** n: number of paywords W[1] … W[n]. */
  readonly length: number;
  /** Value of one payword in integer minor units of `currency`. */
  readonly coinValue: number;
  /** ISO 4217 code, e.g. `NZD`. */
  readonly currency: string;
  /** ISO 8601 UTC with milliseconds, e.g. `2026-11-21T08:00:00.000Z`. */
  readonly issuedAt: string;
  readonly expiresAt: string;
  /** When set, only these vendors may accept the chain. */
  readonly vendorRestriction?: readonly string[];
  /** Id of the broker key that signed it. */
  readonly brokerKeyId: string;
}

export interface Touchstone extends TouchstoneBody {
  /** Ed25519 signature over the canonical encoding of the body. */
  readonly signature: Hex;
}

/** What a holder knows of a chain: the next unspent position I and W[I-1]. */
export interface ChainIndex {
  readonly chainId: string;
  /** I: position of the next unspent payword (1 for a fresh chain). */
  readonly index: number;
  /** W[I-1] (the root W[0] for a fresh chain). */
  readonly lastPayword: Hex;
}

/** A payer's spend of `count` coins: the payword at position I + count - 1. */
export interface SpendProof {
  readonly chainId: string;
  readonly position: number;
  readonly payword: Hex;
}

/** Signed by the vendor handing a chain off. */
export interface HandOffCertificateBody {
  readonly chainId: string;
  readonly fromVendor: string;
  readonly toVendor: string;
  /** I at the moment of hand-off. */
  readonly index: number;
  /** W[I-1] at the moment of hand-off. */
  readonly lastPayword: Hex;
  readonly at: string;
  readonly vendorKeyId: string;
}

export interface HandOffCertificate extends HandOffCertificateBody {
  readonly signature: Hex;
}

/** Signed by the vendor after a spend was durably recorded; the content server checks it. */
export interface ReceiptBody {
  /** The authorisation number. */
  readonly receiptId: string;
  readonly vendorId: string;
  readonly chainId: string;
  /** Positions [fromIndex, toIndex] were spent. */
  readonly fromIndex: number;
  readonly toIndex: number;
  /** Value in integer minor units. */
  readonly amount: number;
  readonly currency: string;
  /** What was bought (route, article id, …). */
  readonly resource: string;
  readonly at: string;
  readonly vendorKeyId: string;
}

/**
 * Where a receipt signed in a batch sits in the batch's hash tree (see the
 * README): leaf `index` of `size`, and the sibling hashes from the leaf up.
 */
export interface ReceiptBatchProof {
  /** 0-based position of this receipt in the batch. */
  readonly index: number;
  /** Receipts in the batch, 2..MAX_RECEIPT_BATCH_SIZE (a batch of one is a plain receipt). */
  readonly size: number;
  /** 32-byte sibling hashes, leaf to root; the count follows from index and size. */
  readonly path: readonly Hex[];
}

export interface Receipt extends ReceiptBody {
  /**
   * Ed25519 over the canonical body or, when `batch` is present, over the
   * batch message (size and root of the batch's hash tree).
   */
  readonly signature: Hex;
  /** Present when the receipt was signed together with others. */
  readonly batch?: ReceiptBatchProof;
}

/** A public key registered for a signer, with the id signatures name. */
export interface PublicKeyRecord {
  readonly keyId: string;
  /** Raw 32-byte Ed25519 public key, hex. */
  readonly publicKey: Hex;
  /**
   * Who the key belongs to (a vendor id, the broker id). When set, verifiers
   * refuse a hand-off certificate or receipt whose signer field names someone else.
   */
  readonly ownerId?: string;
}
