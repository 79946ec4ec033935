import { envVarSpecs } from './env-var.decorator.js';

/**
 * The values of a loaded config's `secret: true` variables (tokens, keys, URLs with passwords),
 * for the logger to blank wherever they would appear (`NetPayLogger.addSecrets`).
 */
export function configSecrets<T extends object>(configClass: abstract new () => T, config: T): string[] {
  const values: string[] = [];
  for (const spec of envVarSpecs(configClass)) {
    if (!spec.secret) continue;
    const value = (config as Record<string, unknown>)[spec.property];
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return values;
}
