import type { RuleCode, WarningCode } from './rules.js';

/** Where a finding was made: the event being checked, or the end of the replay. */
export interface EventRef {
  /** Global position in the log; `null` for checks made at the end of the replay. */
  readonly position: bigint | null;
  readonly stream: string;
  readonly revision: number | null;
  readonly eventType: string | null;
  readonly eventId: string | null;
}

export const END_OF_REPLAY: EventRef = {
  position: null,
  stream: '$all',
  revision: null,
  eventType: null,
  eventId: null,
};

export interface Finding<C extends string> extends EventRef {
  readonly code: C;
  /** The chain it concerns, when it concerns one (used by `--chain`). */
  readonly chainId?: string;
  readonly detail: string;
}

export type Violation = Finding<RuleCode>;
export type Warning = Finding<WarningCode>;

/** What the checks call: findings are tied to the event being checked. */
export interface Reporter {
  violation(code: RuleCode, detail: string, chainId?: string): void;
  warning(code: WarningCode, detail: string, chainId?: string): void;
}

/**
 * Collects findings. Counts are always exact; only the first `maxKept` of each
 * kind are kept in full, so a badly broken log cannot exhaust memory.
 */
export class Findings {
  readonly violations: Violation[] = [];
  readonly warnings: Warning[] = [];
  readonly violationCounts = new Map<RuleCode, number>();
  readonly warningCounts = new Map<WarningCode, number>();
  /** Priming (history before `--from`) folds state without reporting. */
  muted = false;

  constructor(
    private readonly maxKept: number,
    /** With `--chain`, only findings about this chain are kept. */
    private readonly focusChainId?: string,
  ) {}

  reporter(at: EventRef): Reporter {
    return {
      violation: (code, detail, chainId) =>
        this.add(this.violations, this.violationCounts, at, code, detail, chainId),
      warning: (code, detail, chainId) =>
        this.add(this.warnings, this.warningCounts, at, code, detail, chainId),
    };
  }

  get violationCount(): number {
    let total = 0;
    for (const n of this.violationCounts.values()) total += n;
    return total;
  }

  private add<C extends string>(
    list: Finding<C>[],
    counts: Map<C, number>,
    at: EventRef,
    code: C,
    detail: string,
    chainId: string | undefined,
  ): void {
    if (this.muted) return;
    if (this.focusChainId !== undefined && chainId !== this.focusChainId) return;
    counts.set(code, (counts.get(code) ?? 0) + 1);
    if (list.length < this.maxKept)
      list.push({ ...at, code, detail, ...(chainId === undefined ? {} : { chainId }) });
  }
}
