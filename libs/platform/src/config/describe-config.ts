import { formatDuration } from './duration.js';
import { type EnvVarOptions, type EnvVarSpec, type EnvVarType, envVarSpecs } from './env-var.decorator.js';
import { isOptionalProperty } from './optional.js';

/** One row of the configuration reference. */
export interface EnvVarDescription {
  name: string;
  property: string;
  type: EnvVarType;
  description: string;
  /** The default as an operator would write it (`5s`, `a,b`), or undefined. */
  default: string | undefined;
  required: boolean;
  secret: boolean;
}

type AnyConfigClass = abstract new () => object;

/**
 * What a config class reads from the environment: for the README reference and compose checks.
 * With `except`, only the variables the class adds to that base class or redeclares (another
 * default or description): the README lists the shared ones once.
 */
export function describeConfig(configClass: AnyConfigClass, except?: AnyConfigClass): EnvVarDescription[] {
  return ownSpecsBeyond(configClass, except).map((spec) => ({
    name: spec.name,
    property: spec.property,
    type: spec.type,
    description: spec.description,
    default: defaultText(spec.type, spec.default),
    required: spec.default === undefined && !isOptionalProperty(configClass, spec.property),
    secret: spec.secret === true,
  }));
}

function ownSpecsBeyond(configClass: AnyConfigClass, base: AnyConfigClass | undefined): EnvVarSpec[] {
  const specs = envVarSpecs(configClass);
  if (!base) return specs;
  const inherited = new Set(envVarSpecs(base)); // the same spec objects when not redeclared
  return specs.filter((spec) => !inherited.has(spec));
}

/** A Markdown table of `describeConfig`, one row per variable. */
export function renderConfigMarkdown(configClass: AnyConfigClass, except?: AnyConfigClass): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = describeConfig(configClass, except).map((v) => {
    const flags = [v.required ? 'required' : '', v.secret ? `secret, or \`${v.name}_FILE\`` : ''].filter(
      Boolean,
    );
    const def = v.default === undefined ? '' : `\`${cell(v.default)}\``;
    const note = flags.length ? ` (${flags.join('; ')})` : '';
    return `| \`${v.name}\` | ${v.type} | ${def} | ${cell(v.description)}${note} |`;
  });
  return (
    ['| Variable | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n'
  );
}

function defaultText(type: EnvVarType, value: EnvVarOptions['default']): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(',');
  if (type === 'duration' && typeof value === 'number') return formatDuration(value);
  return String(value);
}
