import type { webcrypto } from 'node:crypto';

/** WebCrypto's key type (the DOM's CryptoKey; the name is the same object in browsers). */
type CryptoKey = webcrypto.CryptoKey;

import { fromBase64, toBase64 } from './bytes.js';
import { WEB_WALLET, WebWalletError } from './errors.js';

/** A wallet at rest: AES-256-GCM under a key PBKDF2-SHA-256 derives from the passphrase. */
export interface SealedVault {
  readonly format: 'netpay-web-wallet/v1';
  readonly kdf: { readonly name: 'PBKDF2-SHA-256'; readonly iterations: number; readonly salt: string };
  readonly iv: string;
  readonly ciphertext: string;
}

/**
 * 310 000 PBKDF2-SHA-256 rounds (the OWASP figure for it): WebCrypto has no scrypt, which the
 * Node wallet file uses. Tests pass fewer.
 */
export const DEFAULT_ITERATIONS = 310_000;
export const MIN_PASSPHRASE_LENGTH = 8;

async function derive(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/**
 * The key of one vault, derived once per unlock (a non-extractable CryptoKey): every later write
 * is sealed with it under a fresh IV, so a purchase costs no key derivation.
 */
export class VaultKey {
  private constructor(
    private readonly key: CryptoKey,
    private readonly salt: Uint8Array,
    private readonly iterations: number,
  ) {}

  /** A new vault's key (a new random salt). */
  static async create(passphrase: string, iterations = DEFAULT_ITERATIONS): Promise<VaultKey> {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH)
      throw new WebWalletError(
        WEB_WALLET.PASSPHRASE_TOO_SHORT,
        `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`,
      );
    const salt = crypto.getRandomValues(new Uint8Array(16));
    return new VaultKey(await derive(passphrase, salt, iterations), salt, iterations);
  }

  /** Opens a sealed vault; a wrong passphrase is WALLET.WRONG_PASSPHRASE and nothing changes. */
  static async unlock(vault: SealedVault, passphrase: string): Promise<{ key: VaultKey; plain: unknown }> {
    if (vault?.format !== 'netpay-web-wallet/v1' || vault.kdf?.name !== 'PBKDF2-SHA-256')
      throw new WebWalletError(WEB_WALLET.CORRUPT, 'this is not a NetPay browser wallet');
    const salt = fromBase64(vault.kdf.salt);
    const key = await derive(passphrase, salt, vault.kdf.iterations);
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64(vault.iv) },
        key,
        fromBase64(vault.ciphertext),
      );
    } catch {
      // GCM's tag does not match: the passphrase is wrong (or the vault was altered).
      throw new WebWalletError(WEB_WALLET.WRONG_PASSPHRASE, 'wrong passphrase: the wallet stays locked');
    }
    return {
      key: new VaultKey(key, salt, vault.kdf.iterations),
      plain: JSON.parse(new TextDecoder().decode(plain)) as unknown,
    };
  }

  /** Opens a vault sealed with this key (another tab may have written it since). */
  async read(vault: SealedVault): Promise<unknown> {
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64(vault.iv) },
        this.key,
        fromBase64(vault.ciphertext),
      );
      return JSON.parse(new TextDecoder().decode(plain)) as unknown;
    } catch {
      throw new WebWalletError(
        WEB_WALLET.WRONG_PASSPHRASE,
        'the stored wallet was sealed with another passphrase',
      );
    }
  }

  async seal(plain: unknown): Promise<SealedVault> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(JSON.stringify(plain));
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.key, data));
    return {
      format: 'netpay-web-wallet/v1',
      kdf: { name: 'PBKDF2-SHA-256', iterations: this.iterations, salt: toBase64(this.salt) },
      iv: toBase64(iv),
      ciphertext: toBase64(ciphertext),
    };
  }
}
