import { afterEach, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { decode, deterministicEventId, toNewEvent, type NetPayEvent } from './envelope.js';
import { categoryOf, idOf, InvalidStreamIdError, streams } from './streams.js';
import { CURRENT_VERSIONS, registerUpcaster, UnknownEventVersionError, upcast } from './upcasting.js';

const META = { correlationId: 'corr_1', causationId: 'cmd_1', actor: 'vendor:newspaper' };

const spent: NetPayEvent = {
  type: 'CoinsSpent',
  version: 1,
  data: {
    chainId: 'c1',
    vendorId: 'newspaper',
    fromIndex: 3,
    toIndex: 5,
    payword: 'ab'.repeat(32),
    receiptId: 'r_1',
    at: '2026-11-21T10:00:00.000Z',
  },
};

describe('stream names', () => {
  it('name one stream per category, with the category before the first dash', () => {
    expect(streams.chain('c_1')).toBe('chain-c_1');
    expect(categoryOf(streams.customer('cu1'))).toBe('customer');
    expect(idOf(streams.purchase('p1'))).toBe('p1');
    expect(streams.redemption('newspaper', '2026-11-21')).toBe('redemption-newspaper_20261121');
    expect(categoryOf(streams.redemption('newspaper', '2026-11-21'))).toBe('redemption');
  });

  it('refuse ids that would break a stream name or a NATS subject', () => {
    for (const bad of ['', 'a.b', 'a b', 'a-b', 'a*', 'x'.repeat(65)]) {
      expect(() => streams.chain(bad)).toThrow(InvalidStreamIdError);
    }
  });
});

describe('deterministic event ids', () => {
  it('are UUID-shaped, stable for the same parts and different for different parts', () => {
    const id = deterministicEventId('purchase', 'p1', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId('purchase', 'p1', 0)).toBe(id);
    expect(deterministicEventId('purchase', 'p1', 1)).not.toBe(id);
    // Parts are separated, so shifting a boundary gives another id.
    expect(deterministicEventId('ab', 'c')).not.toBe(deterministicEventId('a', 'bc'));
  });
});

describe('serialization through a store', () => {
  it('round-trips a typed event with its metadata, stream, revision and position', async () => {
    const store = new InMemoryEventStore();
    const id = deterministicEventId('spend', 'c1', 5);
    await store.appendToStream(streams.chain('c1'), [toNewEvent(spent, META, id)], {
      expectedRevision: 'no_stream',
    });
    const [recorded] = await store.readStream(streams.chain('c1'));
    const decoded = decode(recorded!);
    expect(decoded).toMatchObject({ ...spent, id, streamName: 'chain-c1', revision: 0, metadata: META });
    expect(typeof decoded?.position).toBe('bigint');
    // The same event id appended again is the same event: the store keeps one.
    await store.appendToStream(streams.chain('c1'), [toNewEvent(spent, META, id)]);
    expect(await store.readStream(streams.chain('c1'))).toHaveLength(1);
    await store.close();
  });

  it('ignores event types this code does not know (readers skip them)', () => {
    const foreign = { id: 'x', type: 'SomethingNew', version: 1, data: {}, metadata: META };
    expect(
      decode({ ...foreign, streamName: 'chain-c1', revision: 0, position: 1n, recordedAt: new Date(0) }),
    ).toBeUndefined();
  });
});

describe('upcasting', () => {
  // A throwaway type at version 3, so the real events stay untouched.
  const versions = CURRENT_VERSIONS as Record<string, number>;
  afterEach(() => {
    delete versions.TestEvent;
  });

  it('brings an old version to the current one through the chain of upcasters', () => {
    versions.TestEvent = 3;
    registerUpcaster({ type: 'TestEvent', fromVersion: 1, upcast: (d) => ({ ...(d as object), b: 2 }) });
    registerUpcaster({ type: 'TestEvent', fromVersion: 2, upcast: (d) => ({ ...(d as object), c: 3 }) });
    expect(upcast('TestEvent', 1, { a: 1 })).toEqual({ version: 3, data: { a: 1, b: 2, c: 3 } });
    expect(upcast('TestEvent', 3, { a: 1 })).toEqual({ version: 3, data: { a: 1 } });
  });

  it('refuses a version newer than the code, or one with no upcaster', () => {
    versions.TestEvent = 2;
    expect(() => upcast('TestEvent', 3, {})).toThrow(UnknownEventVersionError);
    expect(() => upcast('CoinsSpent', 0, {})).toThrow(UnknownEventVersionError);
  });
});
