import { describe, expect, it } from '@jest/globals';
import { storedAt } from './jetstream-reader.js';

// A consumer's reply subject carries the stored time in nanoseconds; a direct get, the same time
// as RFC 3339 text. One event must have one `recordedAt` whichever way it was read.
describe('the stored time of a message read through a consumer', () => {
  const ns = '1796539772850999999'; // 06:49:32.850999999, as the server wrote it
  const direct = new Date(Date.parse('2026-12-06T06:49:32.850999999Z'));
  const clientTime = new Date(Math.floor(parseInt(ns, 10) / 1_000_000)); // what the client parses

  it('is the direct get’s millisecond, not a rounded double', () => {
    expect(storedAt({ timestampNanos: BigInt(ns) }).toISOString()).toBe(direct.toISOString());
    expect(clientTime.toISOString()).not.toBe(direct.toISOString());
  });
});
