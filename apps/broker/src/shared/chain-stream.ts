import { absentChain, type ChainState, type Decision, evolve } from '#chain';
import type { EventStore } from '#event-store';
import { CHAIN_EVENT_TYPES, type ChainEvent, type StoredEvent, streams } from '#events';
import { chainRefusal } from './broker-errors.js';
import { type CommandOutcome, readDecoded, runCommand } from './command.js';
import { brokerMetadata } from './metadata.js';

export function isChainEvent(event: StoredEvent): event is StoredEvent<ChainEvent> {
  return CHAIN_EVENT_TYPES.has(event.type);
}

export function evolveChain(state: ChainState, event: StoredEvent): ChainState {
  return isChainEvent(event) ? evolve(state, event, event.revision) : state;
}

/** The chain's current state, folded from its stream (the store is the arbiter). */
export async function loadChain(store: EventStore, chainId: string): Promise<ChainState> {
  const events = await readDecoded(store, streams.chain(chainId));
  return events.reduce(evolveChain, absentChain);
}

/**
 * Runs one chain decider against `chain-<id>` with the expected revision; a refusal becomes a
 * coded error. `then` computes the answer from the state the decision was taken on.
 */
export async function runChainCommand<E extends ChainEvent, R>(
  store: EventStore,
  chainId: string,
  decide: (state: ChainState) => Decision<E>,
  then: (state: ChainState, events: readonly E[]) => R,
  options: { correlationId?: string; eventId?: (event: E, index: number) => string } = {},
): Promise<CommandOutcome<R>> {
  return runCommand(store, {
    stream: streams.chain(chainId),
    initial: absentChain,
    evolve: evolveChain,
    decide: (state) => {
      const decision = decide(state);
      if (!decision.ok) throw chainRefusal(decision);
      return { events: decision.events, result: then(state, decision.events) };
    },
    metadata: brokerMetadata(options.correlationId),
    ...(options.eventId ? { eventId: options.eventId } : {}),
  });
}
