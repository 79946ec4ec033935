import type { Provider } from '@nestjs/common';
import { type ConfigClass, type Env, loadConfig } from './load-config.js';

/**
 * A provider whose token is the config class itself: `constructor(private readonly config: BrokerConfig)`.
 * Loaded when the module is built, so a bad environment stops the app before it listens.
 */
export function configProvider<T extends object>(
  configClass: ConfigClass<T>,
  env: Env = process.env,
): Provider {
  return { provide: configClass, useFactory: (): T => loadConfig(configClass, env) };
}
