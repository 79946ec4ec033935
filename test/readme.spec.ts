import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { configReference } from '../apps/demo/src/config-reference.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Table rows as trimmed cells (Prettier realigns columns), without separator rows or blanks. */
function normalise(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\|[\s:|-]+\|$/.test(line))
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim())
            .join('|')
        : line,
    );
}

describe('README', () => {
  it('shows exactly the two quick-start commands: the main job and the tests', () => {
    const quickStart = /## Quick start\s+```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = quickStart
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split('#')[0]!.trim());
    expect(commands).toEqual(['npm run demo', 'npm test']);
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const script of named)
      expect({ script, exists: script in pkg.scripts }).toEqual({ script, exists: true });
  });

  it('carries the configuration reference generated from the services’ config classes', () => {
    const block = /<!-- config:start -->([\s\S]*?)<!-- config:end -->/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(normalise(block ?? '')).toEqual(normalise(configReference()));
  });
});
