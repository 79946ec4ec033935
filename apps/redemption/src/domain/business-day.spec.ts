import { describe, expect, it } from '@jest/globals';
import { addDays, businessDayOf, isBusinessDay, isTimeZone, previousBusinessDay } from './business-day.js';

describe('business days', () => {
  it('are the calendar date of an instant in the cut-off’s time zone, across daylight saving changes', () => {
    expect(businessDayOf('2026-03-10T10:59:59.999Z', 'Pacific/Auckland')).toBe('2026-03-10'); // 23:59:59 NZDT
    expect(businessDayOf('2026-03-10T11:00:00.000Z', 'Pacific/Auckland')).toBe('2026-03-11'); // 00:00 NZDT
    expect(businessDayOf('2026-07-10T11:59:59.999Z', 'Pacific/Auckland')).toBe('2026-07-10'); // 23:59:59 NZST
    expect(businessDayOf('2026-07-10T12:00:00.000Z', 'Pacific/Auckland')).toBe('2026-07-11');
    expect(businessDayOf('2026-03-10T23:30:00.000Z', 'UTC')).toBe('2026-03-10');
    expect(businessDayOf('not a time', 'UTC')).toBeUndefined();
  });

  it('close the day before the cut-off’s, whatever the hour of the cut-off in UTC', () => {
    expect(previousBusinessDay(new Date('2026-03-10T13:30:00.000Z'), 'Pacific/Auckland')).toBe('2026-03-10');
    expect(previousBusinessDay(new Date('2026-04-05T13:30:00.000Z'), 'Pacific/Auckland')).toBe('2026-04-05');
    expect(previousBusinessDay(new Date('2026-01-01T02:30:00.000Z'), 'Europe/Berlin')).toBe('2025-12-31');
  });

  it('are validated and counted as calendar dates', () => {
    expect(isBusinessDay('2028-02-29')).toBe(true);
    expect(isBusinessDay('2026-02-29')).toBe(false);
    expect(isBusinessDay('2026-3-1')).toBe(false);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(isTimeZone('Pacific/Auckland')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
