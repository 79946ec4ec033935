import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { parseTouchstone } from '#protocol';
import { Wallet, type WalletChain, type WalletPurchase, type WalletState } from '@netpay/wallet';
import { WALLET, WalletError } from './wallet-errors.js';

/**
 * The wallet at rest, format `netpay-wallet` version 1 (JSON):
 *
 * { format, version: 1,
 *   kdf:    { name: "scrypt", N, r, p, salt (hex, 16 bytes) },
 *   check:  hex(HMAC-SHA256(key, "netpay-wallet/v1/check"))[0..32]  — tells a wrong passphrase from damage
 *   cipher: { name: "aes-256-gcm", iv (hex, 12 bytes), tag (hex, 16 bytes) },
 *   ciphertext: base64(AES-256-GCM(key, JSON(WalletState: { chains, purchases }))) }
 *
 * A file written before the purchases were kept holds `{ chains }` only: it opens with no purchases.
 *
 * key = scrypt(passphrase, salt, 32, {N, r, p}). The header (format, version, kdf, check, cipher
 * name and iv) is the GCM associated data, so changing any of it fails like changing the ciphertext.
 */
export const WALLET_FILE_FORMAT = 'netpay-wallet';
export const WALLET_FILE_VERSION = 1;

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Interactive-login strength (≈ 32 MiB, ~100 ms). Tests may pass cheaper parameters. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
// Bounds on what a file may ask for, so a crafted file cannot make opening it take forever.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

interface WalletFileV1 {
  format: typeof WALLET_FILE_FORMAT;
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  check: string;
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  ciphertext: string;
}

export function encryptWallet(
  wallet: Wallet,
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): string {
  checkPassphrase(passphrase);
  checkParams(params);
  const salt = randomBytes(16);
  const key = deriveKey(passphrase, salt, params);
  const iv = randomBytes(12);
  const header = {
    format: WALLET_FILE_FORMAT as typeof WALLET_FILE_FORMAT,
    version: 1 as const,
    kdf: { name: 'scrypt' as const, N: params.N, r: params.r, p: params.p, salt: salt.toString('hex') },
    check: checkValue(key),
    cipher: { name: 'aes-256-gcm' as const, iv: iv.toString('hex') },
  };
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(header));
  const plain = Buffer.from(JSON.stringify(wallet.state()), 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const file: WalletFileV1 = {
    ...header,
    cipher: { ...header.cipher, tag: cipher.getAuthTag().toString('hex') },
    ciphertext: ciphertext.toString('base64'),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

export function decryptWallet(text: string, passphrase: string): Wallet {
  const file = parseFile(text);
  const params = { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p };
  const key = deriveKey(passphrase, Buffer.from(file.kdf.salt, 'hex'), params);
  const expected = Buffer.from(checkValue(key), 'hex');
  const stored = Buffer.from(file.check, 'hex');
  if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) {
    throw new WalletError(WALLET.WRONG_PASSPHRASE, 'wrong passphrase for this wallet file');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'hex'));
    decipher.setAAD(associatedData({ ...file, cipher: { name: file.cipher.name, iv: file.cipher.iv } }));
    decipher.setAuthTag(Buffer.from(file.cipher.tag, 'hex'));
    plain = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw new WalletError(
      WALLET.FILE_TAMPERED,
      'the wallet file was changed or damaged after it was written',
    );
  }
  return Wallet.fromState(parseState(plain));
}

function associatedData(h: {
  format: string;
  version: number;
  kdf: WalletFileV1['kdf'];
  check: string;
  cipher: { name: string; iv: string };
}): Buffer {
  const { N, r, p, salt } = h.kdf;
  return Buffer.from(
    JSON.stringify([h.format, h.version, h.kdf.name, N, r, p, salt, h.check, h.cipher.name, h.cipher.iv]),
    'utf8',
  );
}

function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, {
    ...params,
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  });
}

function checkValue(key: Buffer): string {
  return createHmac('sha256', key).update('netpay-wallet/v1/check').digest().subarray(0, 16).toString('hex');
}

function checkPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || passphrase.length < 8) {
    throw new RangeError('a wallet passphrase has at least 8 characters');
  }
}

function checkParams(p: ScryptParams): void {
  const powerOfTwo = Number.isSafeInteger(p.N) && p.N >= 2 && (p.N & (p.N - 1)) === 0;
  if (!powerOfTwo || p.N > MAX_N || !(p.r >= 1 && p.r <= MAX_R) || !(p.p >= 1 && p.p <= MAX_P)) {
    throw new WalletError(
      WALLET.FILE_UNSUPPORTED,
      `scrypt parameters N=${p.N} r=${p.r} p=${p.p} are out of bounds`,
    );
  }
}

function parseFile(text: string): WalletFileV1 {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WalletError(WALLET.FILE_MALFORMED, 'not a wallet file (not JSON)');
  }
  const f = raw as Partial<WalletFileV1> | null;
  if (typeof f !== 'object' || f === null || f.format !== WALLET_FILE_FORMAT) {
    throw new WalletError(WALLET.FILE_MALFORMED, 'not a NetPay wallet file');
  }
  if (f.version !== WALLET_FILE_VERSION) {
    throw new WalletError(
      WALLET.FILE_UNSUPPORTED,
      `wallet file version ${String(f.version)} is not supported (this SDK reads 1)`,
    );
  }
  const hex = (v: unknown, bytes: number): boolean =>
    typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-f]+$/.test(v);
  const ok =
    f.kdf?.name === 'scrypt' &&
    hex(f.kdf.salt, 16) &&
    hex(f.check, 16) &&
    f.cipher?.name === 'aes-256-gcm' &&
    hex(f.cipher.iv, 12) &&
    hex(f.cipher.tag, 16) &&
    typeof f.ciphertext === 'string';
  if (!ok) throw new WalletError(WALLET.FILE_MALFORMED, 'the wallet file header is incomplete or malformed');
  checkParams({ N: f.kdf!.N, r: f.kdf!.r, p: f.kdf!.p });
  return f as WalletFileV1;
}

function parseState(plain: Buffer): WalletState {
  const body = JSON.parse(plain.toString('utf8')) as { chains?: unknown; purchases?: unknown };
  if (!Array.isArray(body.chains))
    throw new WalletError(WALLET.FILE_MALFORMED, 'the wallet holds no chain list');
  if (body.purchases !== undefined && !Array.isArray(body.purchases))
    throw new WalletError(WALLET.FILE_MALFORMED, 'the wallet purchases are not a list');
  const chains = body.chains.map((c: unknown): WalletChain => {
    const r = c as Partial<WalletChain>;
    if (typeof r.seed !== 'string' || typeof r.index !== 'number') {
      throw new WalletError(WALLET.FILE_MALFORMED, 'a chain record lacks its seed or index');
    }
    return { ...r, seed: r.seed, index: r.index, touchstone: parseTouchstone(r.touchstone) };
  });
  const purchases = ((body.purchases ?? []) as unknown[]).map((p): WalletPurchase => {
    const r = p as Partial<WalletPurchase>;
    const whole = (n: unknown): boolean => Number.isSafeInteger(n);
    if (
      typeof r.purchaseKey !== 'string' ||
      typeof r.chainId !== 'string' ||
      typeof r.payword !== 'string' ||
      !whole(r.fromIndex) ||
      !whole(r.position) ||
      !whole(r.coins)
    )
      throw new WalletError(WALLET.FILE_MALFORMED, 'a purchase record is incomplete');
    return r as WalletPurchase;
  });
  return { chains, purchases };
}
