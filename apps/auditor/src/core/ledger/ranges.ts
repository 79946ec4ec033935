/** Closed ranges of positions [from, to], kept sorted by `from`. */
export interface Range {
  readonly from: number;
  readonly to: number;
}

/** Index of the first range that ends at or after `position` (binary search). */
function firstEndingAtOrAfter(ranges: readonly Range[], position: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ranges[mid]?.to ?? 0) < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Non-overlapping ranges, sorted. */
export class RangeSet<T extends Range = Range> {
  private readonly ranges: T[] = [];

  get size(): number {
    return this.ranges.length;
  }

  all(): readonly T[] {
    return this.ranges;
  }

  /** The ranges already held that share a position with [from, to]. */
  overlapping(from: number, to: number): T[] {
    const out: T[] = [];
    for (let i = firstEndingAtOrAfter(this.ranges, from); i < this.ranges.length; i++) {
      const r = this.ranges[i];
      if (r === undefined || r.from > to) break;
      out.push(r);
    }
    return out;
  }

  /** Adds a range that overlaps none held (check `overlapping` first). */
  insert(range: T): void {
    const at = firstEndingAtOrAfter(this.ranges, range.from);
    this.ranges.splice(at, 0, range);
  }

  /** Whether every position of [from, to] lies in some held range. */
  covers(from: number, to: number): boolean {
    let next = from;
    for (let i = firstEndingAtOrAfter(this.ranges, from); i < this.ranges.length && next <= to; i++) {
      const r = this.ranges[i];
      if (r === undefined || r.from > next) return false;
      next = r.to + 1;
    }
    return next > to;
  }

  /** Number of positions held. */
  count(): number {
    let n = 0;
    for (const r of this.ranges) n += r.to - r.from + 1;
    return n;
  }
}
