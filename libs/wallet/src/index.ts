// The Node adapter of the one wallet library, `@netpay/wallet` (packages/wallet): the wallet and
// its payword rule come from there; here are what only Node has — the encrypted wallet file
// (scrypt), `requestPaid` over Node's fetch, the P2P wallet's signed index statements.
export * from '@netpay/wallet';
export * from './paid-request.js';
export * from './wallet-errors.js';
export * from './wallet-file.js';
export * from './wallet-store.js';
export * from './p2p-wallet.js';
export { newWalletNonce } from './nonce.js';
export * from './payment.js';
