import type { CoinsSpent, RedemptionBatchSealed } from '#events';
import type { EventRef, Reporter } from '../findings.js';
import { RULES } from '../rules.js';

/** How long after a spend's time a night may still miss it (clock skew, a spend in flight). */
export const DEFAULT_SEAL_GRACE_MS = 10 * 60_000;

interface SpendSeen {
  readonly vendorId: string;
  readonly chainId: string;
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly atMs: number;
  readonly day: string;
  readonly ref: EventRef & { readonly position: bigint };
}

/** The first broker seal of a business day: the night of that day had run by then. */
interface Night {
  readonly businessDay: string;
  readonly sealedAtMs: number;
  readonly position: bigint;
}

/**
 * R3 liveness: a coin spent before a sealed business day's cut-off is in a redemption batch.
 * A night seals every unsealed spend of its day and the days before, so once a broker seal for
 * day D is in the log, every spend that was in the log before it, of day D or earlier, and
 * older than the grace at the time of the seal, must be in some batch (the broker's or a
 * vendor's claim) by the end of the log. Otherwise the vendor is never paid for it: a read
 * model that lost its storage seals nothing, and no safety rule notices.
 */
export class SealCoverage {
  private readonly spends: SpendSeen[] = [];
  private readonly nights = new Map<string, Night>();
  /** Sealed ranges by `vendor|chain`. */
  private readonly sealed = new Map<string, [number, number][]>();
  private readonly dayOf: (ms: number) => string;

  constructor(
    timeZone: string,
    private readonly graceMs: number = DEFAULT_SEAL_GRACE_MS,
  ) {
    // en-CA writes YYYY-MM-DD; business days are calendar dates in the cut-off's zone.
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    this.dayOf = (ms) => format.format(ms);
  }

  onSpend(data: CoinsSpent['data'], ref: EventRef & { readonly position: bigint }): void {
    const atMs = Date.parse(data.at);
    if (!Number.isFinite(atMs)) return; // never payable: nothing to seal (R1 reports the time)
    const { vendorId, chainId, fromIndex, toIndex } = data;
    this.spends.push({ vendorId, chainId, fromIndex, toIndex, atMs, day: this.dayOf(atMs), ref });
  }

  onSeal(data: RedemptionBatchSealed['data'], position: bigint): void {
    for (const item of data.items) {
      const key = `${data.vendorId}|${item.chainId}`;
      const ranges = this.sealed.get(key) ?? [];
      ranges.push([item.fromIndex, item.toIndex]);
      this.sealed.set(key, ranges);
    }
    const sealedAtMs = Date.parse(data.at);
    if ((data.source ?? 'broker') !== 'broker' || !Number.isFinite(sealedAtMs)) return;
    if (!this.nights.has(data.businessDay))
      this.nights.set(data.businessDay, { businessDay: data.businessDay, sealedAtMs, position });
  }

  /** At the end of a complete replay: every spend a night should have sealed is in a batch. */
  check(reporterAt: (at: EventRef) => Reporter): void {
    const nights = [...this.nights.values()];
    if (nights.length === 0) return;
    for (const spend of this.spends) {
      const night = nights.find(
        (n) =>
          n.businessDay >= spend.day &&
          n.position > spend.ref.position &&
          spend.atMs + this.graceMs < n.sealedAtMs,
      );
      if (night === undefined || this.covered(spend)) continue;
      reporterAt(spend.ref).violation(
        RULES.SPENT_NOT_SEALED,
        `${spend.vendorId} spent ${spend.chainId} ${spend.fromIndex}..${spend.toIndex} on ${spend.day}, ` +
          `but no redemption batch holds it although day ${night.businessDay} was sealed at ` +
          `${new Date(night.sealedAtMs).toISOString()}: the vendor is never paid for it`,
        spend.chainId,
      );
    }
  }

  private covered(spend: SpendSeen): boolean {
    const ranges = this.sealed.get(`${spend.vendorId}|${spend.chainId}`);
    if (ranges === undefined) return false;
    // Walk the sealed ranges in order, extending the covered prefix of the spend.
    let next = spend.fromIndex;
    for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
      if (from > next) break;
      if (to >= next) next = to + 1;
      if (next > spend.toIndex) return true;
    }
    return next > spend.toIndex;
  }
}
