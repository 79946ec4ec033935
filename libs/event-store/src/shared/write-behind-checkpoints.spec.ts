import { describe, expect, it } from '@jest/globals';
import type { CheckpointStore, GlobalPosition } from '../event-store.port.js';
import { InMemoryCheckpointStore } from '../in-memory/index.js';
import { WriteBehindCheckpoints } from './write-behind-checkpoints.js';

/** The durable store underneath: records each write, and can refuse the next ones. */
class Durable implements CheckpointStore {
  readonly inner = new InMemoryCheckpointStore();
  readonly writes: [string, GlobalPosition][] = [];
  failing = 0;
  load(id: string): Promise<GlobalPosition | undefined> {
    return this.inner.load(id);
  }
  async store(id: string, position: GlobalPosition): Promise<void> {
    if (this.failing > 0) {
      this.failing -= 1;
      throw new Error('NATS is away');
    }
    this.writes.push([id, position]);
    await this.inner.store(id, position);
  }
}

/** Polls until `check` holds (the timer has fired), failing after a few seconds. */
async function eventually(check: () => boolean): Promise<void> {
  for (const until = Date.now() + 5_000; !check();) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('WriteBehindCheckpoints', () => {
  it('writes only the latest position, once per interval, and answers loads with it meanwhile', async () => {
    const durable = new Durable();
    await durable.inner.store('s', 3n);
    const checkpoints = new WriteBehindCheckpoints(durable, 50);
    for (let p = 4n; p <= 20n; p++) await checkpoints.store('s', p);
    expect(durable.writes).toEqual([]);
    expect(await checkpoints.load('s')).toBe(20n);
    expect(await checkpoints.load('other')).toBeUndefined();
    await eventually(() => durable.writes.length > 0);
    expect(durable.writes).toEqual([['s', 20n]]);
    await checkpoints.store('s', 21n);
    await checkpoints.flush();
    expect(durable.writes).toEqual([
      ['s', 20n],
      ['s', 21n],
    ]);
    await checkpoints.flush();
    expect(durable.writes).toHaveLength(2);
  });

  it('keeps a position whose write failed and writes it later, never an older one over a newer', async () => {
    const durable = new Durable();
    const errors: unknown[] = [];
    const checkpoints = new WriteBehindCheckpoints(durable, 20, (e) => errors.push(e));
    durable.failing = 1;
    await checkpoints.store('s', 7n);
    await checkpoints.flush();
    expect(errors).toHaveLength(1);
    expect(await durable.load('s')).toBeUndefined();
    expect(await checkpoints.load('s')).toBe(7n);
    await checkpoints.store('s', 9n);
    await eventually(() => durable.writes.length > 0);
    expect(durable.writes).toEqual([['s', 9n]]);
    expect(await durable.load('s')).toBe(9n);
  });
});
