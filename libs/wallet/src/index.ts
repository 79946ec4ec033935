// The client-side e-wallet SDK: holds chains bought from the broker, pays, and keeps them
// encrypted at rest with a passphrase.
export * from './paid-request.js';
export * from './wallet-errors.js';
export * from './wallet.js';
export * from './wallet-file.js';
export * from './wallet-store.js';
export * from './p2p-wallet.js';
