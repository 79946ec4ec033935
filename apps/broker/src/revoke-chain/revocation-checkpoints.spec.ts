import { describe, expect, it } from '@jest/globals';
import { InMemoryCheckpointStore } from '#event-store';
import { CategoryCheckpoints, REVOCATION_SUBSCRIPTION } from './revocation.broadcaster.js';

describe("the revocation broadcaster's checkpoints, one per category", () => {
  it('start where the single feed of earlier releases had got to, then go their own way', async () => {
    const inner = new InMemoryCheckpointStore();
    await inner.store(REVOCATION_SUBSCRIPTION, 420n);
    const checkpoints = new CategoryCheckpoints(inner);
    const chain = `${REVOCATION_SUBSCRIPTION}-chain`;
    const vendor = `${REVOCATION_SUBSCRIPTION}-vendor`;

    expect(await checkpoints.load(chain)).toBe(420n);
    expect(await checkpoints.load(vendor)).toBe(420n);
    await checkpoints.store(chain, 512n);
    expect(await checkpoints.load(chain)).toBe(512n);
    expect(await inner.load(chain)).toBe(512n);
    expect(await checkpoints.load(vendor)).toBe(420n);
  });

  it('start from the beginning on a new store', async () => {
    const checkpoints = new CategoryCheckpoints(new InMemoryCheckpointStore());
    expect(await checkpoints.load(`${REVOCATION_SUBSCRIPTION}-customer`)).toBeUndefined();
  });
});
