import type { CheckpointStore, GlobalPosition } from '../event-store.port.js';

/** Checkpoints in a Map: "durable" for as long as the object lives (share it across store instances in tests). */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, GlobalPosition>();

  async load(subscriptionId: string): Promise<GlobalPosition | undefined> {
    return this.positions.get(subscriptionId);
  }

  async store(subscriptionId: string, position: GlobalPosition): Promise<void> {
    this.positions.set(subscriptionId, position);
  }
}
