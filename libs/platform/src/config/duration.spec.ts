import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['250', 250],
    [' 3s ', 3_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5x', 's', '-1s', '5s junk', '1e3', '1.s'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('round-trips formatDuration for any whole number of milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms),
    );
  });
});
