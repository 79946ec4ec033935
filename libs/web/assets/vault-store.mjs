// The browser e-wallet at rest: one sealed vault in this broker origin's localStorage holding the
// chains (seeds, touchstones, indexes), the purchases and the customer's sign-in token. Only the
// passphrase opens it; the key it derives stays in memory (a non-extractable CryptoKey).
import { mergeStates, VaultKey, WebWallet, webLocks, withWalletLock } from './wallet/index.js';

const STORE = 'netpay.wallet.v1';

export function hasVault() {
  return localStorage.getItem(STORE) !== null;
}

function stored() {
  const text = localStorage.getItem(STORE);
  return text === null ? undefined : JSON.parse(text);
}

const EMPTY = { wallet: { chains: [], purchases: [] }, customer: null, checkout: {} };

/** An unlocked wallet: `wallet` (WebWallet), `customer` ({customerId, token} or null), `checkout` tokens per vendor. */
export class OpenVault {
  constructor(key, plain) {
    this.key = key;
    this.wallet = WebWallet.fromState(plain.wallet);
    this.customer = plain.customer ?? null;
    this.checkout = plain.checkout ?? {};
  }

  /** A new vault (the first purchase in this browser). */
  static async create(passphrase, iterations) {
    const vault = new OpenVault(await VaultKey.create(passphrase, iterations), EMPTY);
    await vault.save();
    return vault;
  }

  /** Opens the stored vault; a wrong passphrase throws WALLET.WRONG_PASSPHRASE. */
  static async unlock(passphrase) {
    const sealed = stored();
    if (sealed === undefined) {
      const error = new Error('there is no wallet in this browser yet: buy coins at the broker first');
      error.code = 'WALLET.NONE';
      throw error;
    }
    const { key, plain } = await VaultKey.unlock(sealed, passphrase);
    return new OpenVault(key, plain);
  }

  /** Reads what another tab or frame wrote since, merged with this copy (indexes never go back). */
  async refresh() {
    const sealed = stored();
    if (sealed === undefined) return;
    const plain = await this.key.read(sealed);
    this.wallet = WebWallet.fromState(mergeStates(plain.wallet, this.wallet.state()));
    this.customer = this.customer ?? plain.customer ?? null;
    this.checkout = { ...(plain.checkout ?? {}), ...this.checkout };
  }

  /**
   * Read-modify-write of the stored vault, one tab or frame at a time: under the exclusive Web Lock
   * `netpay-wallet` (packages/wallet, `withWalletLock`), reads what is stored, runs `work` (reserve,
   * settle, add a chain…) on the fresh state and stores the result before the lock is let go. So a
   * second tab reserving at the same moment starts from what the first saved: never the same
   * payword for two purchases. Answers what `work` answers; a failing `work` stores nothing.
   */
  update(work) {
    return withWalletLock(async () => {
      await this.refresh();
      const result = await work(this);
      // Without Web Locks (very old browsers) another tab may have written meanwhile: merge it in,
      // as before the lock. With the lock no one did (and a chain `work` removed stays removed).
      if (webLocks() === undefined) await this.refresh();
      await this.#write();
      return result;
    });
  }

  /** Seals and stores, merged with whatever is stored now (under the wallet lock). */
  save() {
    return withWalletLock(async () => {
      await this.refresh();
      await this.#write();
    });
  }

  async #write() {
    const sealed = await this.key.seal({
      wallet: this.wallet.state(),
      customer: this.customer,
      checkout: this.checkout,
    });
    localStorage.setItem(STORE, JSON.stringify(sealed));
  }
}

/** Forgets the wallet of this browser (the chains are lost unless re-issued by the broker). */
export function forgetVault() {
  localStorage.removeItem(STORE);
}
