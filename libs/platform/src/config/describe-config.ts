import { formatDuration } from './duration.js';
import { type EnvVarOptions, type EnvVarType, envVarSpecs } from './env-var.decorator.js';
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

/** What a config class reads from the environment: for the README reference and compose checks. */
export function describeConfig(configClass: abstract new () => object): EnvVarDescription[] {
  return envVarSpecs(configClass).map((spec) => ({
    name: spec.name,
    property: spec.property,
    type: spec.type,
    description: spec.description,
    default: defaultText(spec.type, spec.default),
    required: spec.default === undefined && !isOptionalProperty(configClass, spec.property),
    secret: spec.secret === true,
  }));
}

/** A Markdown table of `describeConfig`, one row per variable. */
export function renderConfigMarkdown(configClass: abstract new () => object): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = describeConfig(configClass).map((v) => {
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
