import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { anEvent } from '#event-store/testing';
import { esdbEventId, encodeEvent, toEsdbPosition, toGlobalPosition } from './esdb-codec.js';
import { resolveConfig } from './esdb-config.js';
import { serverFilter } from './esdb-reads.js';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('EventStoreDB codec', () => {
  it('maps (commit, prepare) to one bigint and back, keeping the order', () => {
    fc.assert(
      fc.property(u64, u64, u64, u64, (c1, p1, c2, p2) => {
        const a = toGlobalPosition({ commit: c1, prepare: p1 });
        const b = toGlobalPosition({ commit: c2, prepare: p2 });
        expect(toEsdbPosition(a)).toEqual({ commit: c1, prepare: p1 });
        const ordered = c1 < c2 || (c1 === c2 && p1 < p2);
        expect(a < b).toBe(ordered);
      }),
    );
  });

  it('keeps UUID event ids and hashes other ids into stable UUIDs', () => {
    const uuid = '0E9C5A3B-1F2D-4C6E-8A7B-9D0C1E2F3A4B';
    expect(esdbEventId(uuid)).toBe(uuid.toLowerCase());
    const derived = esdbEventId('spend:chain_1:17');
    expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(esdbEventId('spend:chain_1:17')).toBe(derived);
    expect(esdbEventId('spend:chain_1:18')).not.toBe(derived);
  });

  it('keeps the traceparent of the append in the metadata, and nothing when there is none', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(encodeEvent(anEvent('PaywordSpent', {}), traceparent).metadata).toMatchObject({ traceparent });
    expect(encodeEvent(anEvent('PaywordSpent', {})).metadata).not.toHaveProperty('traceparent');
  });

  it('writes metadata that keeps the NetPay id, schema version and ESDB correlation fields', () => {
    const event = { ...anEvent('PaywordSpent', { index: 3 }, 'not-a-uuid'), version: 2 };
    const encoded = encodeEvent(event);
    expect(encoded.type).toBe('PaywordSpent');
    expect(encoded.data).toEqual({ index: 3 });
    expect(encoded.metadata).toMatchObject({
      eventId: 'not-a-uuid',
      schemaVersion: 2,
      $correlationId: 'corr-1',
    });
  });

  it('builds server filters that match whole categories and exact types, and hide system streams', () => {
    const config = resolveConfig({ connectionString: 'esdb://localhost:2113?tls=false' });
    const regex = (f: ReturnType<typeof serverFilter>): RegExp => new RegExp('regex' in f ? f.regex : '^$');
    const byCategory = regex(serverFilter({ categories: ['chain', 'a.b'] }, config, () => undefined));
    expect(['chain-1', 'chain', 'a.b-x'].every((s) => byCategory.test(s))).toBe(true);
    expect(['chainx-1', 'xchain-1', 'aXb-1'].some((s) => byCategory.test(s))).toBe(false);
    const byType = regex(serverFilter({ eventTypes: ['PaywordSpent'] }, config, () => undefined));
    expect(byType.test('PaywordSpent')).toBe(true);
    expect(byType.test('PaywordSpentTwice')).toBe(false);
    const everything = regex(serverFilter(undefined, config, () => undefined));
    expect(everything.test('chain-1')).toBe(true);
    expect(everything.test('$stats-1')).toBe(false);
    expect(everything.test('netpay_checkpoint-projector')).toBe(false);
  });
});
