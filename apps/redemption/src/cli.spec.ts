import { describe, expect, it } from '@jest/globals';
import { parseCommand, UsageError } from './cli.js';

describe('the command line', () => {
  it('serves by default and runs one night with an optional day', () => {
    expect(parseCommand([])).toEqual({ kind: 'serve' });
    expect(parseCommand(['run'])).toEqual({ kind: 'run' });
    expect(parseCommand(['run', '--day', '2026-03-10'])).toEqual({ kind: 'run', day: '2026-03-10' });
    expect(parseCommand(['run', '--day=2026-03-10'])).toEqual({ kind: 'run', day: '2026-03-10' });
    expect(parseCommand(['--day', '2026-03-10', 'run'])).toEqual({ kind: 'run', day: '2026-03-10' });
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses what it does not understand, with the usage', () => {
    for (const args of [
      ['run', '--day'],
      ['run', '--day', '10/03/2026'],
      ['run', '--day', '2026-03-10', 'x'],
      ['sing'],
      ['run', '--night', '2026-03-10'],
      ['serve', '--day', '2026-03-10'],
      ['serve', 'now'],
    ]) {
      expect(() => parseCommand(args)).toThrow(UsageError);
    }
  });
});
