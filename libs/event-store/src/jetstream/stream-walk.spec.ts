import { describe, expect, it } from '@jest/globals';
import { headers } from '@nats-io/nats-core';
import fc from 'fast-check';
import type { ReadStreamOptions } from '../event-store.port.js';
import { readWindow } from '../shared/read-window.js';
import { encodePriorSeqs, type HeaderMap, headerMap, PRIOR_SEQS, priorSeqsOf } from './jetstream-codec.js';
import { atLeast } from './jetstream-event-store.js';
import { windowOf } from './jetstream-reader.js';
import { advance, NO_STREAM, priorOfNext } from './stream-heads.js';
import { MAX_HOPS, walkable } from './stream-walk.js';

function withHeaders(entries: Record<string, string>): { headers: HeaderMap | undefined } {
  const h = headers();
  for (const [k, v] of Object.entries(entries)) h.set(k, v);
  return { headers: headerMap(h) };
}

describe('prior-sequence pointers', () => {
  it('round-trips any decreasing list of sequences through the header', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), {
          minLength: 1,
          maxLength: PRIOR_SEQS,
        }),
        (seqs) => {
          const prior = [...seqs].sort((a, b) => b - a);
          const decoded = priorSeqsOf(withHeaders({ 'NetPay-Prior-Seqs': encodePriorSeqs(prior) }));
          expect(decoded).toEqual(prior);
        },
      ),
    );
  });

  it('falls back to the sequence the server checked at publish when the header is missing or garbled', () => {
    const expected = 'Nats-Expected-Last-Subject-Sequence';
    expect(priorSeqsOf(withHeaders({ [expected]: '41' }))).toEqual([41]);
    expect(priorSeqsOf(withHeaders({ [expected]: '0' }))).toEqual([]);
    expect(priorSeqsOf(withHeaders({}))).toEqual([]);
    expect(priorSeqsOf(withHeaders({ 'NetPay-Prior-Seqs': '90,5,x', [expected]: '90' }))).toEqual([90]);
    // A delta that would go below sequence 1 is not a pointer.
    expect(priorSeqsOf(withHeaders({ 'NetPay-Prior-Seqs': '9,9', [expected]: '9' }))).toEqual([9]);
  });

  it('makes each appended event point at the ones before it, at most PRIOR_SEQS of them', () => {
    let head = NO_STREAM;
    const seqs: number[] = [];
    for (let revision = 0; revision < PRIOR_SEQS + 5; revision++) {
      const seq = 10 + revision * 3;
      expect(priorOfNext(head)).toEqual(seqs.slice(-PRIOR_SEQS).reverse());
      head = advance(head, seq);
      seqs.push(seq);
      expect(head).toMatchObject({ revision, seq });
    }
  });
});

describe('read windows', () => {
  const options = fc.record(
    {
      direction: fc.constantFrom<'forwards' | 'backwards'>('forwards', 'backwards'),
      fromRevision: fc.integer({ min: -2, max: 40 }),
      maxCount: fc.integer({ min: 0, max: 40 }),
    },
    { requiredKeys: [] },
  );

  it('selects exactly the revisions the in-memory store returns, in the same order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), options, (lastRevision, read: ReadStreamOptions) => {
        const all = Array.from({ length: lastRevision + 1 }, (_, r) => r);
        const window = windowOf(read, lastRevision);
        const selected = window ? all.slice(window.lo, window.hi + 1) : [];
        if (read.direction === 'backwards') selected.reverse();
        expect(selected).toEqual(readWindow(all, read));
      }),
    );
  });

  it('walks only as far back as MAX_HOPS hops reach', () => {
    expect(walkable(PRIOR_SEQS * MAX_HOPS, 0)).toBe(true);
    expect(walkable(PRIOR_SEQS * MAX_HOPS + 1, 0)).toBe(false);
    expect(walkable(PRIOR_SEQS * MAX_HOPS + 1, 1)).toBe(true);
  });
});

describe('server version detection', () => {
  it('uses batched direct get from nats-server 2.11 on', () => {
    expect(atLeast('2.9.10', 2, 11)).toBe(false);
    expect(atLeast('2.10.22', 2, 11)).toBe(false);
    expect(atLeast('2.11.0', 2, 11)).toBe(true);
    expect(atLeast('2.12.1-beta', 2, 11)).toBe(true);
    expect(atLeast('3.0.0', 2, 11)).toBe(true);
    expect(atLeast(undefined, 2, 11)).toBe(false);
  });
});
