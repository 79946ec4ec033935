import { evolve, linkMismatch, type OnIgnored } from '#chain';
import type { ChainEvent } from '#events';
import type { KnownChain } from './chain-record.js';

/**
 * The state of a client-side chain at its last event, from a state known at
 * an earlier revision and that one event: every chain event names the
 * holder, I and W[I-1] after it (a spend its vendor, range and proof; a
 * hand-off its certificate; a claim its index), and the touchstone never
 * changes. One read of the stream's last event instead of a fold of its
 * whole history. What the event does not say (the last spend before a
 * hand-off) is dropped, never guessed; where the event does not say enough
 * (revoked, closed, checked out) the answer is undefined: fold the stream.
 */
export function catchUp(
  known: KnownChain,
  last: { event: ChainEvent; revision: number },
  onIgnored?: OnIgnored,
): KnownChain | undefined {
  const { event, revision } = last;
  if (revision <= known.revision) return undefined;
  if (revision === known.revision + 1) return evolve(known, event, revision, onIgnored) as KnownChain;
  // Across a gap, the (I, W[I-1]) the event states must hash down to the known one (any vendor
  // may append to the stream); otherwise fold the stream, which checks each spend in turn.
  const stated =
    event.type === 'CoinsSpent'
      ? { position: event.data.toIndex, word: event.data.payword }
      : event.type === 'IndexHandedOff'
        ? { position: event.data.certificate.index - 1, word: event.data.certificate.lastPayword }
        : event.type === 'ChainClaimed'
          ? { position: event.data.index - 1, word: event.data.lastPayword }
          : undefined;
  if (stated && linkMismatch(known, stated.position, stated.word) !== undefined) return undefined;
  const { lastSpend: _dropped, ...base } = known;
  switch (event.type) {
    case 'CoinsSpent': {
      const d = event.data;
      return {
        ...base,
        status: 'open',
        index: d.toIndex + 1,
        lastPayword: d.payword,
        holder: d.vendorId,
        lastSpend: d,
        revision,
      };
    }
    case 'IndexHandedOff': {
      const c = event.data.certificate;
      return {
        ...base,
        status: 'open',
        index: c.index,
        lastPayword: c.lastPayword,
        holder: c.toVendor,
        revision,
      };
    }
    case 'ChainClaimed': {
      const d = event.data;
      return {
        ...base,
        status: 'open',
        index: d.index,
        lastPayword: d.lastPayword,
        holder: d.toVendor,
        revision,
      };
    }
    default:
      // Revoked or closed (rare, and they do not name the holder), a checkout (slices): fold the stream.
      return undefined;
  }
}
