import type { EventStore } from '#event-store';
import { decode, streams, type CoinsSpent } from '#events';

/**
 * What the chain's stream says was accepted, the only count that matters:
 * every position accepted, in order, with the vendor that accepted it.
 */
export async function acceptedPositions(
  store: EventStore,
  chainId: string,
): Promise<{ position: number; vendorId: string }[]> {
  const out: { position: number; vendorId: string }[] = [];
  for (const recorded of await store.readStream(streams.chain(chainId))) {
    const event = decode(recorded);
    if (event?.type !== 'CoinsSpent') continue;
    const data = (event as unknown as CoinsSpent).data;
    for (let p = data.fromIndex; p <= data.toIndex; p++) out.push({ position: p, vendorId: data.vendorId });
  }
  return out;
}

/** Types of the chain's events in order. */
export async function eventTypes(store: EventStore, chainId: string): Promise<string[]> {
  return (await store.readStream(streams.chain(chainId))).map((r) => r.type);
}

/** Fails unless no position was accepted twice; answers the positions. */
export async function uniquePositions(store: EventStore, chainId: string): Promise<number[]> {
  const positions = (await acceptedPositions(store, chainId)).map((a) => a.position);
  if (new Set(positions).size !== positions.length) {
    throw new Error(`chain ${chainId}: a position was accepted twice: ${positions.join(',')}`);
  }
  return positions;
}
