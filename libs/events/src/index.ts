export * from './streams.js';
export * from './chain.events.js';
export * from './chain.events.v1.js';
export * from './revocation-reasons.js';
export * from './broker.events.js';
export * from './redemption.events.js';
export * from './envelope.js';
export * from './upcasting.js';
