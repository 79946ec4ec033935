// The configuration mechanism alone (`#config`): what libraries without Nest (the event store,
// the contracts, scripts) use to declare and read their variables the same way the apps do.
export * from './config-error.js';
export * from './describe-config.js';
export * from './duration.js';
export * from './env-var.decorator.js';
export * from './load-config.js';
export * from './shared-config.js';
export * from './timer-bound.js';
