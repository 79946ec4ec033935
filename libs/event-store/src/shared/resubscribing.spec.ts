import { describe, expect, it } from '@jest/globals';
import { InMemoryCheckpointStore, InMemoryEventStore } from '../in-memory/index.js';
import type { GlobalPosition } from '../event-store.port.js';
import { resubscribing } from './resubscribing.js';

describe('resubscribing', () => {
  it('opens a subscription that stopped on an error again, from its checkpoint, until stopped', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 3; i++)
      await store.appendToStream(`thing-${i}`, [
        {
          id: crypto.randomUUID(),
          type: 'Happened',
          version: 1,
          data: { i },
          metadata: { correlationId: 'c', causationId: 'c', actor: 'test' },
        },
      ]);
    const checkpoints = new InMemoryCheckpointStore();
    const seen: GlobalPosition[] = [];
    const errors: unknown[] = [];
    let failOnce = true;
    const subscription = resubscribing(
      () =>
        store.subscribeToAll({
          subscriptionId: 'flaky',
          checkpoints,
          handler: async (event) => {
            if (failOnce && seen.length === 1) {
              failOnce = false;
              throw new Error('the store went away');
            }
            seen.push(event.position);
          },
        }),
      { initialDelayMs: 5, onError: (e) => errors.push(e) },
    );
    for (let i = 0; i < 200 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await subscription.stop();
    await subscription.done;
    expect(errors).toHaveLength(1);
    // Each event handled once, in order: the reopening went on from the checkpoint.
    expect(seen).toHaveLength(3);
    expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(seen);
    expect(new Set(seen).size).toBe(3);
  });
});
