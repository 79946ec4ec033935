export * from './subjects.js';
export * from './messages.js';
export * from './http-schemas.js';
export * from './p2p-http-schemas.js';
