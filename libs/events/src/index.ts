export * from './streams.js';
export * from './chain.events.js';
export * from './broker.events.js';
export * from './redemption.events.js';
export * from './redemption-signature.js';
export * from './envelope.js';
export * from './upcasting.js';
