export * from './event-store.port.js';
export * from './errors.js';
export * from './in-memory/index.js';
export { categoryOf } from './shared/validation.js';
export * from './jetstream/index.js';
