import { describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError, InvalidEventStoreRequestError } from '#event-store';
import { anEvent, eventStoreContract } from '#event-store/testing';
import { InMemoryEventStore } from '../in-memory/in-memory-event-store.js';

eventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  const instances = [store];
  return {
    store,
    restart: async () => {
      const next = store.reopen();
      instances.push(next);
      return next;
    },
    dispose: async () => {
      await Promise.all(instances.map((s) => s.close()));
    },
  };
});

describe('InMemoryEventStore', () => {
  it('rejects bad stream names, empty appends and reused ids with a stable code', async () => {
    const store = new InMemoryEventStore();
    await expect(store.appendToStream('chain.1', [anEvent('A')])).rejects.toBeInstanceOf(
      InvalidEventStoreRequestError,
    );
    await expect(store.appendToStream('chain-1', [])).rejects.toMatchObject({
      code: 'EVENT_STORE.INVALID_REQUEST',
    });
    const a = anEvent('A');
    await store.appendToStream('chain-1', [a, anEvent('B')]);
    await expect(store.appendToStream('chain-1', [anEvent('C'), a])).rejects.toBeInstanceOf(
      InvalidEventStoreRequestError,
    );
    expect(await store.readStream('chain-1')).toHaveLength(2);
    await expect(store.appendToStream('chain-1', [anEvent('D', { amount: 5n })])).rejects.toThrow(/JSON/);
  });

  it('refuses work once closed', async () => {
    const store = new InMemoryEventStore();
    await store.close();
    await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('stamps recordedAt from its clock and hands out copies', async () => {
    const at = new Date('2030-01-02T03:04:05Z');
    const store = new InMemoryEventStore({ now: () => at });
    await store.appendToStream('chain-1', [anEvent('A', { list: [1] })]);
    const [first] = await store.readStream('chain-1');
    (first!.data as { list: number[] }).list.push(2);
    const [again] = await store.readAll();
    expect(again!.data).toEqual({ list: [1] });
    expect(again!.recordedAt).toEqual(at);
  });
});
