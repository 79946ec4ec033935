// Platform glue shared by the broker, vendor and redemption apps.
export * from './clock/clock.js';
export * from './clock/clock.module.js';
export * from './config/config-error.js';
export * from './config/config.provider.js';
export * from './config/describe-config.js';
export * from './config/duration.js';
export * from './config/env-var.decorator.js';
export * from './config/load-config.js';
