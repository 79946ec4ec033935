import {
  isLinked,
  PRIOR_SEQS,
  priorSeqsOf,
  revisionOf,
  type StoredMessage,
  streamOf,
} from './jetstream-codec.js';
import type { DirectGet } from './jetstream-direct.js';

/**
 * At most this many messages fetched one after another to reach a read's
 * lowest revision (PRIOR_SEQS revisions each): 512 events back from the head.
 * Further back, or where the pointers run out, a search of the subject is
 * cheaper than that many round trips.
 */
export const MAX_HOPS = 32;

/** Revisions `lo..hi` (inclusive) of a stream whose last event is at revision ≥ hi. */
export interface RevisionWindow {
  readonly lo: number;
  readonly hi: number;
}

/** Whether a walk from the head at `lastRevision` down to `lo` is worth trying. */
export function walkable(lastRevision: number, lo: number): boolean {
  return Math.ceil((lastRevision - lo) / PRIOR_SEQS) <= MAX_HOPS;
}

/**
 * The stream's messages at revisions `window.lo..hi`, in revision order,
 * found by walking back from its last message along the sequences each
 * message carries of the events before it: every message wanted is fetched
 * by sequence as soon as its sequence is known (up to PRIOR_SEQS at once),
 * and only the oldest known one is waited for before going further back.
 * The server looks each up by sequence; nothing is scanned.
 *
 * Undefined when the pointers do not lead there (too many hops, a message
 * without them, or one that is not the stream's event it should be): the
 * caller then searches the subject instead.
 */
export async function walkBack(
  direct: DirectGet,
  stream: string,
  last: StoredMessage,
  window: RevisionWindow,
): Promise<StoredMessage[] | undefined> {
  const { lo, hi } = window;
  const wanted = new Map<number, Promise<StoredMessage | undefined>>();
  const fetch = (seq: number): Promise<StoredMessage | undefined> => {
    const found = direct.bySeq(seq);
    // Settled later by Promise.all, or never awaited when the walk gives up: no unhandled rejection.
    found.catch(() => undefined);
    return found;
  };
  let cursor = last;
  let cursorRevision = revisionOf(last);
  if (!isEvent(last, stream, cursorRevision)) return undefined;
  if (cursorRevision === hi) wanted.set(hi, Promise.resolve(last));
  for (let hops = 0; cursorRevision > lo; hops++) {
    const prior = priorSeqsOf(cursor);
    if (prior.length === 0 || hops > MAX_HOPS) return undefined;
    for (let i = 0; i < prior.length && cursorRevision - 1 - i >= lo; i++) {
      const revision = cursorRevision - 1 - i;
      if (revision <= hi && !wanted.has(revision)) wanted.set(revision, fetch(prior[i]!));
    }
    const oldest = cursorRevision - prior.length;
    if (oldest <= lo) break;
    const next = await (wanted.get(oldest) ?? fetch(prior[prior.length - 1]!));
    if (!next || !isEvent(next, stream, oldest)) return undefined;
    cursor = next;
    cursorRevision = oldest;
  }
  const revisions = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  const found = await Promise.all(revisions.map((r) => wanted.get(r) ?? Promise.resolve(undefined)));
  const messages: StoredMessage[] = [];
  for (const [i, message] of found.entries()) {
    if (!message || !isEvent(message, stream, revisions[i]!)) return undefined;
    messages.push(message);
  }
  return messages;
}

/**
 * The stream's event at `revision`, appended through the store: linked to the event before it
 * (a forged message on the subject, or the first event after one, is not: the caller then scans).
 */
function isEvent(message: StoredMessage, stream: string, revision: number): boolean {
  try {
    return streamOf(message) === stream && revisionOf(message) === revision && isLinked(message, revision);
  } catch {
    return false;
  }
}
