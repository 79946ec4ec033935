import type { Hex } from '#protocol';

/** Positions [fromIndex, toIndex] of one chain, spent in one go, with W[toIndex] as proof. */
export interface Segment {
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly payword: Hex;
}

/** A redemption item: contiguous segments merged, proven by the last payword. */
export interface MergedRange {
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly proofPayword: Hex;
}

/** Adds a segment, keeping the list sorted by position; an exact repeat is not added twice. */
export function addSegment(segments: readonly Segment[], added: Segment): Segment[] {
  if (segments.some((s) => s.fromIndex === added.fromIndex && s.toIndex === added.toIndex)) {
    return [...segments];
  }
  return [...segments, added].sort((a, b) => a.fromIndex - b.fromIndex);
}

/** Drops every segment lying inside [fromIndex, toIndex] (a sealed item is a union of whole segments). */
export function removeCovered(segments: readonly Segment[], fromIndex: number, toIndex: number): Segment[] {
  return segments.filter((s) => s.fromIndex < fromIndex || s.toIndex > toIndex);
}

/**
 * Merges contiguous segments (one ends at n, the next starts at n+1) into one range proven by
 * the later payword: W[to] hashes down through every earlier word of the range.
 */
export function mergeSegments(segments: readonly Segment[]): MergedRange[] {
  const sorted = [...segments].sort((a, b) => a.fromIndex - b.fromIndex);
  const merged: MergedRange[] = [];
  for (const s of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && last.toIndex + 1 === s.fromIndex) {
      merged[merged.length - 1] = { fromIndex: last.fromIndex, toIndex: s.toIndex, proofPayword: s.payword };
    } else {
      merged.push({ fromIndex: s.fromIndex, toIndex: s.toIndex, proofPayword: s.payword });
    }
  }
  return merged;
}
