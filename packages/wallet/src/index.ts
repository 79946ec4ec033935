/**
 * `@netpay/wallet`: NetPay's client-side e-wallet for browsers and Node 20+. It uses only
 * WebCrypto, TextEncoder and `crypto.getRandomValues`, and its modules import nothing but each
 * other, so the compiled files are served to browsers as they are (`<script type="module">`).
 */
export * from './bytes.js';
export * from './chain-hash.js';
export * from './errors.js';
export * from './vault.js';
export * from './wallet-lock.js';
export * from './web-wallet.js';
/** The wallet class under its plain name (Node code); `WebWallet` is the same class. */
export { WebWallet as Wallet } from './web-wallet.js';
