import { LRUCache } from 'lru-cache';
import { evolve, foldChain, type ChainState, type OnIgnored } from '#chain';
import { ConcurrencyError, type EventMetadata, type EventStore } from '#event-store';
import {
  CHAIN_EVENT_TYPES,
  decode,
  deterministicEventId,
  streams,
  toNewEvent,
  type ChainEvent,
  type ChainEventTrust,
} from '#events';
import type { Touchstone } from '#protocol';
import { catchUp } from './chain-catch-up.js';
import { fromRecord, sameTouchstone, toRecord, type KnownChain } from './chain-record.js';
import type { HotChainStore } from './hot-chain-store.js';
import type { TouchstoneBook } from './touchstone-book.js';
import { TurnGate } from './turn-gate.js';
import { refusal, VENDOR } from './vendor-errors.js';

/** Who caused an append, for the event's metadata and deterministic id. */
export interface AppendContext {
  readonly correlationId: string;
  readonly causationId: string;
}

/**
 * Where a vendor finds a chain's state: this process's memory, then the hot
 * store shared by the replicas (Redis), then the chain's stream (the truth).
 * Appends carry the state's revision as the expected revision, so a stale
 * state can never be written over: the store answers `ConcurrencyError` and
 * the caller reloads.
 */
export class ChainStates {
  private readonly memory: LRUCache<string, KnownChain>;
  /** Appends of one event-loop turn go out together (see TurnGate). */
  private readonly gate = new TurnGate();

  constructor(
    private readonly store: EventStore,
    private readonly hot: HotChainStore,
    private readonly touchstones: TouchstoneBook,
    private readonly actor: string,
    /** Believes a broker-typed chain event only with the broker's valid signature (once per event). */
    private readonly trust: ChainEventTrust,
    /** Hears of a vendor-typed event the fold did not believe (a forged spend), once per event. */
    onIgnored: OnIgnored = () => undefined,
    capacity = 100_000,
  ) {
    this.memory = new LRUCache({ max: capacity });
    this.ignored = (event) => {
      const key = `${event.chainId}#${event.revision}`;
      if (this.reported.has(key)) return;
      // Not a cache: a log-once set, emptied when full (an event may then be reported again).
      if (this.reported.size >= 10_000) this.reported.clear();
      this.reported.add(key);
      onIgnored(event);
    };
  }

  /** Reports each ignored event once per process (reloads fold it again). */
  private readonly ignored: OnIgnored;
  private readonly reported = new Set<string>();

  /** The best known state; no I/O when this process has the chain in memory. */
  async current(chainId: string, carried?: Touchstone): Promise<ChainState> {
    const known = this.memory.get(chainId);
    if (known) {
      checkCarried(known, carried);
      return known;
    }
    const hot = await this.hot.read(chainId);
    if (hot.record) {
      const touchstone = hot.touchstone
        ? await this.touchstones.accept(hot.touchstone)
        : await this.touchstones.obtain(chainId, carried);
      const state = fromRecord(hot.record, touchstone);
      checkCarried(state, carried);
      this.keep(state);
      return state;
    }
    return this.reload(chainId, carried);
  }

  /**
   * A second look after a conflict or a refusal on a cached state: the hot
   * store when it knows a newer revision (another replica's spend), else the
   * stream (caught up from its last event).
   */
  async refresh(stale: KnownChain): Promise<{ state: ChainState; fromStream: boolean }> {
    const chainId = stale.chainId;
    this.memory.delete(chainId);
    const hot = await this.hot.read(chainId);
    if (hot.record && hot.record.revision > stale.revision) {
      const state = fromRecord(hot.record, await this.touchstones.obtain(chainId, hot.touchstone));
      this.keep(state);
      return { state, fromStream: false };
    }
    return { state: await this.catchUp(stale), fromStream: true };
  }

  /**
   * The stream's current state from a known earlier one: one read of the
   * last event for client-side chains, a fold of the stream otherwise.
   */
  async catchUp(known: KnownChain): Promise<ChainState> {
    if (known.wallet === 'server') return this.reload(known.chainId);
    const last = await this.lastEvent(known.chainId);
    if (last && last.revision === known.revision) {
      this.remember(known);
      return known;
    }
    const next = last ? catchUp(known, last, this.ignored) : undefined;
    if (!next) return this.reload(known.chainId);
    this.remember(next);
    return next;
  }

  /** Folds the chain's stream: the truth, whatever the caches say. */
  async reload(chainId: string, carried?: Touchstone): Promise<ChainState> {
    const stream = streams.chain(chainId);
    const recorded = await this.store.readStream(stream);
    const history: { event: ChainEvent; revision: number }[] = [];
    for (const r of recorded) {
      const event =
        CHAIN_EVENT_TYPES.has(r.type) && (await this.trust.admits(stream, r)) ? decode(r) : undefined;
      if (event) history.push({ event: event as ChainEvent, revision: r.revision });
    }
    // Appends expect the stream's last revision, even when its last events were ignored.
    const state = foldChain(history, recorded.at(-1)?.revision, this.ignored);
    if (state.status === 'absent') {
      this.memory.delete(chainId);
      return state;
    }
    await this.touchstones.accept(state.touchstone);
    checkCarried(state, carried);
    this.remember(state);
    return state;
  }

  /** The chain's last event, when the caller knows what it expects there (one cheap read). */
  async lastEvent(chainId: string): Promise<{ event: ChainEvent; revision: number } | undefined> {
    const stream = streams.chain(chainId);
    const [last] = await this.store.readStream(stream, {
      direction: 'backwards',
      maxCount: 1,
    });
    // A forged broker-typed event is no answer: the caller folds the stream (which ignores it).
    const event =
      last && CHAIN_EVENT_TYPES.has(last.type) && (await this.trust.admits(stream, last))
        ? decode(last)
        : undefined;
    return event && last ? { event: event as ChainEvent, revision: last.revision } : undefined;
  }

  /**
   * Appends one event decided on `state`, expecting the stream to still be at
   * `state.revision`. Throws `ConcurrencyError` when someone appended first.
   */
  async append(state: KnownChain, event: ChainEvent, context: AppendContext): Promise<KnownChain> {
    const stream = streams.chain(state.chainId);
    const metadata: EventMetadata = { ...context, actor: this.actor };
    // Same stream, same expected revision, same decision → same id: a retried append is de-duplicated.
    const id = deterministicEventId(stream, state.revision, event.type, context.causationId);
    await this.gate.next();
    try {
      const result = await this.store.appendToStream(stream, [toNewEvent(event, metadata, id)], {
        expectedRevision: state.revision,
      });
      const next = evolve(state, event, result.nextExpectedRevision, this.ignored) as KnownChain;
      this.remember(next);
      return next;
    } catch (error) {
      if (error instanceof ConcurrencyError) this.memory.delete(state.chainId);
      throw error;
    }
  }

  /** Takes a state this process learned (after an append or a read) as the current one. */
  remember(state: KnownChain): void {
    this.keep(state);
    void this.hot.write(toRecord(state));
  }

  forget(chainId: string): void {
    this.memory.delete(chainId);
  }

  private keep(state: KnownChain): void {
    this.memory.set(state.chainId, state);
  }
}

function checkCarried(state: ChainState, carried: Touchstone | undefined): void {
  if (!carried || state.status === 'absent' || sameTouchstone(state.touchstone, carried)) return;
  throw refusal(VENDOR.TOUCHSTONE_MISMATCH, `the touchstone sent is not the one of chain ${state.chainId}`, {
    chainId: state.chainId,
  });
}
