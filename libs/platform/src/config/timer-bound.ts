import { Max } from 'class-validator';
import { formatDuration } from './duration.js';

/**
 * The longest a Node timer waits: 2^31-1 ms (24d20h31m23s). Given more, `setTimeout` and
 * `setInterval` fire after 1 ms instead, with only a `TimeoutOverflowWarning` on stderr, so a sweep
 * meant to run monthly would run a thousand times a second.
 */
export const LONGEST_TIMER_MS = 2_147_483_647;

/**
 * For a duration (ms) that some timer waits for: at most `limit` (`LONGEST_TIMER_MS`, or less when
 * the timer waits for a multiple of it), refused at start-up with a message saying why.
 */
export function FitsATimer(limit: number = LONGEST_TIMER_MS): PropertyDecorator {
  return Max(limit, {
    message: `must be at most ${formatDuration(limit)} (${limit} ms): a Node timer cannot wait longer`,
  });
}
