import type { ReadStreamOptions } from '../event-store.port.js';

/**
 * Applies direction, start revision and count to a stream's events held in
 * revision order (index = revision). Forwards starts at `fromRevision`
 * (default 0); backwards starts at `fromRevision` (default: the last) and goes down.
 */
export function readWindow<T>(events: readonly T[], options: ReadStreamOptions): T[] {
  const max = options.maxCount ?? Number.POSITIVE_INFINITY;
  if (max <= 0) return [];
  if ((options.direction ?? 'forwards') === 'forwards') {
    const from = Math.max(0, options.fromRevision ?? 0);
    return events.slice(from, max === Number.POSITIVE_INFINITY ? undefined : from + max);
  }
  const from = Math.min(events.length - 1, options.fromRevision ?? events.length - 1);
  const out: T[] = [];
  for (let r = from; r >= 0 && out.length < max; r--) out.push(events[r]!);
  return out;
}
