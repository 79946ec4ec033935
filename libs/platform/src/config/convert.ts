import { parseDuration } from './duration.js';
import type { EnvVarSpec } from './env-var.decorator.js';

export type Converted = { ok: true; value: unknown } | { ok: false; expected: string };

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** Turn the text of a variable (or a default) into the value its spec asks for. */
export function convertEnvValue(spec: EnvVarSpec, raw: unknown): Converted {
  if (typeof raw !== 'string') return { ok: true, value: raw }; // typed default, already a value
  const text = raw.trim();
  switch (spec.type) {
    case 'string':
      return { ok: true, value: raw };
    case 'integer':
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))
        ? { ok: true, value: Number(text) }
        : { ok: false, expected: 'an integer' };
    case 'number':
      return text !== '' && Number.isFinite(Number(text))
        ? { ok: true, value: Number(text) }
        : { ok: false, expected: 'a number' };
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return { ok: false, expected: 'a boolean (true/false, 1/0, yes/no, on/off)' };
    }
    case 'duration': {
      const ms = parseDuration(text);
      return ms === undefined
        ? { ok: false, expected: 'a duration like 500ms, 5s, 2m, 1h30m (a bare number is ms)' }
        : { ok: true, value: ms };
    }
    case 'url':
      return checkUrl(text, spec.protocols) ?? { ok: true, value: text };
    case 'list':
      return { ok: true, value: splitList(text) };
    case 'url-list': {
      const items = splitList(text);
      for (const item of items) {
        const bad = checkUrl(item, spec.protocols);
        if (bad) return bad;
      }
      return items.length
        ? { ok: true, value: items }
        : { ok: false, expected: 'a comma-separated list of URLs' };
    }
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function checkUrl(text: string, protocols: readonly string[] | undefined): Converted | undefined {
  const expected = protocols?.length ? `a URL with scheme ${protocols.join(' or ')}` : 'an absolute URL';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, expected };
  }
  if (protocols?.length && !protocols.includes(url.protocol)) return { ok: false, expected };
  return undefined;
}
