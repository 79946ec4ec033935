import 'reflect-metadata';

/** How the text of an environment variable becomes the property's value. */
export type EnvVarType =
  'string' | 'integer' | 'number' | 'boolean' | 'duration' | 'url' | 'list' | 'url-list';

export interface EnvVarOptions {
  /** The variable's name, e.g. `NATS_URL`. `<name>_FILE` may name a file holding the value instead. */
  name: string;
  /** One line for the configuration reference. */
  description: string;
  /**
   * Used when the variable is unset or empty. Strings go through the same conversion as the
   * environment (`'5s'` for a duration). No default and no `@IsOptional()` = required.
   */
  default?: string | number | boolean | readonly string[];
  /** Inferred from the property's type (number, boolean, string[], string) when omitted. */
  type?: EnvVarType;
  /** For `url` / `url-list`: accepted schemes, e.g. `['nats:', 'tls:']`. */
  protocols?: readonly string[];
  /** Keys, passwords, tokens: never echoed in errors; prefer `<name>_FILE`. */
  secret?: boolean;
}

export interface EnvVarSpec extends Omit<EnvVarOptions, 'type'> {
  /** The config class property the variable fills. */
  property: string;
  type: EnvVarType;
}

const SPECS = Symbol('netpay.platform.env-vars');

/** Declares which environment variable fills this config property (see `loadConfig`). */
export function EnvVar(options: EnvVarOptions): PropertyDecorator {
  return (target, key) => {
    const property = String(key);
    const type = options.type ?? inferType(Reflect.getMetadata('design:type', target, key));
    const own = ownSpecs(target);
    Reflect.defineMetadata(SPECS, [...own, { ...options, property, type }], target);
  };
}

function ownSpecs(target: object): EnvVarSpec[] {
  return (Reflect.getOwnMetadata(SPECS, target) as EnvVarSpec[] | undefined) ?? [];
}

function inferType(designType: unknown): EnvVarType {
  if (designType === Number) return 'number';
  if (designType === Boolean) return 'boolean';
  if (designType === Array) return 'list';
  return 'string';
}

/** The variables a config class declares, base class first, in declaration order. */
export function envVarSpecs(configClass: abstract new () => object): EnvVarSpec[] {
  const chain: object[] = [];
  for (let proto: unknown = configClass.prototype; proto && proto !== Object.prototype;) {
    chain.unshift(proto);
    proto = Object.getPrototypeOf(proto);
  }
  const byProperty = new Map<string, EnvVarSpec>();
  for (const proto of chain) {
    const own = ownSpecs(proto);
    for (const spec of own) byProperty.set(spec.property, spec); // a subclass may redeclare
  }
  return [...byProperty.values()];
}
