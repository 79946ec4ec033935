import { Logger } from '@nestjs/common';
import { absentChain, type ChainState, type Decision, evolve, type IgnoredChainEvent } from '#chain';
import type { EventStore, RecordedEvent } from '#event-store';
import {
  CHAIN_EVENT_TYPES,
  judgeChainEvent,
  VENDOR_SIGNED_CHAIN_EVENT_TYPES,
  sealChainEvent,
  type ChainEvent,
  type StoredEvent,
  streams,
} from '#events';
import type { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { chainRefusal } from './broker-errors.js';
import { type CommandOutcome, readDecoded, runCommand } from './command.js';
import { brokerMetadata } from './metadata.js';

export function isChainEvent(event: StoredEvent): event is StoredEvent<ChainEvent> {
  return CHAIN_EVENT_TYPES.has(event.type);
}

/** Folds one chain event; a spend whose payword does not hash down to the chain is not believed. */
export function evolveChain(state: ChainState, event: StoredEvent): ChainState {
  return isChainEvent(event) ? evolve(state, event, event.revision, reportIgnored) : state;
}

const logger = new Logger('ChainEvents');
const reportedSpends = new Set<string>();
let forgedSpends = 0;

function reportIgnored(ignored: IgnoredChainEvent): void {
  const key = `${ignored.chainId}#${ignored.revision}`;
  if (reportedSpends.has(key)) return;
  if (reportedSpends.size >= 10_000) reportedSpends.clear();
  reportedSpends.add(key);
  forgedSpends++;
  logger.warn(
    `ignored a ${ignored.type} at chain-${ignored.chainId}@${ignored.revision} naming ${ignored.vendorId}: ${ignored.reason}`,
  );
}
/** How many vendor-typed chain events (forged spends) this process's folds did not believe. */
export const forgedVendorChainEvents = (): number => forgedSpends;
const CHAIN_STREAM_PREFIX = 'chain-';

export const isChainStream = (stream: string): boolean => stream.startsWith(CHAIN_STREAM_PREFIX);
const reported = new Set<string>();
let forged = 0;

/**
 * Which recorded events of `stream` the broker's fold believes: a broker-typed chain event only
 * with its own valid signature (any vendor may append to a chain stream), a hand-off or claim only
 * with its vendor's (certified by the broker); the others are logged once per process and left
 * out, so a forged revoke, close, hand-off or claim changes nothing.
 */
export function chainAdmission(ring: BrokerKeyRing, stream: string): (recorded: RecordedEvent) => boolean {
  return (recorded) => {
    const verdict = judgeChainEvent(stream, recorded, ring.publicKeys());
    if (verdict === 'vendor' || verdict === 'valid') return true;
    const key = `${stream}#${recorded.revision}`;
    if (!reported.has(key)) {
      if (reported.size >= 10_000) reported.clear();
      reported.add(key);
      forged++;
      const signer = VENDOR_SIGNED_CHAIN_EVENT_TYPES.has(recorded.type) ? 'vendor' : 'broker';
      logger.warn(
        `ignored a ${recorded.type} at ${stream}@${recorded.revision} whose ${signer} signature is ${verdict} ` +
          `(written as ${recorded.metadata.actor ?? 'unknown'})`,
      );
    }
    return false;
  };
}
/** How many forged broker-typed chain events this process ignored. */
export const forgedChainEvents = (): number => forged;

/** The chain's current state, folded from its stream (the store is the arbiter). */
export async function loadChain(
  store: EventStore,
  ring: BrokerKeyRing,
  chainId: string,
): Promise<ChainState> {
  const stream = streams.chain(chainId);
  const events = await readDecoded(store, stream, chainAdmission(ring, stream));
  return events.reduce(evolveChain, absentChain);
}

/**
 * Runs one chain decider against `chain-<id>` with the expected revision; a refusal becomes a
 * coded error. `then` computes the answer from the state the decision was taken on.
 */
export async function runChainCommand<E extends ChainEvent, R>(
  store: EventStore,
  ring: BrokerKeyRing,
  chainId: string,
  decide: (state: ChainState) => Decision<E>,
  then: (state: ChainState, events: readonly E[]) => R,
  options: { correlationId?: string; eventId?: (event: E, index: number) => string } = {},
): Promise<CommandOutcome<R>> {
  const stream = streams.chain(chainId);
  return runCommand(store, {
    stream,
    admit: chainAdmission(ring, stream),
    seal: (event, revision) => sealChainEvent(ring.signer, stream, revision, event),
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
