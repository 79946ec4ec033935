import type { EventStore } from '#event-store';
import type { ChainWorld } from './chain-world.js';

/**
 * An honest business day (2026-03-10 in Auckland) for three vendors, 5 cents a coin:
 * c1: va 1..3 and 4..5, hand-off va→vb, vb 6..9, hand-off vb→va, va 10..10;
 * c2: vb 1..2, vc claims it (vb did not answer), vc 3..5.
 * Owed: va 6 coins (30), vb 6 (30), vc 3 (15).
 */
export async function honestDay(world: ChainWorld): Promise<void> {
  world.at('2026-03-10T01:00:00.000Z');
  await world.issue('c1');
  await world.spend('c1', 'va', 3);
  await world.spend('c1', 'va', 2);
  await world.handOff('c1', 'va', 'vb');
  await world.spend('c1', 'vb', 4);
  await world.handOff('c1', 'vb', 'va');
  await world.spend('c1', 'va', 1);
  await world.issue('c2');
  await world.spend('c2', 'vb', 2);
  await world.claim('c2', 'vb', 'vc');
  await world.spend('c2', 'vc', 3);
}

export async function streamTypes(store: EventStore, stream: string): Promise<string[]> {
  return (await store.readStream(stream)).map((e) => e.type);
}
