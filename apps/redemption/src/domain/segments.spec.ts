import { describe, expect, it } from '@jest/globals';
import { addSegment, mergeSegments, removeCovered } from './segments.js';

const s = (fromIndex: number, toIndex: number) => ({ fromIndex, toIndex, payword: `w${toIndex}` });

describe('segments of one vendor on one chain', () => {
  it('merge when contiguous, proven by the last payword', () => {
    const segments = [s(4, 5), s(1, 3), s(10, 10), s(6, 6)].reduce(addSegment, []);
    expect(mergeSegments(segments)).toEqual([
      { fromIndex: 1, toIndex: 6, proofPayword: 'w6' },
      { fromIndex: 10, toIndex: 10, proofPayword: 'w10' },
    ]);
  });

  it('are added once, and sealed items take out exactly the segments they cover', () => {
    const segments = [s(1, 3), s(1, 3), s(4, 5), s(6, 8)].reduce(addSegment, []);
    expect(segments).toHaveLength(3);
    expect(removeCovered(segments, 1, 5)).toEqual([s(6, 8)]);
    expect(removeCovered(segments, 2, 5)).toEqual([s(1, 3), s(6, 8)]);
  });
});
