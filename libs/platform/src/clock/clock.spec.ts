import { describe, expect, it } from '@jest/globals';
import { FixedClock, ManualClock, OffsetClock } from './clock.js';

describe('clocks for tests', () => {
  it('FixedClock answers the same instant, in fresh Date objects', () => {
    const clock = new FixedClock('2025-03-01T12:00:00Z');
    const a = clock.now();
    a.setFullYear(1999);
    expect(clock.now().toISOString()).toBe('2025-03-01T12:00:00.000Z');
  });

  it('ManualClock moves only when told, and never backwards by a step', () => {
    const clock = new ManualClock('2025-03-01T00:00:00Z');
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2025-03-01T00:00:01.500Z');
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.set('2025-03-02T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2025-03-02T00:00:00.000Z');
  });

  it('OffsetClock runs its base clock ahead by the offset, and refuses a negative or fractional one', () => {
    const base = new ManualClock('2025-03-01T00:00:00Z');
    const later = new OffsetClock(3 * 86_400_000, base);
    expect(later.now().toISOString()).toBe('2025-03-04T00:00:00.000Z');
    base.advance(1_000);
    expect(later.now().toISOString()).toBe('2025-03-04T00:00:01.000Z');
    expect(() => new OffsetClock(-1, base)).toThrow(RangeError);
    expect(() => new OffsetClock(0.5, base)).toThrow(RangeError);
  });
});
