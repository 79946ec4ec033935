import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { convertEnvValue } from './convert.js';
import { type EnvVarSpec, envVarSpecs } from './env-var.decorator.js';
import { isOptionalProperty } from './optional.js';

export type Env = Readonly<Record<string, string | undefined>>;
export type ConfigClass<T extends object> = new () => T;

type Raw = { state: 'set'; raw: unknown } | { state: 'unset' } | { state: 'failed'; problem: ConfigProblem };

/**
 * Build a config object from environment variables declared with `@EnvVar` and checked with
 * class-validator. `<NAME>_FILE` may name a file that holds the value (Docker/Kubernetes
 * secrets). An empty variable counts as unset. Every problem is collected and thrown as one
 * `ConfigError`, so a bad deployment fails at start-up with the whole list.
 */
export function loadConfig<T extends object>(configClass: ConfigClass<T>, env: Env = process.env): T {
  const problems: ConfigProblem[] = [];
  const plain: Record<string, unknown> = {};
  const reported = new Set<string>();
  const specs = envVarSpecs(configClass);

  for (const spec of specs) {
    const found = readRaw(spec, env);
    if (found.state === 'set') {
      const converted = convertEnvValue(spec, found.raw);
      if (converted.ok) {
        plain[spec.property] = converted.value;
        continue;
      }
      problems.push({
        variable: spec.name,
        message: `expected ${converted.expected}, got ${shown(spec, found.raw)}`,
      });
    } else if (found.state === 'failed') problems.push(found.problem);
    else if (isOptionalProperty(configClass, spec.property)) continue;
    else problems.push({ variable: spec.name, message: `required but not set (${spec.description})` });
    reported.add(spec.property);
  }

  const config = plainToInstance(configClass, plain);
  const byProperty = new Map(specs.map((s) => [s.property, s]));
  for (const error of validateSync(config)) {
    const spec = byProperty.get(error.property);
    if (!spec || reported.has(error.property)) continue; // one message per variable
    const reasons = Object.values(error.constraints ?? {}).map((m) => withoutProperty(m, error.property));
    problems.push({
      variable: spec.name,
      message: `${reasons.join('; ')} (got ${shown(spec, plain[spec.property])})`,
    });
  }

  if (problems.length) throw new ConfigError(configClass.name, problems);
  return config;
}

/** The variable's text: from `<NAME>`, else from the file `<NAME>_FILE` names, else the default. */
function readRaw(spec: EnvVarSpec, env: Env): Raw {
  const direct = nonEmpty(env[spec.name]);
  const file = nonEmpty(env[`${spec.name}_FILE`]);
  if (direct !== undefined && file !== undefined) {
    return {
      state: 'failed',
      problem: { variable: spec.name, message: `set ${spec.name} or ${spec.name}_FILE, not both` },
    };
  }
  if (file !== undefined) {
    try {
      // Secret files usually end with a newline the value does not contain.
      return { state: 'set', raw: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? String(e);
      return {
        state: 'failed',
        problem: { variable: `${spec.name}_FILE`, message: `cannot read ${file} (${reason})` },
      };
    }
  }
  const value = direct ?? spec.default;
  return value === undefined ? { state: 'unset' } : { state: 'set', raw: value };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function shown(spec: EnvVarSpec, value: unknown): string {
  return spec.secret ? '<secret hidden>' : JSON.stringify(value);
}

/** class-validator messages start with the property name; the operator knows the variable name. */
function withoutProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
